"""Flows that hold on any server: each runs on the demo on SQLite in its own test module, and on PostgreSQL in
test_scale_out."""
from __future__ import annotations

import hashlib
from typing import Any

from server.simulate.loopback import Server
from tests.event_schemas import validate_event
from tests.support.api import delegate_ids
from tests.support.http import Call
from tests.support.realtime import Listener


async def roster(call: Call, server: Server, code: str) -> list[dict[str, Any]]:
    reply = await call("GET", server.api("/participants"), server.tokens["operators"][code])
    assert reply.status == 200
    return list(reply.body["items"])


async def demo_workshop_end_to_end(server: Server, call: Call, listen: Any) -> None:
    s, t = server, server.tokens
    chair: Listener = await listen(s, t["chair"])
    display: Listener = await listen(s, t["display"])
    cto_operator: Listener = await listen(s, t["operators"]["CTO"])
    delegates = await delegate_ids(call, s)
    author = delegates["Nghiêm Xuân Thành"]
    other = next(pid for name, pid in delegates.items() if name != "Nghiêm Xuân Thành")
    author_socket: Listener = await listen(s, t["delegates"][str(author)])
    other_socket: Listener = await listen(s, t["delegates"][str(other)])

    checked: dict[str, list[str]] = {}
    for code in ("HGI", "CTO"):
        people = await roster(call, s, code)
        for person in people[:5]:
            reply = await call("POST", s.api("/checkins"), t["operators"][code], json={"participant_id": person["id"]})
            assert reply.status == 201, reply.body
            assert reply.body["present"] is True
        checked[code] = sorted(p["full_name"] for p in people[:5])

    arrivals = await chair.wait_for("attendance.checked_in", 10)
    assert sorted(e["data"]["full_name"] for e in arrivals) == sorted(checked["HGI"] + checked["CTO"])
    totals = await display.totals_until(lambda t: t["present"] == 10)
    # Coalesced: a quarter second apart at least, each with the rows of the points that moved since the one before.
    assert len(totals) < 10 and {p["code"] for e in totals for p in e["data"]["points"]} == {"HGI", "CTO"}
    assert "attendance.checked_in" not in display.types()
    await cto_operator.totals_until(lambda t: t["present"] == 10)
    assert (
        sorted(e["data"]["full_name"] for e in cto_operator.events if e["type"] == "attendance.checked_in")
        == checked["CTO"]
    )

    sheet = (await call("GET", s.api("/attendance"), t["chair"])).body
    by_code = {p["code"]: p for p in sheet["points"]}
    assert by_code["HGI"]["present"] == 5 and by_code["CTO"]["present"] == 5 and by_code["BCA"]["present"] == 0
    assert sheet["totals"]["present"] == 10

    agenda = (await call("GET", s.api("/agenda"), t["display"])).body["items"]
    first = await call("POST", s.api("/agenda/next"), t["chair"], json={"expected_current_id": None})
    assert first.status == 200 and first.body["current"]["id"] == agenda[0]["id"]
    second = await call("POST", s.api("/agenda/next"), t["chair"], json={"expected_current_id": agenda[0]["id"]})
    assert second.body["current"]["id"] == agenda[1]["id"]
    started = await display.wait_for("agenda.item_started", 2)
    assert [e["data"]["id"] for e in started] == [agenda[0]["id"], agenda[1]["id"]]

    me = t["delegates"][str(author)]
    remark = await call(
        "POST",
        s.api("/remarks"),
        me,
        json={
            "title": "Tham luận của Tỉnh ủy Hậu Giang",
            "body": "Đề nghị sớm ban hành quy chế.",
            "agenda_item_id": agenda[2]["id"],
        },
    )
    assert remark.status == 201, remark.body
    comments = []
    for anchor, body, proposed in (
        ("dieu-3", "Cần nêu rõ nguyên tắc phối hợp.", None),
        (
            "dieu-6.khoan-1.diem-dd",
            "Bổ sung bước trao đổi trực tiếp.",
            "đ) Hai bên trao đổi trực tiếp trước khi quyết định;",
        ),
        (None, "Dự thảo cần ngắn gọn hơn.", None),
    ):
        reply = await call(
            "POST", s.api("/comments"), me, json={"section_anchor": anchor, "body": body, "proposed_text": proposed}
        )
        assert reply.status == 201, reply.body
        assert reply.body["revision"] == 1 and reply.body["draft_revision"] == 1
        comments.append(reply.body)
    await chair.wait_for("comment.submitted", 3)
    await chair.wait_for("remark.submitted")
    await author_socket.wait_for("comment.submitted", 3)
    assert "comment.submitted" not in other_socket.types() and "remark.submitted" not in display.types()

    rulings = [
        ("accepted", "Tiếp thu, bổ sung vào Điều 3."),
        ("partly_accepted", "Tiếp thu một phần."),
        ("noted", "Ghi nhận."),
    ]
    for comment, (disposition, response) in zip(comments, rulings, strict=True):
        reply = await call(
            "PATCH", s.api(f"/comments/{comment['id']}"), t["chair"],
            json={"disposition": disposition, "response": response, "revision": comment["revision"]},
        )
        assert reply.status == 200 and reply.body["revision"] == 2 and reply.body["disposition"] == disposition
    disposed = await author_socket.wait_for("comment.disposed", 3)
    assert [e["data"]["disposition"] for e in disposed] == ["accepted", "partly_accepted", "noted"]

    closing = await call("POST", s.api("/close-collection"), t["chair"])
    assert closing.status == 200 and closing.body["status"] == "collection_closed"
    late = await call("POST", s.api("/comments"), me, json={"body": "Góp ý muộn."})
    assert late.status == 409 and late.body["error"]["code"] == "collection_closed"
    closed = await call("POST", s.api("/close"), t["chair"])
    assert closed.status == 200 and closed.body["status"] == "closed"
    await chair.wait_for("summary.ready")

    summary = (await call("GET", s.api("/summary.json"), t["chair"])).body
    markdown = (await call("GET", s.api("/summary.md"), t["chair"])).body
    # The download carries its checksum on a last line; the checksum is of the record above it.
    seal = f"\nMã kiểm tra (SHA-256): {summary['sha256']}\n"
    assert markdown.endswith(seal)
    assert summary["sha256"] == hashlib.sha256(markdown[: -len(seal)].encode()).hexdigest()
    assert summary["frozen"] is True and summary["frozen_at"]
    points = {
        p["code"]: (p["expected"], p["invited_present"], p["absent"], p["people"])
        for p in summary["attendance"]["points"]
    }
    assert points["HGI"] == (11, 5, 6, 5) and points["CTO"] == (11, 5, 6, 5) and points["AGG"] == (11, 0, 11, 0)
    assert summary["attendance"]["totals"]["invited_present"] == 10
    # The close ends the item still running, at the close time: the record holds no item without its end.
    assert [(i["title"], i["status"]) for i in summary["agenda"][:3]] == [
        (agenda[0]["title"], "done"), (agenda[1]["title"], "done"), (agenda[2]["title"], "pending"),
    ]
    assert summary["agenda"][1]["finished_at"] == summary["frozen_at"]
    assert [(r["title"], r["author"], r["point"], r["body"]) for r in summary["remarks"]] == [
        ("Tham luận của Tỉnh ủy Hậu Giang", "Nghiêm Xuân Thành", "Điểm cầu Hậu Giang", "Đề nghị sớm ban hành quy chế.")
    ]
    rows = [row for group in summary["comments"] for row in group["rows"]]
    assert [
        (
            r["no"],
            r["anchor"],
            r["body"],
            r["authors"][0]["name"],
            r["authors"][0]["point"],
            r["proposed_text"],
            r["disposition"],
            r["response"],
        )
        for r in rows
    ] == [
        # Numbered as they came in (the inbox's numbers), listed in the draft's order.
        (3, None, "Dự thảo cần ngắn gọn hơn.", "Nghiêm Xuân Thành", "Điểm cầu Hậu Giang", None, "noted", "Ghi nhận."),
        (
            1,
            "dieu-3",
            "Cần nêu rõ nguyên tắc phối hợp.",
            "Nghiêm Xuân Thành",
            "Điểm cầu Hậu Giang",
            None,
            "accepted",
            "Tiếp thu, bổ sung vào Điều 3.",
        ),
        (
            2,
            "dieu-6.khoan-1.diem-dd",
            "Bổ sung bước trao đổi trực tiếp.",
            "Nghiêm Xuân Thành",
            "Điểm cầu Hậu Giang",
            "đ) Hai bên trao đổi trực tiếp trước khi quyết định;",
            "partly_accepted",
            "Tiếp thu một phần.",
        ),
    ]
    assert "Điều 6, khoản 1, điểm đ" in markdown and "Nghiêm Xuân Thành" in markdown
    html = (await call("GET", s.api("/summary.html"), t["chair"])).body
    assert summary["sha256"] in html and "Dự thảo cần ngắn gọn hơn." in html

    again = await call("GET", s.api("/summary.md"), t["chair"])
    assert again.body == markdown
    log = (await call("GET", s.api("/events?after=0"), t["chair"])).body
    assert [e["seq"] for e in log["items"]] == list(range(1, log["seq"] + 1))
    for envelope in log["items"]:
        validate_event(envelope)
    for listener in (chair, display, cto_operator, author_socket, other_socket):
        seqs = [e["seq"] for e in listener.events]
        assert seqs == sorted(set(seqs))
        for envelope in listener.events:
            validate_event(envelope)


async def rejoin_replays_exactly_the_missed_events(server: Server, call: Call, listen: Any) -> None:
    s, t = server, server.tokens
    chair = await listen(s, t["chair"])
    people = (await call("GET", s.api("/participants"), t["operators"]["HGI"])).body["items"]
    await call("POST", s.api("/checkins"), t["operators"]["HGI"], json={"participant_id": people[0]["id"]})
    await chair.wait_for("attendance.totals_changed")
    last = chair.events[-1]["seq"]
    await chair.client.disconnect()

    await call("POST", s.api("/agenda/next"), t["chair"], json={"expected_current_id": None})
    await call(
        "POST", s.api(f"/points/{people[0]['point_id']}/status"), t["operators"]["HGI"], json={"link": "degraded"}
    )
    missed = await call("GET", s.api(f"/events?after={last}"), t["chair"])
    assert [e["type"] for e in missed.body["items"]] == ["agenda.item_started", "point.status_changed"]
    await call("DELETE", s.api(f"/checkins/{people[0]['id']}"), t["operators"]["HGI"])

    back = await listen(s, t["chair"], after_seq=last)
    # The totals follow the check-out within a quarter second: replayed, or pushed just after the join.
    totals = await back.wait_for("attendance.totals_changed", timeout=2)
    assert [p["point_id"] for p in totals[0]["data"]["points"]] == [people[0]["point_id"]]
    assert [e["type"] for e in back.events] == [
        "agenda.item_started",
        "point.status_changed",
        "attendance.checked_out",
        "attendance.totals_changed",
    ]
    assert [e["seq"] for e in back.events] == list(range(last + 1, last + 5))


async def rejoin_sees_only_what_the_role_may_see(server: Server, call: Call, listen: Any) -> None:
    s, t = server, server.tokens
    start = (await call("GET", s.api(), t["admin"])).body["seq"]
    people = (await call("GET", s.api("/participants"), t["operators"]["HGI"])).body["items"]
    await call("POST", s.api("/checkins"), t["operators"]["HGI"], json={"participant_id": people[0]["id"]})
    display = await listen(s, t["display"], after_seq=start)
    await display.wait_for("attendance.totals_changed", timeout=2)
    assert [e["type"] for e in display.events] == ["attendance.totals_changed"]
    other_operator = await listen(s, t["operators"]["CTO"], after_seq=start)
    assert [e["type"] for e in other_operator.events if e["type"].startswith("attendance.")] == [
        "attendance.totals_changed"
    ]
