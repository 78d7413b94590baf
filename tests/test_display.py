"""The big screen's mode (PROTOCOL v1.1): the chair's PUT …/display, what every console reads back, the public
display.changed event, and what a projected section shows in each view."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import Call, Listener, Server
from tests.event_schemas import validate_event
from tests.test_chair_inbox import comment, people, rule
from tests.test_roles_and_input import assert_error, seq

AGENDA = {"mode": "agenda", "anchor": None, "view": None, "text": None}


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
        ({"mode": "section", "anchor": "dieu-3.khoan-2"}, {"mode": "section", "anchor": "dieu-3.khoan-2", "view": "original", "text": None}),
        ({"mode": "section", "anchor": "dieu-3", "view": "diff"}, {"mode": "section", "anchor": "dieu-3", "view": "diff", "text": None}),
        ({"mode": "speakers"}, {"mode": "speakers", "anchor": None, "view": None, "text": None}),
        ({"mode": "message", "text": "  Giải lao 15 phút  "}, {"mode": "message", "anchor": None, "view": None, "text": "Giải lao 15 phút"}),
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
    sentences = [e["sentence"] for e in (await call("GET", s.api("/audit?action=display.control"), t["chair"])).body["items"]]
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
    sections = {x["anchor"]: x for x in (await call("GET", s.api(f"/drafts/{draft['id']}"), s.tokens["display"])).body["sections"]}
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
        assert (section["anchor"], section["kind"], section["number"], section["view"]) == ("dieu-4", "article", "4", name)
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

    revised = await view("revised")
    assert revised["dieu-4.khoan-1"]["change"] == "modified"
    assert joined(revised["dieu-4.khoan-1"]["runs"], "equal") == adopted
    assert joined(revised["dieu-4.khoan-2"]["runs"], "equal") == second

    clause = (await put(call, s, {"mode": "section", "anchor": "dieu-4.khoan-2", "view": "revised"})).body["section"]
    assert clause["article_title"] == sections["dieu-4"]["title"] and [p["anchor"] for p in clause["parts"]] == ["dieu-4.khoan-2"]
