"""The big screen's mode (PROTOCOL v1.1): the chair's PUT …/display, what every console reads back, the public
display.changed event, and what a projected section shows in each view."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from playwright.async_api import Page, expect

from server.simulate.loopback import Server
from tests.event_schemas import validate_event
from tests.support.api import ask, assert_error, comment, people, present_at_hgi, propose, rule, seq
from tests.support.browser import (
    LIVE_TIMEOUT_MS,
    Open,
    assert_fits_projectors,
    assert_not_reloaded,
    catalog,
    mark,
    violations,
)
from tests.support.http import Call
from tests.support.realtime import Listener

AGENDA = {"mode": "agenda", "anchor": None, "view": None, "text": None}
VI = catalog("vi")


async def put(call: Call, s: Server, body: Any, token: str | None = None) -> Any:
    return await call("PUT", s.api("/display"), s.tokens["chair"] if token is None else token, json=body)


async def shown(call: Call, s: Server, token: str | None = None) -> dict[str, Any]:
    reply = await call("GET", s.api("/display"), s.tokens["display"] if token is None else token)
    assert reply.status == 200, reply.body
    return dict(reply.body)


def joined(runs: list[dict[str, str]], *ops: str) -> str:
    return "".join(run["text"] for run in runs if run["op"] in ops)


async def test_every_mode_reaches_the_display_and_stays(
    shared_server: Server, call: Call, listen: Callable[..., Awaitable[Listener]]
) -> None:
    s, t = shared_server, shared_server.tokens
    screen = await listen(s, t["display"])
    assert await shown(call, s) == {**AGENDA, "section": None}
    steps = [
        (
            {"mode": "section", "anchor": "dieu-3.khoan-2"},
            {"mode": "section", "anchor": "dieu-3.khoan-2", "view": "original", "text": None},
        ),
        (
            {"mode": "section", "anchor": "dieu-3", "view": "diff"},
            {"mode": "section", "anchor": "dieu-3", "view": "diff", "text": None},
        ),
        ({"mode": "speakers"}, {"mode": "speakers", "anchor": None, "view": None, "text": None}),
        (
            {"mode": "message", "text": "  Giải lao 15 phút  "},
            {"mode": "message", "anchor": None, "view": None, "text": "Giải lao 15 phút"},
        ),
        ({"mode": "agenda", "anchor": None}, AGENDA),
    ]
    for count, (body, state) in enumerate(steps, start=1):
        reply = await put(call, s, body)
        assert reply.status == 200, reply.body
        assert {k: reply.body[k] for k in state} == state
        events = await screen.wait_for("display.changed", count)
        assert events[-1]["data"] == state
        validate_event(events[-1])
        # A console that opens now reads the same state, from the conference and from …/display.
        for token in (t["display"], t["delegates"][next(iter(t["delegates"]))], t["operators"]["HGI"], t["admin"]):
            assert (await call("GET", s.api(), token)).body["display"] == state
            assert {k: v for k, v in (await shown(call, s, token)).items() if k != "section"} == state
    sentences = [
        e["sentence"] for e in (await call("GET", s.api("/audit?action=display.control"), t["chair"])).body["items"]
    ]
    assert sentences[:5] == [
        "Trình chiếu dự thảo (Điều 3, khoản 2) lên màn hình lớn",
        "Trình chiếu dự thảo (Điều 3) kèm các đề xuất sửa đổi lên màn hình lớn",
        "Đưa danh sách phát biểu lên màn hình lớn",
        "Đưa thông điệp ‘Giải lao 15 phút’ lên màn hình lớn",
        "Đưa chương trình lên màn hình lớn",
    ]
    english = await call("GET", s.api("/audit?action=display.control&lang=en"), t["chair"])
    assert english.body["items"][0]["sentence"] == "Put the draft (Article 3, clause 2) on the big screen as published"


async def test_only_the_chair_sets_it_and_bad_input_changes_nothing(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    assert (await put(call, s, {"mode": "message", "text": "Trước"})).status == 200
    before, state = await seq(call, s), await shown(call, s)
    for token in (t["admin"], t["display"], t["operators"]["HGI"], t["delegates"][next(iter(t["delegates"]))]):
        assert_error(await put(call, s, {"mode": "agenda"}, token), 403, "forbidden")
    assert_error(await call("PUT", s.api("/display"), json={"mode": "agenda"}), 401)
    assert_error(await call("GET", s.api("/display")), 401)
    bad: list[tuple[Any, str]] = [
        ({"mode": "slides"}, "mode"),
        ({}, "mode"),
        ({"mode": "section"}, "anchor"),
        ({"mode": "section", "anchor": "dieu-999"}, "anchor"),
        ({"mode": "section", "anchor": "chuong-1"}, "anchor"),
        ({"mode": "section", "anchor": "mo-dau"}, "anchor"),
        ({"mode": "section", "anchor": 3}, "anchor"),
        ({"mode": "section", "anchor": "dieu-3", "view": "final"}, "view"),
        ({"mode": "section", "anchor": "dieu-3", "text": "Thừa"}, "text"),
        ({"mode": "message"}, "text"),
        ({"mode": "message", "text": "   "}, "text"),
        ({"mode": "message", "text": "x" * 501}, "text"),
        ({"mode": "message", "text": "Chào\u0007"}, "text"),
        ({"mode": "speakers", "anchor": "dieu-3"}, "anchor"),
        ({"mode": "agenda", "colour": "red"}, "colour"),
    ]
    for body, field in bad:
        reply = await put(call, s, body)
        assert_error(reply, 422, "invalid")
        assert field in reply.body["error"]["details"], (body, reply.body)
    assert_error(await put(call, s, ["agenda"]), 422)
    assert (await put(call, s, {"mode": "message", "text": "x" * 500})).status == 200
    assert (await put(call, s, {"mode": "message", "text": "Trước"})).status == 200
    assert await shown(call, s) == state
    assert await seq(call, s) == before + 2


async def test_a_section_in_each_view(shared_server: Server, call: Call) -> None:
    s = shared_server
    author, other = await people(call, s)
    draft = (await call("GET", s.api("/drafts"), s.tokens["display"])).body["items"][0]
    sections = {
        x["anchor"]: x
        for x in (await call("GET", s.api(f"/drafts/{draft['id']}"), s.tokens["display"])).body["sections"]
    }
    first, second = sections["dieu-4.khoan-1"]["text"].strip(), sections["dieu-4.khoan-2"]["text"].strip()
    adopted = first.replace("1.", "1. Hằng năm,", 1)
    accepted = await comment(call, s, author, "dieu-4.khoan-1", "Nói rõ thời điểm.", adopted)
    await rule(call, s, accepted, "accepted", "Tiếp thu.")
    await comment(call, s, other, "dieu-4.khoan-2", "Bỏ khoản này.", second + " Trừ trường hợp khẩn cấp.")
    declined = await comment(call, s, other, "dieu-4.khoan-2", "Viết lại.", "2. Không phối hợp.")
    await rule(call, s, declined, "declined", "Không phù hợp.")

    async def view(name: str) -> dict[str, Any]:
        reply = await put(call, s, {"mode": "section", "anchor": "dieu-4", "view": name})
        assert reply.status == 200, reply.body
        assert (await shown(call, s))["section"] == reply.body["section"]
        section = reply.body["section"]
        assert (section["anchor"], section["kind"], section["number"], section["view"]) == (
            "dieu-4",
            "article",
            "4",
            name,
        )
        return {part["anchor"]: part for part in section["parts"]}

    original = await view("original")
    assert list(original)[:3] == ["dieu-4", "dieu-4.khoan-1", "dieu-4.khoan-2"]
    # The article's heading is the screen's heading, not repeated in its words.
    assert not joined(original["dieu-4"]["runs"], "equal").startswith("Điều 4")
    assert joined(original["dieu-4.khoan-1"]["runs"], "equal") == first
    assert all(p["proposals"] == [] and p["change"] == "unchanged" for p in original.values())

    diff = await view("diff")
    one, two = diff["dieu-4.khoan-1"], diff["dieu-4.khoan-2"]
    assert [(p["no"], p["status"]) for p in one["proposals"]] == [(accepted["number"], "accepted")]
    assert joined(one["proposals"][0]["runs"], "equal", "insert") == adopted
    assert joined(one["proposals"][0]["runs"], "equal", "delete") == first
    assert joined(one["proposals"][0]["runs"], "insert").strip() == "Hằng năm,"
    # The declined proposal is not the room's business any more; the pending one is.
    assert [p["status"] for p in two["proposals"]] == ["pending"]
    assert joined(two["proposals"][0]["runs"], "insert").strip() == "Trừ trường hợp khẩn cấp."

    # A console's own reading (GET …/section-view): adopted changes for all, a pending proposal to its author
    # and staff only; the display reads the screen's section alone.
    async def read(token: str) -> dict[str | None, Any]:
        reply = await call("GET", s.api("/section-view?anchor=dieu-4&view=diff"), token)
        assert reply.status == 200, reply.body
        return {part["anchor"]: part for part in reply.body["parts"]}

    assert (await read(s.tokens["chair"]))["dieu-4.khoan-2"]["proposals"] == two["proposals"]
    assert (await read(other))["dieu-4.khoan-2"]["proposals"] == two["proposals"]
    mine = await read(author)
    assert mine["dieu-4.khoan-2"]["proposals"] == [] and mine["dieu-4.khoan-1"]["proposals"] == one["proposals"]
    assert (await call("GET", s.api("/section-view?anchor=dieu-4"), s.tokens["display"])).status == 403
    refused = await call("GET", s.api("/section-view?anchor=dieu-99&view=diff"), author)
    assert_error(refused, 422, "invalid")
    assert "anchor" in refused.body["error"]["details"]

    revised = await view("revised")
    assert revised["dieu-4.khoan-1"]["change"] == "modified"
    assert joined(revised["dieu-4.khoan-1"]["runs"], "equal") == adopted
    assert joined(revised["dieu-4.khoan-2"]["runs"], "equal") == second

    clause = (await put(call, s, {"mode": "section", "anchor": "dieu-4.khoan-2", "view": "revised"})).body["section"]
    assert clause["article_title"] == sections["dieu-4"]["title"] and [p["anchor"] for p in clause["parts"]] == [
        "dieu-4.khoan-2"
    ]

    # The structure changes: a clause inserted and a point deleted, both adopted. The revised view renumbers.
    added = await propose(
        call, s, author, "dieu-4.khoan-1", {"kind": "insert_after", "text": "Hai bên trao đổi kết quả hằng quý."}
    )
    await rule(call, s, added, "accepted", "Tiếp thu.")
    dropped = await propose(call, s, other, "dieu-4.khoan-3.diem-a", {"kind": "delete"})
    await rule(call, s, dropped, "accepted", "Tiếp thu.")
    diff = await view("diff")
    assert [(p["no"], p["kind"], p["status"]) for p in diff[None]["proposals"]] == [
        (added["number"], "insert_after", "accepted")
    ]
    assert joined(diff[None]["runs"], "insert") == "Hai bên trao đổi kết quả hằng quý."
    point = diff["dieu-4.khoan-3.diem-a"]["proposals"]
    assert [p["kind"] for p in point] == ["delete"] and joined(point[0]["runs"], "delete") == sections[
        "dieu-4.khoan-3.diem-a"
    ]["text"].strip()
    revised_parts = (await put(call, s, {"mode": "section", "anchor": "dieu-4", "view": "revised"})).body["section"][
        "parts"
    ]
    assert [(p["anchor"], p["number"], p["change"]) for p in revised_parts[:6]] == [
        ("dieu-4", "4", "unchanged"),
        ("dieu-4.khoan-1", "1", "modified"),
        (None, "2", "inserted"),
        ("dieu-4.khoan-2", "3", "unchanged"),
        ("dieu-4.khoan-3", "4", "unchanged"),
        ("dieu-4.khoan-3.diem-b", "a", "unchanged"),
    ]
    assert joined(revised_parts[2]["runs"], "equal") == "2. Hai bên trao đổi kết quả hằng quý."
    assert joined(revised_parts[5]["runs"], "equal").startswith("a) ")
    gone = (await put(call, s, {"mode": "section", "anchor": "dieu-4.khoan-3.diem-a", "view": "revised"})).body[
        "section"
    ]
    assert (gone["revised_anchor"], gone["parts"]) == (None, [])
    moved = (await put(call, s, {"mode": "section", "anchor": "dieu-4.khoan-2", "view": "revised"})).body["section"]
    assert moved["revised_anchor"] == "dieu-4.khoan-3"


async def test_a_change_to_the_shown_proposals_reaches_the_screens(
    shared_server: Server, call: Call, listen: Callable[..., Awaitable[Listener]]
) -> None:
    s, t = shared_server, shared_server.tokens
    author, _ = await people(call, s)
    diff = {"mode": "section", "anchor": "dieu-6", "view": "diff", "text": None}
    assert (await put(call, s, diff)).status == 200
    screen = await listen(s, t["display"])
    elsewhere = await comment(call, s, author, "dieu-7", "Không thuộc điều đang chiếu.", "Nội dung khác.")
    proposal = await comment(call, s, author, "dieu-6.khoan-1", "Sửa.", "1. Nội dung mới.")
    # A proposal elsewhere changes nothing on the screen; one on the shown article sends the state again.
    assert [e["data"] for e in await screen.wait_for("display.changed")] == [diff]
    marked = {p["no"]: p["status"] for part in (await shown(call, s))["section"]["parts"] for p in part["proposals"]}
    assert marked[proposal["number"]] == "pending"
    await rule(call, s, proposal, "accepted", "Tiếp thu.")
    await screen.wait_for("display.changed", 2)
    marked = {p["no"]: p["status"] for part in (await shown(call, s))["section"]["parts"] for p in part["proposals"]}
    assert marked[proposal["number"]] == "accepted"
    # As revised, any adoption may renumber what is shown: a ruling anywhere sends it again.
    assert (await put(call, s, {**diff, "view": "revised"})).status == 200
    await rule(call, s, elsewhere, "accepted", "Tiếp thu.")
    events = await screen.wait_for("display.changed", 4)
    assert events[-1]["data"] == {**diff, "view": "revised"}
    for event in events:
        validate_event(event)


async def on_screen(display: Page, mode: str) -> None:
    """The display shows the chair's choice, all of it on either projector, and axe finds nothing serious."""
    await expect(display.locator("body")).to_have_attribute("data-mode", mode, timeout=LIVE_TIMEOUT_MS)
    await assert_fits_projectors(display)
    assert await violations(display) == []


async def test_the_chair_projects_and_every_display_follows(
    shared_server: Server, open_console: Open, call: Call
) -> None:
    s, t = shared_server, shared_server.tokens
    author, _ = await people(call, s)
    draft = (await call("GET", s.api("/drafts"), t["display"])).body["items"][0]
    sections = {
        x["anchor"]: x for x in (await call("GET", s.api(f"/drafts/{draft['id']}"), t["display"])).body["sections"]
    }
    before = sections["dieu-5.khoan-1"]["text"].strip()
    proposal = await comment(
        call,
        s,
        author,
        "dieu-5.khoan-1",
        "Nêu rõ đầu mối.",
        before.replace("1. ", "1. Văn phòng tỉnh ủy là đầu mối; ", 1),
    )
    await rule(call, s, proposal, "accepted", "Tiếp thu.")
    speakers = await present_at_hgi(call, s, 2)
    for person in speakers:
        await ask(call, s, person)
    assert (await put(call, s, {"mode": "agenda"})).status == 200

    display = await open_console(s, t["display"], f"/display/{s.conference_id}")
    await display.set_viewport_size({"width": 1920, "height": 1080})
    await expect(display.locator("body")).to_have_attribute("data-mode", "agenda")
    await mark(display)
    chair = await open_console(s, t["chair"], f"/chair/{s.conference_id}")
    panel = chair.locator("#screen")
    await expect(panel.locator("#screen-now")).to_have_text(VI["screen.agenda"])

    # From the inbox: the clause the comment cites, put up as the inbox reads it (as published).
    await chair.locator("#tab-hop-thu").click()
    await chair.locator(f'#feed [data-id="{proposal["id"]}"] .open-comment').click()
    await chair.get_by_role("button", name="Trình chiếu Điều 5, khoản 1 lên màn hình lớn").click()
    await on_screen(display, "section")
    await expect(display.locator("#section-heading")).to_have_text("Điều 5, khoản 1")
    await expect(display.locator("#section-view")).to_have_text(VI["display.view_original"])
    await expect(display.locator("#section-body :is(ins, del)")).to_have_count(0)

    # From the panel: the same clause with its proposal marked, then the whole article as revised, clean.
    await chair.locator("#tab-dieu-hanh").click()
    await expect(panel.locator("#screen-now")).to_have_text(f"Điều 5, khoản 1 · {VI['screen.view_original']}")
    await panel.locator('select[name="view"]').select_option("diff")
    await panel.get_by_role("button", name=VI["screen.project"], exact=True).click()
    await expect(display.locator("#section-view")).to_have_text(VI["display.view_diff"], timeout=LIVE_TIMEOUT_MS)
    await expect(display.locator("#section-body ins")).to_have_text("Văn phòng tỉnh ủy là đầu mối;")
    await expect(display.locator("#section-body .proposal-label")).to_have_text(
        f"Góp ý số {proposal['number']} · Tiếp thu"
    )
    await assert_fits_projectors(display)
    await panel.locator('select[name="anchor"]').select_option("dieu-5")
    await panel.locator('select[name="view"]').select_option("revised")
    await panel.get_by_role("button", name=VI["screen.project"], exact=True).click()
    await on_screen(display, "section")
    await expect(display.locator("#section-heading")).to_have_text(f"Điều 5. {sections['dieu-5']['title']}")
    await expect(display.locator("#section-body")).to_contain_text("1. Văn phòng tỉnh ủy là đầu mối;")
    await expect(display.locator("#section-body :is(ins, del)")).to_have_count(0)

    await panel.get_by_label(VI["screen.message_text"]).fill(
        "Giải lao 15 phút. Phiên thảo luận tiếp tục lúc 10 giờ 30."
    )
    await panel.get_by_role("button", name=VI["screen.show_message"]).click()
    await on_screen(display, "message")
    await expect(display.locator("#message-text")).to_have_text(
        "Giải lao 15 phút. Phiên thảo luận tiếp tục lúc 10 giờ 30."
    )
    await expect(panel.locator("#screen-now")).to_have_text(
        "Thông điệp: Giải lao 15 phút. Phiên thảo luận tiếp tục lúc 10 giờ 30."
    )

    await panel.get_by_role("button", name=VI["screen.speakers"]).click()
    await on_screen(display, "speakers")
    await expect(display.locator("#speakers-next li .next-title")).to_have_text([p["full_name"] for p in speakers])
    await expect(panel.get_by_role("button", name=VI["screen.speakers"])).to_have_attribute("aria-pressed", "true")
    await assert_not_reloaded(display)

    # A display opened now shows what the chair chose, and goes back to the agenda with the others.
    later = await open_console(s, t["display"], f"/display/{s.conference_id}")
    await expect(later.locator("body")).to_have_attribute("data-mode", "speakers")
    await panel.get_by_role("button", name=VI["screen.agenda"]).click()
    for page in (display, later):
        await expect(page.locator("body")).to_have_attribute("data-mode", "agenda", timeout=LIVE_TIMEOUT_MS)


async def test_the_screen_stays_closed_with_the_workshop(shared_server: Server, call: Call) -> None:
    """Last in this module: it closes the workshop."""
    s = shared_server
    assert (await call("POST", s.api("/close"), s.tokens["chair"])).status == 200
    before = await shown(call, s)
    assert_error(await put(call, s, {"mode": "message", "text": "Sau bế mạc"}), 409, "conference_closed")
    assert await shown(call, s) == before
