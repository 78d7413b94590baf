"""The delegate reads the draft article by article, comments on a clause with proposed wording and its word
diff, and sees the chair's ruling arrive in "my comments" without a reload."""
from __future__ import annotations

from playwright.async_api import expect

from tests import test_browser
from tests.conftest import Call, Server
from tests.test_browser import LIVE_TIMEOUT_MS, Open, assert_not_reloaded, catalog, mark

browser = test_browser.browser
open_console = test_browser.open_console


async def test_delegate_comments_on_a_clause_and_sees_the_ruling_live(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    await call("POST", s.api("/open"), s.tokens["chair"])
    token = next(iter(s.tokens["delegates"].values()))
    delegate = await open_console(s, token)
    vi = catalog("vi")

    # The contents list chapters and their articles; opening one shows its clauses.
    await expect(delegate.locator("#draft-toc .toc-chapter")).not_to_have_count(0)
    await delegate.locator('#draft-toc button[data-article="dieu-3"]').click()
    clause = delegate.locator('#draft-reader .reader-section[data-anchor="dieu-3.khoan-2"]')
    await expect(clause).to_be_visible()
    current = (await clause.locator("p").inner_text()).strip()

    await clause.locator("button.pick-target").click()
    await expect(delegate.locator("#section-select")).to_have_value("dieu-3.khoan-2")
    await expect(clause).to_have_class("reader-section section-clause is-target")
    await expect(delegate.locator("#target-label")).to_have_text("Điều 3, khoản 2")

    words = current.split()
    proposed = " ".join([*words[:3], "rất", *words[3:]])
    await delegate.locator("#comment-form textarea[name=body]").fill("Đề nghị nhấn mạnh tính thường xuyên.")
    await delegate.locator("#proposed-text").fill(proposed)
    await expect(delegate.locator("#proposed-diff")).to_be_visible()
    await expect(delegate.locator("#proposed-diff-body ins")).to_have_text("rất")
    await expect(delegate.locator("#proposed-diff-body del")).to_have_count(0)

    await mark(delegate)
    await delegate.locator("#comment-form button[type=submit]").click()
    mine = delegate.locator("#my-comments li")
    await expect(mine).to_have_count(1)
    await expect(mine.first).to_contain_text("Điều 3, khoản 2")
    await expect(mine.first).to_contain_text(vi["disposition.none"])
    await expect(delegate.locator("#proposed-diff")).to_be_hidden()

    comments = (await call("GET", s.api("/comments"), s.tokens["chair"])).body["items"]
    comment = next(c for c in comments if c["section_anchor"] == "dieu-3.khoan-2")
    assert comment["proposed_text"] == proposed
    ruled = await call("PATCH", s.api(f"/comments/{comment['id']}"), s.tokens["chair"],
                       json={"disposition": "accepted", "response": "Tiếp thu.", "revision": comment["revision"]})
    assert ruled.status == 200

    await expect(mine.first.locator(".disposition-badge")).to_have_text(vi["disposition.accepted"], timeout=LIVE_TIMEOUT_MS)
    await expect(mine.first).to_contain_text("Tiếp thu.")
    await assert_not_reloaded(delegate)


async def test_delegate_sends_a_remark_with_a_paper_and_sees_its_link(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    await call("POST", s.api("/open"), s.tokens["chair"])
    delegate = await open_console(s, next(iter(s.tokens["delegates"].values())))
    pdf = b"%PDF-1.4\n%%EOF\n"

    form = delegate.locator("#remark-form")
    await form.locator("input[name=title]").fill("Tham luận về phối hợp")
    await form.locator("textarea[name=body]").fill("Toàn văn trong tệp đính kèm.")
    await delegate.locator("#remark-file").set_input_files(files=[{"name": "Tham luận.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    await form.locator("button[type=submit]").click()

    link = delegate.locator("#my-remarks li a.attachment-link")
    await expect(link).to_have_count(1)
    await expect(link).to_contain_text("Tham luận.pdf")
    remarks = (await call("GET", s.api("/remarks"), s.tokens["chair"])).body["items"]
    assert remarks[0]["attachment"]["name"] == "Tham luận.pdf"
    await expect(link).to_have_attribute("href", remarks[0]["attachment"]["url"])
    # The author's own session downloads it.
    status = await delegate.evaluate("async (url) => (await fetch(url)).status", remarks[0]["attachment"]["url"])
    assert status == 200
