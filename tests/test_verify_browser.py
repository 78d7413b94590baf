"""The receipt check page (/verify) in Chromium: before the close a receipt's contribution is recorded but not yet in
the record; after it, it is in the record with its seal, and the Merkle path is checked in the browser; a rejected
one is not in it; an unknown receipt is not found; a mistyped one is explained; a browser without a session is told
where to open the page; a phone shows the long hashes without scrolling sideways."""
from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from server.simulate.loopback import Server
from tests.support.browser import Open, catalog, violations
from tests.support.http import Call


async def test_the_page_says_where_a_receipt_stands(
    demo_server: Server, open_console: Open, call: Call, browser: Browser
) -> None:
    s = demo_server
    chair, token = s.tokens["chair"], next(iter(s.tokens["delegates"].values()))
    vi, en = catalog("vi"), catalog("en")
    await call("POST", s.api("/open"), chair)
    kept = (
        await call("POST", s.api("/comments"), token, json={"section_anchor": "dieu-5", "body": "Đề nghị làm rõ."})
    ).body
    dropped = (await call("POST", s.api("/comments"), token, json={"body": "Ý kiến ngoài lề."})).body
    await call("POST", s.api(f"/comments/{dropped['id']}/moderate"), chair, json={"decision": "rejected"})

    # Opened from the delegate console's link, the receipt is checked at once.
    page = await open_console(s, token, path=f"/verify?c={s.conference_id}&receipt={kept['receipt']}")
    result = page.locator("#verify-result")
    kept_what = vi["verify.what_comment"].format(n=kept["number"], where=" (Điều 5)")
    await expect(result).to_have_attribute("data-state", "pending")
    await expect(result).to_have_text(vi["verify.pending"].format(what=kept_what))

    async def check(text: str, state: str) -> None:
        await page.locator("#receipt-input").fill(text)
        await page.locator("#verify-form button[type=submit]").click()
        await expect(result).to_have_attribute("data-state", state)

    # The short form shown in the console is not a receipt: the page says what one looks like, and asks nothing.
    await check(kept["receipt"][:12] + "…", "invalid")
    await expect(result).to_have_text(vi["verify.bad_shape"])
    open_console.expect_refusal(404)
    await check("0" * 64, "not_found")
    await expect(result).to_contain_text(vi["verify.not_found"])

    await call("POST", s.api("/close"), chair)
    answer = (await call("GET", s.api(f"/receipts/{kept['receipt']}"), token)).body
    # Pasted in capitals from a wrapped line, it is the same receipt.
    await check(f"{kept['receipt'][:32]} {kept['receipt'][32:]}".upper(), "included")
    included = vi["verify.included"].format(what=kept_what[0].upper() + kept_what[1:], seal=answer["frozen_sha256"])
    await expect(result.locator(".verify-verdict")).to_have_text(included)
    await expect(result).to_have_attribute("data-local", "proved")
    await expect(result.locator(".verify-local")).to_have_text(vi["verify.proved"].format(root=answer["root"]))
    assert await violations(page) == []
    await check(dropped["receipt"], "excluded")
    dropped_what = vi["verify.what_comment"].format(n=dropped["number"], where="")
    await expect(result).to_have_text(vi["verify.excluded"].format(what=dropped_what, seal=answer["frozen_sha256"]))

    # On a phone the seal and the root wrap: nothing scrolls sideways.
    await check(kept["receipt"], "included")
    await expect(result).to_have_attribute("data-local", "proved")
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await page.evaluate("document.documentElement.scrollWidth") == 390
    # The language switch keeps the receipt, and checks it again in English.
    await page.locator('.lang-switch a[hreflang="en"]').click()
    await expect(page.locator("#verify-result")).to_have_attribute("data-state", "included")
    await expect(page.locator("#verify-result .verify-verdict")).to_contain_text(
        re.compile(r"^Comment no\. \d+ \(Điều 5\) is in the official record")
    )
    await expect(page.locator("#verify-heading")).to_have_text(en["verify.title"])

    # A browser without a session is told where to open the page.
    context = await browser.new_context()
    try:
        anonymous = await context.new_page()
        await anonymous.goto(f"{s.base_url}/verify?receipt={kept['receipt']}")
        await expect(anonymous.locator("#verify-result")).to_have_attribute("data-state", "no_session")
        await expect(anonymous.locator("#verify-result")).to_have_text(vi["verify.no_session"])
    finally:
        await context.close()
