"""The admin console's draft panel in a real Chromium: a DOCX is previewed first, published only on confirmation."""
from __future__ import annotations

import docx
from playwright.async_api import Browser, expect

from server.simulate.loopback import Server
from tests.support.api import new_conference
from tests.support.browser import Open, catalog
from tests.support.documents import DOCX_TYPE, docx_bytes
from tests.support.http import Call

VI = catalog("vi")


def draft_with_a_broken_line() -> bytes:
    document = docx.Document()
    document.add_heading("Chương I", 1)
    document.add_paragraph("QUY ĐỊNH CHUNG")
    document.add_paragraph("Điều 1. Phạm vi điều chỉnh")
    document.add_paragraph("1. Quy chế này quy định việc phối hợp.")
    document.add_paragraph("Điều . <b>thiếu</b> số")
    document.add_paragraph("Điều 2. Hiệu lực")
    return docx_bytes(document)


async def test_admin_previews_then_confirms_a_docx(shared_server: Server, open_console: Open, call: Call) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    fresh = await new_conference(call, s, "Hội thảo thử giao diện dự thảo")
    page = await open_console(s, admin, f"/admin/{fresh.id}")
    await expect(page.locator("#draft-current")).to_have_text(VI["draft.none"])
    upload = {"name": "du-thao.docx", "mimeType": DOCX_TYPE, "buffer": draft_with_a_broken_line()}
    await page.locator("#draft-form input[type=file]").set_input_files(upload)
    await page.locator("#draft-check").click()

    preview = page.locator("#draft-preview")
    await expect(preview).to_be_visible()
    await expect(preview.locator("tr[data-kind=article] td")).to_have_text("2")
    await expect(preview.locator("tr[data-kind=chapter] td")).to_have_text("1")
    await expect(preview.locator("tr[data-kind=clause] td")).to_have_text("1")
    # A line of the document is shown as text: the tags in it are characters, not markup.
    await expect(preview.locator(".unmatched li")).to_have_text(["Điều . <b>thiếu</b> số"])
    await expect(preview.locator(".unmatched b")).to_have_count(0)
    assert (await call("GET", fresh.api("/drafts"), admin)).body["total"] == 0

    await expect(page.locator("#draft-confirm")).to_have_text(VI["draft.confirm"])
    await page.locator("#draft-confirm").click()

    await expect(page.locator("#notice")).to_have_text(VI["draft.published"])
    await expect(page.locator("#draft-current")).to_contain_text(VI["draft.revision"].replace("{n}", "1"))
    await expect(preview).to_be_hidden()
    drafts = (await call("GET", fresh.api("/drafts"), admin)).body["items"]
    assert [(d["revision"], d["format"], d["counts"]["article"]) for d in drafts] == [(1, "docx", 2)]


async def test_admin_sees_why_a_file_is_refused(shared_server: Server, browser: Browser, call: Call) -> None:
    # Not through open_console: Chromium logs the expected 422 as a console error, which that fixture forbids.
    s, admin = shared_server, shared_server.tokens["admin"]
    fresh = await new_conference(call, s, "Hội thảo thử tệp hỏng")
    context = await browser.new_context()
    try:
        await context.add_cookies([{"name": "diemcau_lang", "value": "vi", "url": s.base_url}])
        page = await context.new_page()
        await page.goto(f"{s.base_url}/join/{admin}")
        await page.goto(f"{s.base_url}/admin/{fresh.id}")
        broken = {"name": "du-thao.docx", "mimeType": DOCX_TYPE, "buffer": b"PK\x03\x04" + b"garbage" * 20}
        await page.locator("#draft-form input[type=file]").set_input_files(broken)
        await page.locator("#draft-check").click()
        await expect(page.locator("#notice")).to_have_text(VI["draft.reason_unreadable"])
        await expect(page.locator("#draft-preview")).to_be_hidden()
    finally:
        await context.close()
    assert (await call("GET", fresh.api("/drafts"), admin)).body["total"] == 0
