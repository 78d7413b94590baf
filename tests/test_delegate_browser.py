"""The delegate reads the draft article by article (on a phone too), comments on a clause with proposed wording and
its word diff, and sees the chair's ruling arrive in "my comments" without a reload; asks to speak, follows the
request, is given the floor with its own countdown, and can withdraw."""
from __future__ import annotations

import re

from playwright.async_api import Route, expect

from server.simulate.loopback import Server
from tests.support.browser import LIVE_TIMEOUT_MS, Open, assert_not_reloaded, catalog, mark, violations
from tests.support.http import Call

# Headless Chromium plays no sound: this AudioContext counts the tones the page starts instead.
COUNTED_TONES = """
window.tones = 0;
window.AudioContext = class {
  constructor() { this.currentTime = 0; this.destination = {}; }
  createOscillator() { return { frequency: {}, connect: (next) => next, start: () => { window.tones += 1; }, stop: () =>
  {} }; }
  createGain() { return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (next) => next }; }
};
"""


async def test_delegate_comments_on_a_clause_and_sees_the_ruling_live(
    demo_server: Server, open_console: Open, call: Call
) -> None:
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

    # The draft reads in the page, not in a box that scrolls inside it, and its body text is not bold.
    assert await delegate.locator("#draft-reader").evaluate("(e) => getComputedStyle(e).overflowY") == "visible"
    assert await clause.locator("p").evaluate("(e) => getComputedStyle(e).fontWeight") == "400"

    await clause.locator("button.pick-target").click()
    await expect(delegate.locator("#section-select")).to_have_value("dieu-3.khoan-2")
    await expect(clause).to_have_class("reader-section section-clause is-target")
    await expect(delegate.locator("#target-label")).to_have_text("Điều 3, khoản 2")
    # The proposal starts from the clause's wording; unchanged, it proposes nothing and shows no diff.
    await expect(delegate.locator("#proposed-text")).to_have_value(current)
    await expect(delegate.locator("#proposed-diff")).to_be_hidden()

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

    # Its receipt: the first characters in monospace, whole once focused, copied by a button, checked on /verify;
    # a line says what it is for until the delegate has used one.
    listed = (await call("GET", s.api("/comments"), token)).body["items"]
    receipt = next(c for c in listed if c["section_anchor"] == "dieu-3.khoan-2")["receipt"]
    code = mine.first.locator(".receipt-code")
    await expect(code).to_have_text(receipt[:12] + "…")
    await expect(code).to_have_attribute("title", receipt)
    assert "mono" in await code.evaluate("(e) => getComputedStyle(e).fontFamily")
    await expect(delegate.locator("#my-comments-receipts")).to_have_text(vi["receipt.explain"])
    await code.focus()
    await expect(code).to_have_text(receipt)
    await delegate.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=s.base_url)
    await mine.first.get_by_role("button", name=vi["receipt.copy"]).click()
    await expect(delegate.locator("#notice")).to_contain_text(vi["receipt.copied"])
    assert await delegate.evaluate("navigator.clipboard.readText()") == receipt
    # Still whole: folding it as the button was pressed would have moved the button from under the pointer.
    await expect(code).to_have_text(receipt)
    check = mine.first.locator("a.receipt-check")
    await expect(check).to_have_text(vi["receipt.check"])
    await expect(check).to_have_attribute("href", f"/verify?c={s.conference_id}&receipt={receipt}")

    comments = (await call("GET", s.api("/comments"), s.tokens["chair"])).body["items"]
    comment = next(c for c in comments if c["section_anchor"] == "dieu-3.khoan-2")
    assert comment["proposed_text"] == proposed
    ruled = await call("PATCH", s.api(f"/comments/{comment['id']}"), s.tokens["chair"],
                       json={"disposition": "accepted", "response": "Tiếp thu.", "revision": comment["revision"]})
    assert ruled.status == 200

    await expect(mine.first.locator(".disposition-badge")).to_have_text(
        vi["disposition.accepted"], timeout=LIVE_TIMEOUT_MS
    )
    await expect(mine.first).to_contain_text("Tiếp thu.")
    # What was heard live keeps the receipt the listing gave.
    await expect(mine.first.locator(".receipt-code")).to_have_text(receipt[:12] + "…")
    # The ruling is read out by a screen reader (a polite live region) and shown.
    said = vi["comment.ruled"].format(
        n=comment["number"], where=" (Điều 3, khoản 2)", disposition=vi["disposition.accepted"]
    )
    await expect(delegate.locator('#ruling-announce[aria-live="polite"]')).to_have_text(said)
    await expect(delegate.locator("#notice")).to_contain_text(said)
    await assert_not_reloaded(delegate)

    # On a phone the contents fold above the article; choosing an article folds them and takes the reader there.
    await delegate.set_viewport_size({"width": 390, "height": 844})
    await delegate.reload()
    # The draft takes the card's whole width, in the page's own scroll: nothing scrolls sideways or inside a box.
    reading = await delegate.locator("#draft-reader").evaluate("""(reader) => {
      const card = reader.closest(".card");
      const inner = card.clientWidth - parseFloat(getComputedStyle(card).paddingLeft) -
      parseFloat(getComputedStyle(card).paddingRight);
      return [reader.getBoundingClientRect().width / inner, getComputedStyle(reader).overflowY,
      document.documentElement.scrollWidth];
    }""")
    assert reading[0] > 0.98 and reading[1:] == ["visible", 390], reading
    # The receipt's line fits the phone too (the width above counts it); a receipt was used, so the line saying
    # what it is for is gone.
    await expect(delegate.locator("#my-comments-receipts")).to_be_hidden()
    contents = delegate.locator("#draft-toc-box")
    await expect(contents).not_to_have_attribute("open", "")
    await contents.locator("summary").click()
    await delegate.locator('#draft-toc button[data-article="dieu-8"]').click()
    await expect(contents).not_to_have_attribute("open", "")
    await expect(delegate.locator('#draft-reader .reader-heading')).to_have_text(re.compile(r"^Điều 8\."))
    await expect(delegate.locator("#draft-reader .reader-heading")).to_be_in_viewport()
    body = delegate.locator("#draft-reader .reader-section p").first
    assert await body.evaluate("(e) => getComputedStyle(e).fontWeight") == "400"


async def test_delegate_follows_its_request_to_the_floor_and_withdraws_the_next(
    demo_server: Server, open_console: Open, call: Call,
) -> None:
    s, t = demo_server, demo_server.tokens
    me, token = next((int(pid), token) for pid, token in t["delegates"].items())
    roster = (await call("GET", s.api("/participants?limit=500"), t["admin"])).body["items"]
    person = next(p for p in roster if p["id"] == me)
    points = {p["id"]: p for p in (await call("GET", s.api("/points"), t["chair"])).body["items"]}
    home = points[person["point_id"]]
    await call("POST", s.api("/open"), t["chair"])
    await call("POST", s.api("/checkins"), t["operators"][home["code"]], json={"participant_id": me})
    delegate = await open_console(s, token, prepare=lambda page: page.add_init_script(COUNTED_TONES))
    vi = catalog("vi")
    # The page says who and where the delegate is.
    await expect(delegate.locator(".whoami")).to_have_text(f"Đồng chí {person['full_name']} – {home['name']}")

    # The sound is the delegate's choice: turned on, it plays once to say what will be heard.
    await delegate.get_by_label(vi["speaking.sound"]).check()
    assert await delegate.evaluate("window.tones") == 1

    # Asked once, the request shows its state and place, and the form is not offered again.
    await delegate.locator("#speak-form input[name=topic]").fill("Về Điều 8")
    await delegate.locator("#speak-form button[type=submit]").click()
    await expect(delegate.locator("#my-request-status")).to_have_text(vi["speaking_status.queued"])
    await expect(delegate.locator("#my-request-detail")).to_have_text(vi["speaking.place"].format(n=1, of=1))
    await expect(delegate.locator("#speak-form")).to_be_hidden()
    [request] = (await call("GET", s.api("/speaking-requests"), t["chair"])).body["items"]

    # Invited, then given the floor: a banner above everything, announced at once, with the speaker's countdown;
    # on a phone scrolled down to the draft, it still shows on the screen.
    await delegate.set_viewport_size({"width": 390, "height": 844})
    await delegate.locator("#comment-form").scroll_into_view_if_needed()
    await call("PATCH", s.api(f"/speaking-requests/{request['id']}"), t["chair"], json={"status": "granted"})
    banner = delegate.locator("#turn-banner")
    await expect(banner).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    await expect(banner).to_be_in_viewport()
    await expect(delegate.locator("#speak-heading")).not_to_be_in_viewport()
    await expect(delegate.locator("#turn-title")).to_have_text(vi["speaking.turn_granted"])
    await expect(delegate.locator('#turn-announce[aria-live="assertive"]')).to_have_text(vi["speaking.turn_granted"])
    assert await delegate.evaluate("window.tones") == 2
    await call("PATCH", s.api(f"/speaking-requests/{request['id']}"), t["chair"], json={"status": "speaking"})
    await expect(delegate.locator("#turn-title")).to_have_text(vi["speaking.turn_speaking"], timeout=LIVE_TIMEOUT_MS)
    await expect(delegate.locator("#turn-announce")).to_have_text(vi["speaking.turn_speaking"])
    # The speaker's own countdown runs down from the time allowed.
    remaining = delegate.locator('#turn-clock [data-part="remaining"]')
    await expect(remaining).to_have_text(re.compile(r"^\d\d:\d\d$"))
    first = await remaining.inner_text()
    assert first <= await delegate.locator('#turn-clock [data-part="allowed"]').inner_text()
    await expect(remaining).not_to_have_text(first)
    assert await remaining.inner_text() < first
    assert await delegate.evaluate("window.tones") == 3
    await expect(delegate.locator("#withdraw")).to_be_hidden()
    await call("PATCH", s.api(f"/speaking-requests/{request['id']}"), t["chair"], json={"status": "done"})
    await expect(banner).to_be_hidden(timeout=LIVE_TIMEOUT_MS)

    # The form is back; a second request can be withdrawn, and the chair's queue loses it.
    await delegate.locator("#speak-form button[type=submit]").click()
    await expect(delegate.locator("#my-request-status")).to_have_text(vi["speaking_status.queued"])
    await delegate.locator("#withdraw").click()
    await expect(delegate.locator("#my-request-status")).to_have_text(vi["speaking_status.withdrawn"])
    await expect(delegate.locator("#speak-form")).to_be_visible()
    statuses = [r["status"] for r in (await call("GET", s.api("/speaking-requests"), t["chair"])).body["items"]]
    assert statuses == ["done", "withdrawn"]

    # Invited when the workshop closes: the banner goes, and the request says the floor will not come.
    await delegate.locator("#speak-form button[type=submit]").click()
    await expect(delegate.locator("#my-request-status")).to_have_text(vi["speaking_status.queued"])
    third = (await call("GET", s.api("/speaking-requests"), t["chair"])).body["items"][-1]
    await call("PATCH", s.api(f"/speaking-requests/{third['id']}"), t["chair"], json={"status": "granted"})
    await expect(banner).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    await call("POST", s.api("/close"), t["chair"])
    await expect(delegate.locator("#state-region")).to_contain_text(vi["state.ended_title"], timeout=LIVE_TIMEOUT_MS)
    await expect(banner).to_be_hidden()
    await expect(delegate.locator("#my-request-status")).to_have_text(vi["speaking_status.not_reached"])
    await expect(delegate.locator("#my-request-detail")).to_have_text(vi["speaking.ended_waiting"])
    await expect(delegate.locator("#withdraw")).to_be_hidden()
    await expect(delegate.locator("#speak-form button[type=submit]")).to_be_disabled()


async def test_delegate_sends_a_remark_with_a_paper_and_sees_its_link(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s = demo_server
    await call("POST", s.api("/open"), s.tokens["chair"])
    delegate = await open_console(s, next(iter(s.tokens["delegates"].values())))
    pdf = b"%PDF-1.4\n%%EOF\n"

    form = delegate.locator("#remark-form")
    await form.locator("input[name=title]").fill("Tham luận về phối hợp")
    await form.locator("textarea[name=body]").fill("Toàn văn trong tệp đính kèm.")
    await delegate.locator("#remark-file").set_input_files(
        files=[{"name": "Tham luận.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    await form.locator("button[type=submit]").click()

    link = delegate.locator("#my-remarks li a.attachment-link")
    await expect(link).to_have_count(1)
    await expect(link).to_contain_text("Tham luận.pdf")
    remarks = (await call("GET", s.api("/remarks"), s.tokens["chair"])).body["items"]
    assert remarks[0]["attachment"]["name"] == "Tham luận.pdf"
    await expect(link).to_have_attribute("href", remarks[0]["attachment"]["url"])
    # Its receipt, as under a comment.
    await expect(delegate.locator("#my-remarks li .receipt-code")).to_have_text(remarks[0]["receipt"][:12] + "…")
    # The author's own session downloads it.
    status = await delegate.evaluate("async (url) => (await fetch(url)).status", remarks[0]["attachment"]["url"])
    assert status == 200


async def test_delegate_proposes_each_kind_on_a_phone_answers_the_ruling_and_reads_the_views(
    demo_server: Server, open_console: Open, call: Call,
) -> None:
    """Item by item on a phone: replace with its word diff, insert after a clause where it goes, drop a clause
    struck through; the chair's counter-wording as a diff and the delegate's answer; the article revised."""
    s = demo_server
    chair = s.tokens["chair"]
    await call("POST", s.api("/open"), chair)
    delegate = await open_console(s, next(iter(s.tokens["delegates"].values())))
    await delegate.set_viewport_size({"width": 390, "height": 844})
    # Loaded again at the phone's width, where the contents fold above the article.
    await delegate.reload()
    vi = catalog("vi")

    # A general comment proposes nothing: inserting and dropping are not offered without a section.
    await delegate.locator("#section-select").select_option("")
    await expect(delegate.locator("#proposal-kinds input[value=insert_after]")).to_be_disabled()
    await expect(delegate.locator("#proposal-kinds input[value=delete]")).to_be_disabled()

    await delegate.locator("#draft-toc-box summary").click()
    await delegate.locator('#draft-toc button[data-article="dieu-3"]').click()
    reader = delegate.locator("#draft-reader")
    clause = lambda anchor: reader.locator(f'.reader-section[data-anchor="{anchor}"]')  # noqa: E731
    # Beside every clause (and the article) the three kinds, as plain buttons.
    await expect(clause("dieu-3.khoan-2").locator(".pick-kinds button")).to_have_count(3)
    form = delegate.locator("#comment-form")
    mine = delegate.locator("#my-comments li")

    # Insert after khoản 2: the new text previewed as new, with where it goes.
    await clause("dieu-3.khoan-2").locator("button.pick-insert").click()
    await expect(form.locator("input[value=insert_after]")).to_be_checked()
    await expect(delegate.locator("#insert-where")).to_have_text("Thêm khoản mới sau khoản 2 Điều 3")
    added = "Định kỳ sáu tháng báo cáo kết quả phối hợp."
    await delegate.locator("#inserted-text").fill(added)
    await expect(delegate.locator("#insert-preview-body ins")).to_have_text(added)
    await form.locator("textarea[name=body]").fill("Cần quy định chế độ báo cáo.")
    # A refusal is said in place, in Vietnamese, and nothing typed is lost (the server's answer stood in for once).
    refusal = {"error": {"code": "invalid", "message": "insert_after applies to an article, clause or point",
                         "details": {"proposal.kind": "insert_after applies to an article, clause or point"}}}

    async def refuse(route: Route) -> None:
        await route.fulfill(status=422, json=refusal)

    open_console.expect_refusal(422)
    await delegate.route("**/api/v1/conferences/*/comments", refuse, times=1)
    await form.locator("button[type=submit]").click()
    await expect(delegate.locator("#comment-error")).to_have_text(vi["proposal.not_here"])
    await expect(delegate.locator("#inserted-text")).to_have_value(added)
    await expect(form.locator("textarea[name=body]")).to_have_value("Cần quy định chế độ báo cáo.")
    await form.locator("button[type=submit]").click()
    await expect(delegate.locator("#comment-error")).to_be_hidden()
    await expect(mine).to_have_count(1)
    await expect(mine.first).to_contain_text("Đề nghị thêm mới sau khoản 2 Điều 3")
    await expect(form.locator("input[value=replace]")).to_be_checked()

    # Drop khoản 1: struck through, the body asks for the reason.
    first = (await clause("dieu-3.khoan-1").locator("p").inner_text()).strip()
    await clause("dieu-3.khoan-1").locator("button.pick-delete").click()
    await expect(delegate.locator("#delete-where")).to_have_text("Đề nghị bỏ khoản 1 Điều 3")
    await expect(delegate.locator("#delete-preview-body del")).to_have_text(first)
    await expect(delegate.locator("#body-label")).to_have_text(vi["proposal.delete_reason"])
    await form.locator("textarea[name=body]").fill("Trùng với Điều 2.")
    await form.locator("button[type=submit]").click()
    await expect(mine).to_have_count(2)

    # Replace khoản 3's wording: the word diff before sending.
    third = (await clause("dieu-3.khoan-3").locator("p").inner_text()).strip()
    await clause("dieu-3.khoan-3").locator("button.pick-target").click()
    await expect(delegate.locator("#proposed-text")).to_have_value(third)
    words = third.split()
    proposed = " ".join([*words[:2], "kịp thời", *words[2:]])
    await delegate.locator("#proposed-text").fill(proposed)
    await expect(delegate.locator("#proposed-diff-body ins")).to_have_text("kịp thời")
    await form.locator("textarea[name=body]").fill("Nhấn mạnh tính kịp thời.")
    await form.locator("button[type=submit]").click()
    await expect(mine).to_have_count(3)

    listed = {c["section_anchor"]: c for c in (await call("GET", s.api("/comments"), chair)).body["items"]
              if c["section_anchor"] in ("dieu-3.khoan-1", "dieu-3.khoan-2", "dieu-3.khoan-3")}
    assert listed["dieu-3.khoan-2"]["proposal"] == {"kind": "insert_after", "text": added}
    assert listed["dieu-3.khoan-1"]["proposal"] == {"kind": "delete", "text": None}
    assert listed["dieu-3.khoan-3"]["proposal"] == {"kind": "replace", "text": proposed}

    # The chair adopts khoản 3 in other words: the counter-wording shows as a diff against the proposal, live.
    replaced = listed["dieu-3.khoan-3"]
    counter = proposed.replace("kịp thời", "đầy đủ, kịp thời")
    ruled = await call("PATCH", s.api(f"/comments/{replaced['id']}"), chair, json={
        "disposition": "partly_accepted", "response": "Tiếp thu có chỉnh sửa.", "revision": replaced["revision"],
        "adopted_text": counter})
    assert ruled.status == 200, ruled.body
    row = delegate.locator(f'#my-comments li[data-id="{replaced["id"]}"]')
    await expect(row.locator(".counter-wording ins")).to_have_text("đầy đủ,", timeout=LIVE_TIMEOUT_MS)
    await row.locator(".answer-form input[name=text]").fill("Đề nghị giữ như đề xuất.")
    await row.locator(".answer-form button[value=false]").click()
    await expect(row.locator(".author-answer")).to_contain_text(vi["answer.disagreed"])
    await expect(row.locator(".author-answer")).to_contain_text("Đề nghị giữ như đề xuất.")

    # Views: revised shows the adopted counter-wording; the diff marks the delegate's own pending drop.
    await delegate.locator('#view-switch button[data-view="revised"]').click()
    await expect(reader.locator('.reader-section[data-anchor="dieu-3.khoan-3"]')).to_contain_text("đầy đủ, kịp thời")
    await expect(reader.locator('.reader-section[data-anchor="dieu-3.khoan-3"]')).to_have_attribute(
        "data-change", "modified"
    )
    # A ruling reaches the open view live: the adopted insertion follows khoản 2, numbered 3.
    inserted = listed["dieu-3.khoan-2"]
    ruled = await call("PATCH", s.api(f"/comments/{inserted['id']}"), chair, json={
        "disposition": "accepted", "response": "Tiếp thu.", "revision": inserted["revision"]})
    assert ruled.status == 200, ruled.body
    await expect(reader.locator('.reader-section[data-change="inserted"]')).to_contain_text(
        f"3. {added}", timeout=LIVE_TIMEOUT_MS
    )
    await delegate.locator('#view-switch button[data-view="diff"]').click()
    await expect(reader.locator('.view-proposal[data-kind="delete"]')).to_have_count(1)
    await expect(reader.locator('.reader-section[data-change="inserted"]')).to_contain_text(added)
    # The marked view, the answered comments and the proposal form pass axe's serious and critical checks.
    assert await violations(delegate, "main") == []
    await delegate.locator('#view-switch button[data-view="original"]').click()
    await expect(clause("dieu-3.khoan-1").locator(".pick-kinds button")).to_have_count(3)
