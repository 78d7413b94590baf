"""Proposals that change the draft's structure, the chair's counter-wording, the secretariat's own proposals, and the
author's answer to a ruling (PROTOCOL v1.1), through the API of one real server."""
from __future__ import annotations

from typing import Any

from server.simulate.loopback import Server
from tests.event_schemas import validate_event
from tests.support.api import assert_error, people, point_ids
from tests.support.http import Call
from tests.support.realtime import Listener


async def submit(call: Call, s: Server, token: str, body: dict[str, Any]) -> Any:
    return await call("POST", s.api("/comments"), token, json=body)


async def created(call: Call, s: Server, token: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = await submit(call, s, token, body)
    assert reply.status == 201, reply.body
    return dict(reply.body)


async def count(call: Call, s: Server) -> int:
    return int((await call("GET", s.api("/comments"), s.tokens["chair"])).body["total"])


async def ruled(call: Call, s: Server, item: dict[str, Any], disposition: str, **extra: Any) -> Any:
    return await call(
        "PATCH",
        s.api(f"/comments/{item['id']}"),
        s.tokens["chair"],
        json={"disposition": disposition, "response": "Ý kiến xử lý.", "revision": item["revision"], **extra},
    )


async def answer(call: Call, s: Server, token: str, item: dict[str, Any], body: dict[str, Any]) -> Any:
    return await call("PUT", s.api(f"/comments/{item['id']}/author-answer"), token, json=body)


async def test_each_kind_is_stored_and_echoed_and_each_bad_one_refused(shared_server: Server, call: Call) -> None:
    s = shared_server
    author, _ = await people(call, s)
    replace = await created(call, s, author, {"section_anchor": "dieu-3.khoan-2", "body": "Sửa lại.",
                                              "proposal": {"kind": "replace", "text": "2. Nội dung mới."}})
    assert replace["proposal"] == {"kind": "replace", "text": "2. Nội dung mới."}
    assert replace["proposed_text"] == "2. Nội dung mới." and replace["author_kind"] == "participant"
    shorthand = await created(
        call, s, author, {"section_anchor": "dieu-3", "body": "Ngắn gọn.", "proposed_text": "Điều 3. Mới"}
    )
    assert shorthand["proposal"] == {"kind": "replace", "text": "Điều 3. Mới"}
    insert = await created(call, s, author, {"section_anchor": "dieu-4.khoan-3.diem-b", "body": "Thêm một điểm.",
                                             "proposal": {"kind": "insert_after", "text": "Phối hợp kiểm tra."}})
    assert insert["proposal"] == {"kind": "insert_after", "text": "Phối hợp kiểm tra."}
    delete = await created(
        call, s, author, {"section_anchor": "dieu-5", "body": "Trùng Điều 4.", "proposal": {"kind": "delete"}}
    )
    assert (delete["proposal"], delete["proposed_text"]) == ({"kind": "delete", "text": None}, None)
    plain = await created(call, s, author, {"section_anchor": None, "body": "Góp ý chung."})
    assert (plain["proposal"], plain["adopted_text"], plain["author_answer"]) == (None, None, None)
    listed = (await call("GET", s.api("/comments?anchor=dieu-5"), s.tokens["chair"])).body["items"]
    assert [c["proposal"] for c in listed] == [{"kind": "delete", "text": None}]
    assert [
        c["id"] for c in (await call("GET", s.api("/comments?has_proposed=true"), s.tokens["chair"])).body["items"]
    ] == [delete["id"], insert["id"], shorthand["id"], replace["id"]]

    before = await count(call, s)
    bad = [
        ({"section_anchor": "dieu-3", "body": "x", "proposal": {"kind": "move", "text": "y"}}, "proposal.kind"),
        ({"section_anchor": "dieu-3", "body": "x", "proposal": {"kind": "insert_after"}}, "proposal.text"),
        ({"section_anchor": "dieu-3", "body": "x", "proposal": {"kind": "replace", "text": "  "}}, "proposal.text"),
        ({"section_anchor": "dieu-3", "body": "x", "proposal": {"kind": "delete", "text": "y"}}, "proposal.text"),
        ({"section_anchor": None, "body": "x", "proposal": {"kind": "replace", "text": "y"}}, "section_anchor"),
        ({"body": "x", "proposed_text": "y"}, "section_anchor"),
        ({"section_anchor": "dieu-99", "body": "x", "proposal": {"kind": "delete"}}, "section_anchor"),
        (
            {"section_anchor": "chuong-2", "body": "x", "proposal": {"kind": "insert_after", "text": "Chương mới"}},
            "proposal.kind",
        ),
        ({"section_anchor": "chuong-2.muc-1", "body": "x", "proposal": {"kind": "delete"}}, "proposal.kind"),
        ({"section_anchor": "dieu-3", "body": "x", "proposal": "delete"}, "proposal"),
        ({"section_anchor": "dieu-3", "body": "x", "proposal": {"kind": "delete", "why": 1}}, "proposal.why"),
        (
            {"section_anchor": "dieu-3", "body": "x", "proposal": {"kind": "delete"}, "proposed_text": "y"},
            "proposed_text",
        ),
    ]
    for body, field in bad:
        reply = await submit(call, s, author, body)
        assert_error(reply, 422, "invalid")
        assert field in reply.body["error"]["details"], (body, reply.body)
    assert await count(call, s) == before


async def test_counter_wording_is_stored_and_in_the_record(shared_server: Server, call: Call) -> None:
    s = shared_server
    author, _ = await people(call, s)
    proposal = await created(call, s, author, {"section_anchor": "dieu-6.khoan-2", "body": "Nói rõ thời hạn.",
                                               "proposal": {"kind": "replace", "text": "2. Trong 10 ngày."}})
    delete = await created(call, s, author, {"section_anchor": "dieu-6.khoan-3", "body": "Bỏ khoản này.",
                                             "proposal": {"kind": "delete"}})
    general = await created(call, s, author, {"body": "Góp ý chung không đề xuất."})
    # Refused, and nothing ruled: another disposition, a deletion, a comment without wording, a bad item in a bulk.
    assert_error(await ruled(call, s, proposal, "accepted", adopted_text="2. Khác."), 422, "invalid")
    assert_error(await ruled(call, s, delete, "partly_accepted", adopted_text="3. Khác."), 422, "invalid")
    assert_error(await ruled(call, s, general, "partly_accepted", adopted_text="Khác."), 422, "invalid")
    bulk = await call("PATCH", s.api("/comments"), s.tokens["chair"], json={"items": [
        {"id": proposal["id"], "disposition": "partly_accepted", "revision": 1, "adopted_text": "2. Trong 15 ngày."},
        {"id": delete["id"], "disposition": "declined", "revision": 1, "adopted_text": "x"},
    ]})
    assert_error(bulk, 422, "invalid")
    assert "items[1].adopted_text" in bulk.body["error"]["details"]
    for item in (proposal, delete, general):
        current = (
            await call(
                "GET",
                s.api(f"/comments?anchor={item['section_anchor']}" if item["section_anchor"] else "/comments"),
                s.tokens["chair"],
            )
        ).body["items"]
        assert next(c for c in current if c["id"] == item["id"])["revision"] == 1

    reply = await ruled(call, s, proposal, "partly_accepted", adopted_text="2. Trong 15 ngày làm việc.")
    assert reply.status == 200, reply.body
    assert reply.body["adopted_text"] == "2. Trong 15 ngày làm việc."
    summary = (await call("GET", s.api("/summary.json"), s.tokens["chair"])).body
    row = next(r for g in summary["comments"] for r in g["rows"] if r["id"] == proposal["id"])
    assert (row["adopted_text"], row["proposal_kind"]) == ("2. Trong 15 ngày làm việc.", "replace")
    deleted = next(r for g in summary["comments"] for r in g["rows"] if r["id"] == delete["id"])
    assert (deleted["proposal_kind"], deleted["proposed_text"]) == ("delete", None)
    markdown = (await call("GET", s.api("/summary.md"), s.tokens["chair"])).body
    assert "Nội dung tiếp thu:<br>2\\. Trong 15 ngày làm việc." in markdown
    assert "Đề nghị bỏ quy định này." in markdown
    # A new ruling without it clears the counter-wording.
    again = await ruled(call, s, reply.body, "accepted")
    assert again.status == 200 and again.body["adopted_text"] is None


async def test_the_secretariats_proposal_is_listed_ruled_and_in_the_record(
    shared_server: Server, call: Call, listen: Any
) -> None:
    s, chair = shared_server, shared_server.tokens["chair"]
    author, _ = await people(call, s)
    chair_socket: Listener = await listen(s, chair)
    author_socket: Listener = await listen(s, author)
    before = await count(call, s)
    bad = [
        ({"kind": "replace", "text": "x", "reason": "r"}, "section_anchor"),
        ({"section_anchor": "dieu-2", "kind": "rewrite", "text": "x", "reason": "r"}, "kind"),
        ({"section_anchor": "dieu-2", "kind": "delete", "text": "x", "reason": "r"}, "text"),
        ({"section_anchor": "dieu-2", "kind": "insert_after", "reason": "r"}, "text"),
        ({"section_anchor": "dieu-2", "kind": "delete"}, "reason"),
        ({"section_anchor": "dieu-77", "kind": "delete", "reason": "r"}, "section_anchor"),
        ({"section_anchor": "chuong-1", "kind": "delete", "reason": "r"}, "kind"),
    ]
    for body, field in bad:
        reply = await call("POST", s.api("/change-proposals"), s.tokens["admin"], json=body)
        assert_error(reply, 422, "invalid")
        assert field in reply.body["error"]["details"], (body, reply.body)
    for outsider in (author, s.tokens["operators"]["HGI"], s.tokens["display"]):
        assert_error(await call("POST", s.api("/change-proposals"), outsider,
                                json={"section_anchor": "dieu-2", "kind": "delete", "reason": "r"}), 403)
    assert await count(call, s) == before

    reply = await call("POST", s.api("/change-proposals"), chair, json={
        "section_anchor": "dieu-2.khoan-4", "kind": "insert_after", "text": "Khoản mới về giải thích từ ngữ.",
        "reason": "Bổ sung để thống nhất cách hiểu.",
    })
    assert reply.status == 201, reply.body
    made = reply.body
    assert (made["author"], made["author_kind"], made["participant_id"], made["point_id"], made["point"]) == (
        "Ban soạn thảo", "secretariat", None, None, None)
    assert made["number"] == before + 1 and made["body"] == "Bổ sung để thống nhất cách hiểu."
    assert made["proposal"] == {"kind": "insert_after", "text": "Khoản mới về giải thích từ ngữ."}
    inbox = (await call("GET", s.api("/comments?q=ban soạn thảo"), chair)).body["items"]
    assert [c["id"] for c in inbox] == [made["id"]]
    assert made["id"] not in [c["id"] for c in (await call("GET", s.api("/comments"), author)).body["items"]]
    counted = (await call("GET", s.api("/comments/counts"), chair)).body
    assert next(a for a in counted["articles"] if a["anchor"] == "dieu-2")["proposed"] >= 1

    ruling = await ruled(call, s, made, "partly_accepted", adopted_text="Khoản mới, viết gọn.")
    assert ruling.status == 200, ruling.body
    assert_error(await answer(call, s, author, ruling.body, {"agrees": True}), 403)
    await chair_socket.wait_for("comment.disposed")
    for listener in (chair_socket, author_socket):
        for envelope in listener.events:
            validate_event(envelope)
    # Staff only: no participant wrote it, and comments are never public.
    assert made["id"] not in [e["data"]["id"] for e in author_socket.events if e["type"].startswith("comment.")]
    assert made["id"] in [e["data"]["id"] for e in chair_socket.events if e["type"] == "comment.submitted"]

    summary = (await call("GET", s.api("/summary.json"), chair)).body
    row = next(r for g in summary["comments"] for r in g["rows"] if r["id"] == made["id"])
    assert row["authors"] == [{"name": "Ban soạn thảo", "organization": None, "point": None}]
    assert summary["comment_totals"]["secretariat"] == 1
    assert "Ban soạn thảo" not in [p["point"] for p in summary["comments_by_point"]]
    statement = summary["closing_statement"]["text"]
    assert f"nhận được {summary['comment_totals']['total'] - 1} ý kiến góp ý" in statement
    assert "Ban soạn thảo đề xuất thêm 1 nội dung sửa đổi." in statement
    markdown = (await call("GET", s.api("/summary.md"), chair)).body
    assert f"| {made['number']} | Điều 2, khoản 4 | Bổ sung để thống nhất cách hiểu. | Ban soạn thảo |" in markdown
    html = (await call("GET", s.api("/summary.html"), chair)).body
    assert "Đề nghị bổ sung quy định mới sau quy định này:" in html
    trail = (await call("GET", s.api("/audit"), s.tokens["admin"])).body["items"]
    assert any(
        e["sentence"] == f"Ghi đề xuất số {made['number']} của Ban soạn thảo (Điều 2, khoản 4): bổ sung quy định mới "
        "sau quy định này"
        for e in trail
    )


async def test_the_author_answers_the_ruling_until_the_close(shared_server: Server, call: Call, listen: Any) -> None:
    s, chair = shared_server, shared_server.tokens["chair"]
    author, other = await people(call, s)
    operator = s.tokens["operators"]["HGI"]
    # Check-ins need the workshop open; the demo may start before it.
    await call("POST", s.api("/open"), chair)
    mine = await created(call, s, author, {"section_anchor": "dieu-1", "body": "Phạm vi hẹp."})
    # Not before a ruling, and only by the author.
    assert_error(await answer(call, s, author, mine, {"agrees": True}), 409, "not_ruled")
    ruling = (await ruled(call, s, mine, "declined")).body
    author_socket: Listener = await listen(s, author)
    for stranger in (other, operator, chair, s.tokens["admin"], s.tokens["display"]):
        assert_error(await answer(call, s, stranger, ruling, {"agrees": True}), 403)
    assert_error(await answer(call, s, author, ruling, {"text": "Thiếu agrees"}), 422, "invalid")
    assert_error(await answer(call, s, author, ruling, {"agrees": "yes"}), 422, "invalid")

    reply = await answer(call, s, author, ruling, {"agrees": False, "text": "Đề nghị xem xét lại."})
    assert reply.status == 200, reply.body
    answered = reply.body
    assert answered["author_answer"]["agrees"] is False and answered["author_answer"]["text"] == "Đề nghị xem xét lại."
    assert answered["revision"] == ruling["revision"] + 1
    [event] = await author_socket.wait_for("comment.answered")
    validate_event(event)
    markdown = (await call("GET", s.api("/summary.md"), chair)).body
    assert "Ý kiến của người góp ý: không đồng ý – Đề nghị xem xét lại." in markdown

    # The operator who filed a comment for someone at its point answers for them; the operator of another point not.
    points = await point_ids(call, s)
    person = next(
        p["id"]
        for p in (await call("GET", s.api(f"/participants?point_id={points['HGI']}"), operator)).body["items"]
        if str(p["id"]) not in s.tokens["delegates"]
    )
    checked = await call("POST", s.api("/checkins"), operator, json={"participant_id": person})
    assert checked.status == 201, checked.body
    filed = await created(
        call, s, operator, {"participant_id": person, "section_anchor": "dieu-2", "body": "Thay mặt."}
    )
    filed = (await ruled(call, s, filed, "accepted")).body
    assert_error(await answer(call, s, s.tokens["operators"]["CTO"], filed, {"agrees": True}), 403)
    agreed = await answer(call, s, operator, filed, {"agrees": True})
    assert agreed.status == 200 and agreed.body["author_answer"]["text"] is None

    assert (await call("POST", s.api("/close"), chair)).status == 200
    assert_error(await answer(call, s, author, answered, {"agrees": True}), 409, "conference_closed")
