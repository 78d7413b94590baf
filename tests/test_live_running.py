"""Attendance variants, the agenda's transitions, the speaking queue and draft uploads."""
from __future__ import annotations

from typing import Any

import aiohttp

from server.simulate.loopback import Server
from tests.support.api import assert_error, new_conference
from tests.support.http import Call
from tests.support.servers import start_server, stop_server


async def test_substitutes_walk_ins_and_check_out(demo_server: Server, call: Call, listen: Any) -> None:
    s, hgi = demo_server, demo_server.tokens["operators"]["HGI"]
    display = await listen(s, s.tokens["display"])
    people = (await call("GET", s.api("/participants"), hgi)).body["items"]
    absent, present = people[0], people[1]
    substitute = await call(
        "POST", s.api("/checkins"), hgi,
        json={"full_name": "Nguyễn Văn Thay", "position": "Phó Trưởng ban", "substitute_for": absent["id"]},
    )
    assert substitute.status == 201 and substitute.body["substitute_for"] == absent["id"]
    assert_error(
        await call(
            "POST", s.api("/checkins"), hgi, json={"participant_id": present["id"], "substitute_for": absent["id"]}
        ),
        422,
    )
    walk_in = await call("POST", s.api("/checkins"), hgi, json={"full_name": "Trần Thị Khách"})
    assert walk_in.status == 201 and walk_in.body["on_roster"] is False
    await call("POST", s.api("/checkins"), hgi, json={"participant_id": present["id"]})
    sheet = (await call("GET", s.api("/attendance"), s.tokens["display"])).body
    hg = next(p for p in sheet["points"] if p["code"] == "HGI")
    assert (hg["expected"], hg["present"], hg["substitutes"], hg["walk_ins"]) == (11, 3, 1, 1)
    expected = sum(p["expected"] for p in sheet["points"])
    assert sheet["totals"] == {
        "expected": expected, "invited_present": 1, "represented": 1, "absent": expected - 2, "substitutes": 1,
        "walk_ins": 1, "people": 3, "present": 3, "rate": round(1 / expected, 4),
    }

    out = await call("DELETE", s.api(f"/checkins/{present['id']}"), hgi)
    assert out.status == 200 and out.body["present"] is False
    assert_error(await call("DELETE", s.api(f"/checkins/{present['id']}"), hgi), 409, "not_checked_in")
    back = await call("POST", s.api("/checkins"), hgi, json={"participant_id": present["id"]})
    assert back.status == 201
    assert_error(
        await call("POST", s.api("/checkins"), hgi, json={"participant_id": present["id"]}), 409, "already_checked_in"
    )
    walk_out = await call("DELETE", s.api(f"/checkins/{walk_in.body['id']}"), hgi)
    assert walk_out.status == 200
    totals = await display.totals_until(lambda t: t["present"] == 2)
    assert {p["code"] for e in totals for p in e["data"]["points"]} == {"HGI"}

    listed = {p["id"]: p for p in (await call("GET", s.api("/participants"), hgi, params={"q": "thay"})).body["items"]}
    assert listed[substitute.body["id"]]["substitute_for"] == absent["id"] and listed[substitute.body["id"]]["present"]


async def test_agenda_transitions(demo_server: Server, call: Call) -> None:
    s, chair = demo_server, demo_server.tokens["chair"]
    items = (await call("GET", s.api("/agenda"), chair)).body["items"]
    kinds = [i["kind"] for i in items]
    assert kinds[0] == "opening" and "report" in kinds and "contribution" in kinds and kinds[-1] == "closing"
    assert_error(await call("POST", s.api(f"/agenda/{items[0]['id']}/finish"), chair), 409, "invalid_transition")
    started = await call("POST", s.api(f"/agenda/{items[2]['id']}/start"), chair)
    assert started.body["status"] == "live" and started.body["started_at"]
    assert_error(await call("POST", s.api(f"/agenda/{items[2]['id']}/start"), chair), 409, "invalid_transition")
    jumped = await call("POST", s.api(f"/agenda/{items[4]['id']}/start"), chair)
    assert jumped.status == 200
    now = {i["id"]: i["status"] for i in (await call("GET", s.api("/agenda"), chair)).body["items"]}
    assert now[items[2]["id"]] == "done" and now[items[4]["id"]] == "live" and now[items[0]["id"]] == "pending"
    stale = await call("POST", s.api("/agenda/next"), chair, json={"expected_current_id": items[2]["id"]})
    assert_error(stale, 409, "revision_conflict")
    assert stale.body["error"]["details"]["current_id"] == items[4]["id"]
    moved = await call("POST", s.api("/agenda/next"), chair, json={"expected_current_id": items[4]["id"]})
    assert moved.body["current"]["id"] == items[5]["id"]
    finished = await call("POST", s.api(f"/agenda/{items[5]['id']}/finish"), chair)
    assert finished.body["status"] == "done" and finished.body["finished_at"]
    added = await call(
        "POST", s.api("/agenda"), s.tokens["admin"], json={"title": "Giải lao", "kind": "break", "planned_minutes": 15}
    )
    assert added.status == 201 and added.body["position"] == len(items) + 1
    edited = await call("PATCH", s.api(f"/agenda/{added.body['id']}"), chair, json={"planned_minutes": 10})
    assert edited.body["planned_minutes"] == 10
    # An edit is capped as an addition is: a day's minutes at most, or the schedule could not be worked out.
    for minutes in (24 * 60 + 1, 10**12):
        too_long = await call("PATCH", s.api(f"/agenda/{added.body['id']}"), chair, json={"planned_minutes": minutes})
        assert_error(too_long, 422)
        assert too_long.body["error"]["details"] == {"planned_minutes": "too large"}
    assert (await call("GET", s.api("/agenda"), chair)).status == 200
    ids = [i["id"] for i in items] + [added.body["id"]]
    order = ids[:-2] + [ids[-1], ids[-2]]
    reordered = await call("PATCH", s.api("/agenda"), s.tokens["admin"], json={"order": order})
    assert [i["id"] for i in reordered.body["items"]] == order
    assert [i["id"] for i in (await call("GET", s.api("/agenda"), chair)).body["items"]] == order
    assert_error(await call("PATCH", s.api("/agenda"), s.tokens["admin"], json={"order": ids[:-1]}), 422)


async def test_speaking_queue(demo_server: Server, call: Call, listen: Any) -> None:
    s, t = demo_server, demo_server.tokens
    display = await listen(s, t["display"])
    hgi = t["operators"]["HGI"]
    people = (await call("GET", s.api("/participants"), hgi)).body["items"]
    first, second, third = people[:3]
    for person in (first, second, third):
        await call("POST", s.api("/checkins"), hgi, json={"participant_id": person["id"]})
    a = (
        await call("POST", s.api("/speaking-requests"), hgi, json={"participant_id": first["id"], "topic": "Điều 3"})
    ).body
    b = (await call("POST", s.api("/speaking-requests"), hgi, json={"participant_id": second["id"]})).body
    order = await call(
        "POST", s.api("/speaking-requests"), hgi, json={"participant_id": third["id"], "point_of_order": True}
    )
    assert order.status == 201
    assert_error(
        await call("POST", s.api("/speaking-requests"), hgi, json={"participant_id": first["id"]}),
        409,
        "already_requested",
    )
    cto_person = (await call("GET", s.api("/participants"), t["operators"]["CTO"])).body["items"][0]
    assert_error(await call("POST", s.api("/speaking-requests"), hgi, json={"participant_id": cto_person["id"]}), 403)
    queue = (await call("GET", s.api("/speaking-requests"), t["display"])).body["items"]
    assert [r["id"] for r in queue] == [order.body["id"], a["id"], b["id"]]

    chair = t["chair"]
    assert (await call("PATCH", s.api(f"/speaking-requests/{a['id']}"), chair, json={"status": "granted"})).body[
        "status"
    ] == "granted"
    speaking = (await call("PATCH", s.api(f"/speaking-requests/{a['id']}"), chair, json={"status": "speaking"})).body
    assert speaking["started_at"]
    done = (await call("PATCH", s.api(f"/speaking-requests/{a['id']}"), chair, json={"status": "done"})).body
    assert done["finished_at"] and done["status"] == "done"
    assert_error(
        await call("PATCH", s.api(f"/speaking-requests/{a['id']}"), chair, json={"status": "speaking"}),
        409,
        "invalid_transition",
    )
    declined = await call("PATCH", s.api(f"/speaking-requests/{b['id']}"), chair, json={"status": "declined"})
    assert declined.body["status"] == "declined"
    moved = await call("PATCH", s.api(f"/speaking-requests/{order.body['id']}"), chair, json={"position": 1})
    assert moved.status == 200
    assert_error(
        await call(
            "PATCH",
            s.api(f"/speaking-requests/{b['id']}"),
            t["delegates"][next(iter(t["delegates"]))],
            json={"status": "done"},
        ),
        403,
    )
    changes = await display.wait_for("speaking.queue_changed", 8)
    assert changes[-1]["data"]["request"]["id"] == order.body["id"]


async def test_draft_upload_as_file_and_json(demo_server: Server, call: Call) -> None:
    s, admin = demo_server, demo_server.tokens["admin"]
    source = "Chương I\nQUY ĐỊNH CHUNG\n\nĐiều 1. Phạm vi\n\n1. Khoản một.\n\na) Điểm a;\n\nđ) Điểm đ.\n"
    form = aiohttp.FormData()
    form.add_field("file", source.encode(), filename="du-thao.md", content_type="text/markdown")
    # The demo workshop is open: its draft is what the comments point into, and stays.
    assert_error(await call("POST", s.api("/drafts"), admin, data=form), 409, "conference_open")
    fresh = await new_conference(call, s)
    first = await call(
        "POST", fresh.api("/drafts"), admin, json={"format": "markdown", "content": "Điều 1. Bản đầu\n\nĐiều 12. Sau"}
    )
    assert first.status == 201 and first.body["revision"] == 1
    uploaded = await call("POST", fresh.api("/drafts"), admin, data=form)
    assert uploaded.status == 201, uploaded.body
    assert uploaded.body["revision"] == 2
    anchors = [x["anchor"] for x in uploaded.body["sections"]]
    assert anchors == ["chuong-1", "dieu-1", "dieu-1.khoan-1", "dieu-1.khoan-1.diem-a", "dieu-1.khoan-1.diem-dd"]
    drafts = (await call("GET", fresh.api("/drafts"), admin)).body["items"]
    assert [d["revision"] for d in drafts] == [2, 1]
    bad = aiohttp.FormData()
    bad.add_field("file", b"\xff\xfe\x00binary", filename="x.txt", content_type="text/plain")
    assert_error(await call("POST", fresh.api("/drafts"), admin, data=bad), 422)
    assert (await call("POST", fresh.api("/open"), admin)).status == 200
    comment = await call(
        "POST",
        fresh.api("/comments"),
        fresh.delegate,
        json={"section_anchor": "dieu-1.khoan-1.diem-dd", "body": "Rõ hơn"},
    )
    assert comment.status == 201 and comment.body["draft_revision"] == 2
    assert_error(
        await call("POST", fresh.api("/comments"), fresh.delegate, json={"section_anchor": "dieu-12", "body": "Cũ"}),
        422,
    )


async def test_demo_is_seeded_once_and_tokens_survive_restart(tmp_path: Any, call: Call) -> None:
    first = await start_server(tmp_path / "demo")
    try:
        count = (await call("GET", first.api("/participants?limit=1000"), first.tokens["admin"])).body["total"]
        points = (await call("GET", first.api("/points"), first.tokens["admin"])).body["items"]
    finally:
        stop_server(first)
    assert count >= 60 and len([p for p in points if not p["is_host"]]) >= 6
    assert any(p["name"] == "Điểm cầu Hậu Giang" for p in points)
    second = await start_server(tmp_path / "demo")
    try:
        assert second.tokens == {**first.tokens, "base_url": second.base_url}
        again = (await call("GET", second.api("/participants?limit=1000"), first.tokens["operators"]["HGI"])).body
        assert again["total"] == 11
        assert (await call("GET", second.api("/participants?limit=1000"), first.tokens["admin"])).body["total"] == count
        conferences = (await call("GET", f"{second.base_url}/api/v1/conferences", first.tokens["admin"])).body
        assert conferences["total"] == 1
    finally:
        stop_server(second)


async def test_operators_file_input_only_for_people_present_at_their_point(demo_server: Server, call: Call) -> None:
    s, hgi = demo_server, demo_server.tokens["operators"]["HGI"]
    person = (await call("GET", s.api("/participants"), hgi)).body["items"][0]
    before = (await call("GET", s.api(), s.tokens["admin"])).body["seq"]
    for path, body in (("/remarks", {"title": "Ý kiến", "body": "Nội dung"}), ("/comments", {"body": "Góp ý chung"})):
        assert_error(
            await call("POST", s.api(path), hgi, json={**body, "participant_id": person["id"]}), 409, "not_present"
        )
    assert (await call("GET", s.api(), s.tokens["admin"])).body["seq"] == before
    await call("POST", s.api("/checkins"), hgi, json={"participant_id": person["id"]})
    for path, body in (("/remarks", {"title": "Ý kiến", "body": "Nội dung"}), ("/comments", {"body": "Góp ý chung"})):
        filed = await call("POST", s.api(path), hgi, json={**body, "participant_id": person["id"]})
        assert filed.status == 201 and filed.body["participant_id"] == person["id"]
    cto_person = (await call("GET", s.api("/participants"), s.tokens["operators"]["CTO"])).body["items"][0]
    assert_error(
        await call("POST", s.api("/comments"), hgi, json={"body": "x", "participant_id": cto_person["id"]}), 403
    )
