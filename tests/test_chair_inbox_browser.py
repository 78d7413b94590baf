"""The chair's inbox in a real Chromium: filtering by article and searching without diacritics show the right
cards, a bulk ruling of two comments updates both (and reaches their author), and a comment marked as a
duplicate is shown under the comment it was merged into; clicking a comment shows its article's text. The
console is in panes: tabs that the arrow keys move between, kept in the address, counting what came in unseen.
Each kind of proposal reads as what it does; the secretariat files its own; a partial acceptance carries the
chair's wording, diffed against the draft and the proposal; the author's answer arrives live; an article is read
and projected as published, compared or revised."""
from __future__ import annotations

import asyncio
import re

from playwright.async_api import Page, Route, expect

from server.simulate.loopback import Server
from tests.support.api import comment, people, point_ids
from tests.support.browser import LIVE_TIMEOUT_MS, Open, card, catalog
from tests.support.http import Call

VI = catalog("vi")


async def chair_console(open_console: Open, s: Server) -> Page:
    return await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}#hop-thu")


async def test_filter_by_article_and_search(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    author, other = await people(call, s)
    c1 = await comment(
        call, s, author, "dieu-3", "Cần làm rõ cơ chế điều phối giữa hai bên.", "3. Hai bên cùng chủ trì."
    )
    c2 = await comment(call, s, author, "dieu-3.khoan-2", "Bổ sung thời hạn trả lời.")
    c3 = await comment(call, s, other, "dieu-6.khoan-1", "Làm rõ trách nhiệm của công an tỉnh.")
    await call("POST", s.api("/remarks"), other, json={"title": "Phát biểu", "body": "Thống nhất cao."})
    chair = await chair_console(open_console, s)
    feed = chair.locator("#feed > li")
    await expect(feed).to_have_count(4)

    # The counts per article: a click on Điều 3 filters by it (remarks are not about an article).
    dieu3 = chair.locator('#inbox-counts li[data-anchor="dieu-3"]')
    await expect(dieu3.locator(".count")).to_have_text("2")
    await expect(chair.locator('#inbox-counts li[data-anchor="dieu-6"] .count')).to_have_text("1")
    await dieu3.locator("button").first.click()
    await expect(chair.locator("#inbox-article")).to_have_value("dieu-3")
    await expect(feed).to_have_count(2)
    await expect(card(chair, c1)).to_be_visible()
    await expect(card(chair, c2)).to_be_visible()
    # A proposal reads as a word diff against the article's current wording, as the delegate saw it.
    await expect(card(chair, c1).locator(".proposed .diff ins").first).to_be_visible()

    # Clicking a comment shows it beside its article's text in the current draft.
    await card(chair, c2).locator(".open-comment").click()
    detail = chair.locator("#inbox-detail")
    await expect(detail).to_be_visible()
    await expect(detail.locator("#detail-comment")).to_contain_text("Bổ sung thời hạn trả lời.")
    await expect(detail.locator('.section-text[data-anchor="dieu-3.khoan-2"]')).to_have_class(
        "section-text is-commented"
    )
    await expect(detail.locator(".section-text").first).to_have_attribute("data-anchor", "dieu-3")

    # A search without diacritics, answered by the server, across every article.
    await chair.locator("#inbox-reset").click()
    await expect(feed).to_have_count(4)
    await chair.locator("#inbox-search").fill("dieu phoi")
    await expect(feed).to_have_count(1)
    await expect(card(chair, c1)).to_be_visible()
    await chair.locator("#inbox-search").fill("")
    await expect(feed).to_have_count(4)

    # Undisposed with proposed wording: only c1; a new comment elsewhere does not slip into the filtered list.
    await chair.locator("#inbox-proposed").check()
    await expect(feed).to_have_count(1)
    await comment(call, s, other, "dieu-1", "Phạm vi còn hẹp.")
    await expect(chair.locator('#inbox-counts li[data-anchor="dieu-1"] .count')).to_have_text(
        "1", timeout=LIVE_TIMEOUT_MS
    )
    await expect(feed).to_have_count(1)
    assert await card(chair, c3).count() == 0


async def test_bulk_ruling_of_two_comments(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    author, _ = await people(call, s)
    c1 = await comment(call, s, author, "dieu-3", "Cần làm rõ cơ chế điều phối.")
    c2 = await comment(call, s, author, "dieu-4", "Bổ sung thời hạn trả lời.")
    c3 = await comment(call, s, author, "dieu-5", "Giữ nguyên.")
    chair = await chair_console(open_console, s)
    delegate = await open_console(s, author)
    await expect(delegate.locator("#my-comments > li")).to_have_count(3)

    bulk = chair.locator("#inbox-bulk")
    await expect(bulk).to_be_hidden()
    await card(chair, c1).locator("input.pick").check()
    await card(chair, c2).locator("input.pick").check()
    await expect(chair.locator("#bulk-count")).to_have_text(VI["inbox.picked"].replace("{n}", "2"))
    await bulk.locator("select[name=disposition]").select_option("partly_accepted")
    await bulk.locator("textarea[name=response]").fill("Tiếp thu, chỉnh lý câu chữ.")
    await bulk.locator('button[type="submit"]').click()

    for item in (c1, c2):
        await expect(card(chair, item).locator(".ruling .disposition-badge")).to_have_text(
            VI["disposition.partly_accepted"]
        )
        await expect(card(chair, item).locator(".ruling")).to_contain_text("Tiếp thu, chỉnh lý câu chữ.")
    await expect(card(chair, c3).locator(".ruling.pending")).to_be_visible()
    await expect(bulk).to_be_hidden()
    await expect(chair.locator('#inbox-counts li[data-anchor="dieu-3"] .meta')).to_contain_text(
        "1", timeout=LIVE_TIMEOUT_MS
    )

    # The author's console hears both rulings live.
    ruled = delegate.locator("#my-comments > li", has=delegate.locator(".disposition-badge"))
    await expect(ruled).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    for body in ("Cần làm rõ cơ chế điều phối.", "Bổ sung thời hạn trả lời."):
        row = delegate.locator("#my-comments > li", has_text=body)
        await expect(row.locator(".disposition-badge")).to_have_text(VI["disposition.partly_accepted"])
    stored = (await call("GET", s.api("/comments"), s.tokens["chair"], params={"disposition": "partly_accepted"})).body
    assert sorted(c["id"] for c in stored["items"]) == sorted([c1["id"], c2["id"]])


async def test_merge_shows_the_duplicate_under_its_target(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    author, other = await people(call, s)
    target = await comment(call, s, author, "dieu-3", "Cần làm rõ cơ chế điều phối.")
    copy = await comment(call, s, other, "dieu-3", "Đề nghị làm rõ việc điều phối.")
    chair = await chair_console(open_console, s)
    second = await chair_console(open_console, s)
    await expect(chair.locator("#feed > li")).to_have_count(2)

    # The chair sees and types each comment's number, the one the audit trail and the record cite.
    await expect(card(chair, target).locator(".comment-id")).to_have_text(f"#{target['number']}")
    merge = card(chair, copy).locator("details.merge")
    await merge.locator("summary").click()
    # A number that is not on any card shown is refused before anything is sent.
    await merge.locator("input[name=into]").fill("999")
    await merge.locator('button[type="submit"]').click()
    await expect(chair.locator("#notice")).to_have_text(VI["inbox.merge_unknown"].format(n=999))
    await merge.locator("input[name=into]").fill(str(target["number"]))
    await merge.locator('button[type="submit"]').click()

    for page in (chair, second):
        under = card(page, target).locator(f'.duplicates li[data-id="{copy["id"]}"]')
        await expect(under).to_contain_text("Đề nghị làm rõ việc điều phối.", timeout=LIVE_TIMEOUT_MS)
        await expect(under.locator(".tag")).to_have_text(VI["inbox.duplicate_label"].format(id=copy["number"]))
        await expect(card(page, copy)).to_have_count(0)
        await expect(page.locator("#feed > li")).to_have_count(1)

    # Split out again: back on its own, in both consoles.
    await card(chair, target).locator(f'.duplicates li[data-id="{copy["id"]}"] button.unmerge').click()
    for page in (chair, second):
        await expect(card(page, copy)).to_be_visible(timeout=LIVE_TIMEOUT_MS)
        await expect(card(page, target).locator(".duplicates li")).to_have_count(0)


async def test_premoderation_moderation_and_reopening(demo_server: Server, open_console: Open, call: Call) -> None:
    s, token = demo_server, demo_server.tokens["chair"]
    author, _ = await people(call, s)
    chair = await chair_console(open_console, s)
    toggle = chair.locator("#inbox-premoderation")
    await expect(toggle).not_to_be_checked()
    await toggle.check()
    await expect(chair.locator("#notice")).to_have_text(VI["inbox.premoderation_on"])
    assert (await call("GET", s.api(), token)).body["premoderation"] is True

    held = await comment(call, s, author, "dieu-2", "Chờ duyệt.")
    remark = (
        await call("POST", s.api("/remarks"), author, json={"title": "Tham luận chờ duyệt", "body": "Nội dung."})
    ).body
    held_card = card(chair, held)
    remark_card = chair.locator(f'#feed > li.kind-remark[data-id="{remark["id"]}"]')
    await expect(held_card.locator(".moderation .tag")).to_have_text(VI["inbox.held"], timeout=LIVE_TIMEOUT_MS)
    await expect(remark_card.locator(".moderation")).to_be_visible(timeout=LIVE_TIMEOUT_MS)

    await held_card.locator('button[data-decision="approved"]').click()
    await expect(held_card.locator(".moderation")).to_have_count(0)
    await expect(held_card).to_have_class("feed-item kind-comment moderation-approved")
    await remark_card.locator('button[data-decision="rejected"]').click()
    await expect(remark_card).to_have_class("feed-item kind-remark moderation-rejected")
    stored = (await call("GET", s.api("/remarks"), token)).body["items"]
    assert [r["moderation"] for r in stored if r["id"] == remark["id"]] == ["rejected"]

    # Collection closed elsewhere: the reopen button shows, and reopens.
    reopen = chair.locator("#conference-reopen-collection")
    await expect(reopen).to_be_hidden()
    await call("POST", s.api("/open"), token)
    closed = await call("POST", s.api("/close-collection"), token)
    assert closed.status == 200, closed.body
    await expect(reopen).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    await reopen.click()
    await expect(chair.locator("#conference-status")).to_have_attribute("data-status", "open")
    await expect(reopen).to_be_hidden()
    assert (await call("GET", s.api(), token)).body["status"] == "open"


async def test_bulk_ruling_refused_when_one_was_ruled_meanwhile(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s = demo_server
    author, _ = await people(call, s)
    c1 = await comment(call, s, author, "dieu-3", "Một.")
    c2 = await comment(call, s, author, "dieu-4", "Hai.")
    chair = await chair_console(open_console, s)
    await card(chair, c1).locator("input.pick").check()
    await card(chair, c2).locator("input.pick").check()
    # Someone else rules c2 after the chair picked it: the chair's console shows it, the bulk ruling is refused.
    ruled = await call("PATCH", s.api(f"/comments/{c2['id']}"), s.tokens["admin"],
                       json={"disposition": "declined", "response": "Không phù hợp.", "revision": c2["revision"]})
    assert ruled.status == 200, ruled.body
    await expect(card(chair, c2).locator(".ruling .disposition-badge")).to_have_text(
        VI["disposition.declined"], timeout=LIVE_TIMEOUT_MS
    )
    open_console.expect_refusal(409)
    bulk = chair.locator("#inbox-bulk")
    await bulk.locator("select[name=disposition]").select_option("accepted")
    await bulk.locator('button[type="submit"]').click()
    await expect(chair.locator("#notice")).to_have_text(VI["inbox.bulk_conflict"])
    await expect(card(chair, c1).locator(".ruling.pending")).to_be_visible()
    await expect(card(chair, c2).locator(".ruling .disposition-badge")).to_have_text(VI["disposition.declined"])

    # Seen now: the second try goes through for both.
    await bulk.locator('button[type="submit"]').click()
    for item in (c1, c2):
        await expect(card(chair, item).locator(".ruling .disposition-badge")).to_have_text(VI["disposition.accepted"])


async def test_the_console_in_panes(demo_server: Server, open_console: Open, call: Call) -> None:
    s = demo_server
    author, _ = await people(call, s)
    chair = await open_console(s, s.tokens["chair"], f"/chair/{s.conference_id}")
    run, inbox, record = (chair.locator(f"#tab-{pane}") for pane in ("dieu-hanh", "hop-thu", "ket-luan"))
    await expect(chair.get_by_role("tab")).to_have_count(4)
    await expect(run).to_have_attribute("aria-selected", "true")
    await expect(chair.locator("#pane-hop-thu")).to_be_hidden()

    # A comment while the inbox is out of sight: its tab counts it; opening the pane shows it and clears the count.
    await comment(call, s, author, "dieu-2", "Bổ sung cụm từ “kịp thời”.")
    badge = inbox.locator(".tab-badge")
    await expect(badge).to_have_text(VI["chair.tab_new"].format(n=1), timeout=LIVE_TIMEOUT_MS)
    await run.focus()
    await chair.keyboard.press("ArrowRight")
    await expect(inbox).to_be_focused()
    await expect(inbox).to_have_attribute("aria-selected", "true")
    await expect(chair.locator("#pane-dieu-hanh")).to_be_hidden()
    await expect(chair.locator("#feed > li")).to_have_count(1)
    await expect(badge).to_be_hidden()
    await expect(chair).to_have_url(re.compile("#hop-thu$"))
    await chair.keyboard.press("End")
    await expect(record).to_be_focused()
    await chair.keyboard.press("ArrowRight")
    await expect(run).to_have_attribute("aria-selected", "true")
    await chair.keyboard.press("ArrowLeft")
    await expect(record).to_have_attribute("aria-selected", "true")

    # A point whose link goes down is counted on the points tab while another pane is shown.
    hgi = (await point_ids(call, s))["HGI"]
    assert (
        await call("POST", s.api(f"/points/{hgi}/status"), s.tokens["operators"]["HGI"], json={"link": "down"})
    ).status == 200
    await expect(chair.locator("#tab-diem-cau .tab-badge")).to_have_text(
        VI["chair.tab_down"].format(n=1), timeout=LIVE_TIMEOUT_MS
    )

    # The workshop's state stays in sight on any pane, and a reload opens the pane it left.
    await expect(chair.locator("#conference-status")).to_be_visible()
    await chair.reload()
    await expect(record).to_have_attribute("aria-selected", "true")
    await expect(chair.locator("#statement-text")).to_be_visible()

    # A wide screen shows the floor and the inbox side by side.
    await chair.set_viewport_size({"width": 1920, "height": 1080})
    await run.click()
    await expect(chair.locator("#pane-dieu-hanh")).to_be_visible()
    await expect(chair.locator("#pane-hop-thu")).to_be_visible()
    await expect(inbox).to_have_attribute("aria-selected", "true")


async def test_the_line_above_the_inbox_says_what_it_holds(demo_server: Server, open_console: Open, call: Call) -> None:
    """Never "nullnull" nor "Hiển thị 0 / 0": with nothing yet, with a filter that matches nothing, as items arrive
    live before and after the opening, and after a reload; every proposal reads as a word diff."""
    s = demo_server
    author, other = await people(call, s)
    chair = await chair_console(open_console, s)
    total, pane = chair.locator("#inbox-total"), chair.locator("#pane-hop-thu")

    async def reads(text: str) -> None:
        await expect(total).to_have_text(text, timeout=LIVE_TIMEOUT_MS)
        shown = await pane.inner_text()
        assert "null" not in shown and "undefined" not in shown and "0 / 0" not in shown, shown

    await reads(VI["inbox.total_none"])
    await expect(chair.locator("#inbox-counts-total")).to_have_text(VI["inbox.counts_total"].format(n=0))
    await chair.locator("#inbox-kind").select_option("comment")
    await reads(VI["inbox.total_no_match"])
    await chair.locator("#inbox-reset").click()
    await reads(VI["inbox.total_none"])

    # Before the opening a proposal comes in live, and after it another one and a remark.
    first = await comment(call, s, author, "dieu-3", "Làm rõ cơ chế.", "3. Hai bên cùng chủ trì và phối hợp.")
    await reads(VI["inbox.total_all"].format(total=1))
    assert (await call("POST", s.api("/open"), s.tokens["chair"])).status == 200
    second = await comment(call, s, other, "dieu-6.khoan-1", "Bổ sung.", "Công an tỉnh chịu trách nhiệm chính.")
    await call("POST", s.api("/remarks"), other, json={"title": "Phát biểu", "body": "Thống nhất cao."})
    await reads(VI["inbox.total_all"].format(total=3))
    for item in (first, second):
        await expect(card(chair, item).locator(".proposed .diff ins").first).to_be_visible()

    await chair.locator("#inbox-kind").select_option("comment")
    await reads(VI["inbox.total_matching"].format(total=2))
    await chair.locator("#inbox-search").fill("khong co dau nao khop")
    await reads(VI["inbox.total_no_match"])
    await chair.reload()
    await reads(VI["inbox.total_all"].format(total=3))
    await expect(chair.locator("#inbox-counts-total")).to_have_text(VI["inbox.counts_total"].format(n=2))


async def test_proposals_counter_wording_answer_and_views(demo_server: Server, open_console: Open, call: Call) -> None:
    s, token = demo_server, demo_server.tokens["chair"]
    author, _ = await people(call, s)
    chair = await chair_console(open_console, s)

    # The secretariat's own proposals, filed from the inbox: a deletion and an insertion, each listed as such.
    form = chair.locator("#change-proposal-form")
    await chair.locator("#change-proposal summary").click()
    await form.locator("select[name=section_anchor]").select_option("dieu-3.khoan-4")
    await form.locator('input[name=kind][value="delete"]').check()
    await expect(form.locator("textarea[name=text]")).to_be_hidden()
    await expect(form.locator(".proposal-preview del")).to_contain_text("Bảo đảm bí mật của Đảng")
    await form.locator("textarea[name=reason]").fill("Đã quy định tại Điều 1.")
    await form.locator('button[type="submit"]').click()
    await expect(chair.locator("#notice")).to_contain_text(VI["inbox.secretariat"])
    await form.locator("select[name=section_anchor]").select_option("dieu-3.khoan-5")
    await form.locator('input[name=kind][value="insert_after"]').check()
    await form.locator("textarea[name=text]").fill("6. Định kỳ hằng năm hai bên đánh giá việc phối hợp.")
    await expect(form.locator(".proposal-preview ins")).to_have_text(
        "6. Định kỳ hằng năm hai bên đánh giá việc phối hợp."
    )
    await form.locator("textarea[name=reason]").fill("Bổ sung cơ chế đánh giá.")
    await form.locator('button[type="submit"]').click()
    await expect(chair.locator("#feed > li .tag-secretariat")).to_have_count(2, timeout=LIVE_TIMEOUT_MS)
    filed = (await call("GET", s.api("/comments"), token)).body["items"]
    by_kind = {c["proposal"]["kind"]: c for c in filed if c["author_kind"] == "secretariat"}
    assert set(by_kind) == {"delete", "insert_after"}, filed
    deleted, inserted = card(chair, by_kind["delete"]), card(chair, by_kind["insert_after"])
    await expect(deleted.locator('.proposed[data-kind="delete"] .diff del')).to_contain_text("Bảo đảm bí mật của Đảng")
    await expect(inserted.locator('.proposed[data-kind="insert_after"] .diff ins')).to_have_text(
        "6. Định kỳ hằng năm hai bên đánh giá việc phối hợp."
    )
    await expect(inserted.locator(".proposed .meta")).to_have_text(
        VI["inbox.insert_where"].format(
            section=f"{VI['section.article'].format(n=3)}, {VI['section.clause'].format(n=5)}"
        )
    )

    # A delegate's replacement, partly accepted with the chair's own wording: diffed against both, live.
    proposal = "2. Phối hợp thường xuyên, chặt chẽ, kịp thời; đề cao trách nhiệm của mỗi bên."
    mine = await comment(call, s, author, "dieu-3.khoan-2", "Rút gọn khoản 2.", proposal)
    ruled = card(chair, mine)
    await expect(ruled.locator('.proposed[data-kind="replace"] .diff ins').first).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    counter = ruled.locator(".counter-wording")
    await expect(counter).to_be_hidden()
    await ruled.locator('input[value="partly_accepted"]').check()
    await expect(counter.locator("textarea[name=adopted_text]")).to_have_value(proposal)
    await expect(counter.locator('[data-against="proposal"] ins')).to_have_count(0)
    adopted = "2. Phối hợp thường xuyên, chặt chẽ, kịp thời, đồng bộ; đề cao trách nhiệm của mỗi bên."
    await counter.locator("textarea[name=adopted_text]").fill(adopted)
    await expect(counter.locator('[data-against="proposal"] ins')).to_have_text("thời, đồng bộ;")
    await expect(counter.locator('[data-against="draft"] del').first).to_be_visible()
    await ruled.locator('.dispose-form button[type="submit"]').click()
    await expect(ruled.locator(".ruling .adopted")).to_contain_text(adopted)
    stored = (await call("GET", s.api("/comments"), token)).body["items"]
    assert [c["adopted_text"] for c in stored if c["id"] == mine["id"]] == [adopted]

    # The author disagrees: the card says so at once.
    answered = await call("PUT", s.api(f"/comments/{mine['id']}/author-answer"), author,
                          json={"agrees": False, "text": "Đề nghị giữ cụm từ “đồng bộ” ở cuối."})
    assert answered.status == 200, answered.body
    answer = ruled.locator('.author-answer[data-answer="disagrees"]')
    await expect(answer).to_contain_text(VI["inbox.answer_disagrees"], timeout=LIVE_TIMEOUT_MS)
    await expect(answer).to_contain_text("Đề nghị giữ cụm từ “đồng bộ” ở cuối.")

    # The article in its three views, and projected in the one the chair reads it in.
    await ruled.locator(".open-comment").click()
    text = chair.locator("#detail-text")
    await text.locator('.view-switch [data-view="diff"]').click()
    await expect(text).to_have_attribute("data-view", "diff")
    await expect(text.locator('.view-part[data-change="proposed"]')).to_have_count(2)
    await expect(text.locator('.view-part[data-change="inserted"] ins')).to_have_text(
        "6. Định kỳ hằng năm hai bên đánh giá việc phối hợp."
    )
    assert "null" not in await text.inner_text()
    await text.locator('.view-switch [data-view="revised"]').click()
    await expect(text).to_have_attribute("data-view", "revised")
    await expect(text.locator('.view-part[data-change="modified"]')).to_contain_text(
        "kịp thời, đồng bộ; đề cao trách nhiệm"
    )
    await text.locator(".project-button").first.click()
    await expect(chair.locator("#screen-now")).to_have_text(f"Điều 3 · {VI['screen.view_revised']}")
    shown = (await call("GET", s.api("/display"), token)).body
    assert (shown["anchor"], shown["view"]) == ("dieu-3", "revised")
    await text.locator('.view-switch [data-view="original"]').click()
    await expect(text.locator('.section-text[data-anchor="dieu-3.khoan-2"]')).to_have_class("section-text is-commented")

    # The admin files one beside the draft: the chair's inbox lists it at once.
    admin = await open_console(s, s.tokens["admin"], f"/admin/{s.conference_id}")
    beside = admin.locator("#draft #change-proposal")
    await beside.locator("summary").click()
    await beside.locator("select[name=section_anchor]").select_option("dieu-1")
    await beside.locator("textarea[name=text]").fill("Quy chế này quy định việc phối hợp.")
    await expect(beside.locator(".proposal-preview del").first).to_be_visible()
    await beside.locator("textarea[name=reason]").fill("Viết gọn.")
    await beside.locator('button[type="submit"]').click()
    await expect(admin.locator("#notice")).to_contain_text(VI["inbox.secretariat"])
    await expect(chair.locator("#feed > li .tag-secretariat")).to_have_count(3, timeout=LIVE_TIMEOUT_MS)


async def test_a_comment_heard_while_the_list_loads_keeps_its_card(
    demo_server: Server, open_console: Open, call: Call
) -> None:
    s = demo_server
    author, _ = await people(call, s)
    chair = await chair_console(open_console, s)
    await expect(chair.locator("#live-status")).to_have_attribute("data-state", "online", timeout=LIVE_TIMEOUT_MS)
    # The next listing is read, then held on its way until a comment written after it has been heard live.
    asked, release = asyncio.Event(), asyncio.Event()

    async def hold(route: Route) -> None:
        listing = await route.fetch()
        asked.set()
        await release.wait()
        await route.fulfill(response=listing)

    await chair.route(re.compile(r"/comments\?"), hold)
    search = chair.locator("#inbox-search")
    await search.fill("x")
    await search.fill("")
    await asyncio.wait_for(asked.wait(), LIVE_TIMEOUT_MS / 1000)
    heard = await comment(call, s, author, "dieu-2", "Góp ý đến khi danh sách còn đang tải.")
    card = chair.locator(f'#feed > li[data-id="{heard["id"]}"]')
    await expect(card).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    async with chair.expect_response(re.compile(r"/comments\?")):
        release.set()
    # The listing read before the comment does not take its card away.
    await expect(card).to_have_count(1)
    await chair.unroute(re.compile(r"/comments\?"))
