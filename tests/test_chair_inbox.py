"""The chair's inbox: filters and search, counts per article, duplicates, bulk rulings, pre-moderation, reopening."""
from __future__ import annotations

import unicodedata
from typing import Any

from server.simulate.loopback import Server
from tests.event_schemas import validate_event
from tests.support.api import assert_error, comment, people, point_ids, rule, seq
from tests.support.http import Call
from tests.support.realtime import Listener


async def listed(call: Call, s: Server, token: str, path: str = "/comments", **params: Any) -> dict[str, Any]:
    reply = await call("GET", s.api(path), token, params={k: str(v) for k, v in params.items()})
    assert reply.status == 200, reply.body
    return dict(reply.body)


async def ids_of(call: Call, s: Server, **params: Any) -> list[int]:
    return [c["id"] for c in (await listed(call, s, s.tokens["chair"], **params))["items"]]


def outsiders(s: Server, delegate: str) -> list[str]:
    return [delegate, s.tokens["operators"]["HGI"], s.tokens["display"]]


def all_valid(*listeners: Listener) -> None:
    for listener in listeners:
        for envelope in listener.events:
            validate_event(envelope)


async def test_comment_filters_search_and_paging(demo_server: Server, call: Call) -> None:
    s, chair = demo_server, demo_server.tokens["chair"]
    author, other = await people(call, s)
    c1 = await comment(
        call, s, author, "dieu-3", "Cần làm rõ cơ chế điều phối giữa hai bên.", "3. Hai bên cùng chủ trì."
    )
    c2 = await comment(call, s, author, "dieu-3.khoan-2", "Bổ sung thời hạn trả lời.")
    c3 = await comment(call, s, author, None, "Dự thảo cần ngắn gọn hơn.")
    c4 = await comment(
        call, s, other, "dieu-6.khoan-1", "Làm rõ trách nhiệm của công an tỉnh.", "1. Công an tỉnh chủ động."
    )
    c5 = await comment(call, s, other, "dieu-10", "Tách thành hai khoản.")
    c6 = await comment(call, s, other, "dieu-1", "Phạm vi còn hẹp.")
    c2 = await rule(call, s, c2, "accepted", "Tiếp thu.")
    everything = [c6["id"], c5["id"], c4["id"], c3["id"], c2["id"], c1["id"]]
    points = await point_ids(call, s)

    page = await listed(call, s, chair)
    assert [c["id"] for c in page["items"]] == everything and page["total"] == 6
    assert (page["limit"], page["offset"]) == (100, 0)
    first = next(c for c in page["items"] if c["id"] == c1["id"])
    assert (first["duplicate_of"], first["duplicates"], first["moderation"]) == (None, [], "approved")
    assert await ids_of(call, s, order="oldest") == everything[::-1]
    assert await ids_of(call, s, point_id=points["HGI"]) == [c3["id"], c2["id"], c1["id"]]
    assert await ids_of(call, s, article="dieu-3") == [c2["id"], c1["id"]]
    assert await ids_of(call, s, anchor="dieu-3") == [c1["id"]]
    # dieu-1 is a prefix of dieu-10 as text, not as a provision.
    assert await ids_of(call, s, article="dieu-1") == [c6["id"]]
    assert await ids_of(call, s, disposition="accepted") == [c2["id"]]
    assert await ids_of(call, s, disposition="none") == [i for i in everything if i != c2["id"]]
    assert await ids_of(call, s, has_proposed="true") == [c4["id"], c1["id"]]
    assert await ids_of(call, s, has_proposed="false") == [c6["id"], c5["id"], c3["id"], c2["id"]]
    assert await ids_of(call, s, article="dieu-3", has_proposed="false") == [c2["id"]]
    assert await ids_of(call, s, point_id=points["CTO"], disposition="none", has_proposed="false") == [
        c6["id"],
        c5["id"],
    ]
    for query in ("dieu phoi", "ĐIỀU PHỐI", unicodedata.normalize("NFD", "điều phối")):
        assert await ids_of(call, s, q=query) == [c1["id"]], query
    assert await ids_of(call, s, q="hai ben chu tri") == [c1["id"]]
    assert await ids_of(call, s, q="nghiem xuan") == [c3["id"], c2["id"], c1["id"]]
    assert await ids_of(call, s, q="Cần Thơ") == [c6["id"], c5["id"], c4["id"]]
    assert await ids_of(call, s, q="cần thơ", article="dieu-1") == [c6["id"]]
    assert await ids_of(call, s, q="không có đâu") == []

    two = await listed(call, s, chair, limit=2, offset=2)
    assert [c["id"] for c in two["items"]] == everything[2:4] and two["total"] == 6
    capped = await listed(call, s, chair, limit=100_000)
    assert capped["limit"] == 500 and len(capped["items"]) == 6
    for bad in ({"disposition": "maybe"}, {"has_proposed": "yes"}, {"order": "sideways"}, {"limit": "-1"},
                {"point_id": "x"}, {"moderation": "held"}):
        reply = await call("GET", s.api("/comments"), chair, params=bad)
        assert_error(reply, 422)
        assert set(bad) <= set(reply.body["error"]["details"])

    # Delegates keep seeing only their own, operators only their point's, with the same filters.
    assert [c["id"] for c in (await listed(call, s, other))["items"]] == [c6["id"], c5["id"], c4["id"]]
    assert [c["id"] for c in (await listed(call, s, other, q="dieu phoi"))["items"]] == []
    assert [c["id"] for c in (await listed(call, s, author, q="dieu phoi"))["items"]] == [c1["id"]]
    hgi = s.tokens["operators"]["HGI"]
    assert [c["id"] for c in (await listed(call, s, hgi, article="dieu-3"))["items"]] == [c2["id"], c1["id"]]
    assert (await listed(call, s, hgi))["total"] == 3
    assert_error(await call("GET", s.api("/comments"), hgi, params={"point_id": str(points["CTO"])}), 403)
    assert_error(await call("GET", s.api("/comments"), s.tokens["display"]), 403)


async def test_remark_filters(demo_server: Server, call: Call) -> None:
    s, chair = demo_server, demo_server.tokens["chair"]
    author, other = await people(call, s)
    item = (await call("GET", s.api("/agenda"), chair)).body["items"][2]
    paper = await call(
        "POST",
        s.api("/remarks"),
        author,
        json={"title": "Tham luận về điều phối", "body": "Kính thưa các đồng chí.", "agenda_item_id": item["id"]},
    )
    speech = await call("POST", s.api("/remarks"), other, json={"title": "Phát biểu", "body": "Thống nhất cao."})
    assert paper.status == speech.status == 201
    assert paper.body["moderation"] == "approved"
    points = await point_ids(call, s)

    async def remark_ids(token: str = chair, **params: Any) -> list[int]:
        return [r["id"] for r in (await listed(call, s, token, "/remarks", **params))["items"]]

    assert await remark_ids() == [speech.body["id"], paper.body["id"]]
    assert await remark_ids(order="oldest") == [paper.body["id"], speech.body["id"]]
    assert await remark_ids(agenda_item_id=item["id"]) == [paper.body["id"]]
    assert await remark_ids(point_id=points["CTO"]) == [speech.body["id"]]
    assert await remark_ids(q="ĐIỀU PHỐI") == await remark_ids(q="dieu phoi") == [paper.body["id"]]
    assert await remark_ids(q="thong nhat") == [speech.body["id"]]
    assert await remark_ids(other) == [speech.body["id"]]
    assert await remark_ids(s.tokens["operators"]["HGI"]) == [paper.body["id"]]
    assert (await listed(call, s, chair, "/remarks", limit=1))["total"] == 2
    assert_error(await call("GET", s.api("/remarks"), chair, params={"agenda_item_id": "first"}), 422)


async def test_counts_per_article_in_document_order(demo_server: Server, call: Call) -> None:
    s, chair = demo_server, demo_server.tokens["chair"]
    author, other = await people(call, s)
    drafts = (await call("GET", s.api("/drafts"), chair)).body["items"]
    draft = (await call("GET", s.api(f"/drafts/{drafts[0]['id']}"), chair)).body
    articles = [
        (x["anchor"], x["title"])
        for x in sorted(draft["sections"], key=lambda x: x["position"])
        if x["kind"] == "article"
    ]

    on_three = await comment(call, s, author, "dieu-3", "Nguyên tắc cần rõ hơn.", "Sửa thành…")
    await rule(call, s, on_three, "noted")
    await comment(call, s, other, "dieu-3.khoan-2", "Thêm thời hạn.")
    await comment(call, s, other, "dieu-10", "Trách nhiệm rõ hơn.", "Bổ sung…")
    await comment(call, s, author, None, "Dự thảo tốt.")
    await comment(call, s, author, "chuong-1", "Đổi tên chương.")

    reply = await call("GET", s.api("/comments/counts"), chair)
    assert reply.status == 200, reply.body
    counts = reply.body
    assert [(a["anchor"], a["title"]) for a in counts["articles"]] == articles
    assert [a["anchor"] for a in counts["articles"]][:4] == ["dieu-1", "dieu-2", "dieu-3", "dieu-4"]
    by_anchor = {a["anchor"]: (a["comments"], a["proposed"], a["ruled"]) for a in counts["articles"]}
    assert by_anchor["dieu-3"] == (2, 1, 1)
    assert by_anchor["dieu-10"] == (1, 1, 0)
    assert by_anchor["dieu-1"] == (0, 0, 0)
    assert (counts["general"], counts["other"], counts["total"]) == (1, 1, 5)
    admin = await call("GET", s.api("/comments/counts"), s.tokens["admin"])
    assert admin.body == counts
    for token in outsiders(s, author):
        assert_error(await call("GET", s.api("/comments/counts"), token), 403)


async def test_merge_and_unmerge(demo_server: Server, call: Call, listen: Any) -> None:
    s, chair = demo_server, demo_server.tokens["chair"]
    author, other = await people(call, s)
    author_socket: Listener = await listen(s, author)
    other_socket: Listener = await listen(s, other)
    c1 = await comment(call, s, author, "dieu-3", "Làm rõ nguyên tắc.")
    c2 = await comment(call, s, author, "dieu-3", "Nguyên tắc chưa rõ.")
    c3 = await comment(call, s, author, "dieu-4", "Ý khác.")
    c4 = await comment(call, s, other, "dieu-3", "Cũng về nguyên tắc.")

    def merge(m: dict[str, Any], into: int, revision: int | None = None, token: str = chair) -> Any:
        body = {"into": into, "revision": m["revision"] if revision is None else revision}
        return call("POST", s.api(f"/comments/{m['id']}/merge"), token, json=body)

    merged = await merge(c2, c1["id"])
    assert merged.status == 200, merged.body
    assert (merged.body["duplicate_of"], merged.body["revision"], merged.body["disposition"]) == (c1["id"], 2, None)
    rows = {c["id"]: c for c in (await listed(call, s, chair))["items"]}
    assert rows[c1["id"]]["duplicates"] == [c2["id"]] and rows[c1["id"]]["revision"] == 1
    events = await author_socket.wait_for("comment.merged")
    assert events[0]["data"]["id"] == c2["id"] and events[0]["data"]["duplicate_of"] == c1["id"]

    before = await seq(call, s)
    stale = await merge(c2, c1["id"], revision=1)
    assert_error(stale, 409, "revision_conflict")
    assert stale.body["error"]["details"]["current"]["revision"] == 2
    chained = await merge(c3, c2["id"])
    assert_error(chained, 422)
    assert "into" in chained.body["error"]["details"] and str(c1["id"]) in chained.body["error"]["message"]
    assert_error(await merge(c3, c3["id"]), 422)
    assert_error(await merge(c3, 999_999), 404)
    for body in ({}, {"into": str(c1["id"]), "revision": 1}, {"into": c1["id"]}, {"into": c1["id"], "revision": 0}):
        assert_error(await call("POST", s.api(f"/comments/{c3['id']}/merge"), chair, json=body), 422)
    assert_error(
        await call("POST", s.api(f"/comments/{c3['id']}/unmerge"), chair, json={"revision": 1}), 409, "not_a_duplicate"
    )
    assert_error(await call("POST", s.api(f"/comments/{c2['id']}/unmerge"), chair, json={}), 422)
    # A duplicate is ruled through the comment it was merged into, so the copies cannot disagree.
    refused = await call(
        "PATCH", s.api(f"/comments/{c2['id']}"), chair, json={"disposition": "noted", "response": "", "revision": 2}
    )
    assert_error(refused, 409, "duplicate_comment")
    for token in outsiders(s, author):
        assert_error(await merge(c3, c1["id"], token=token), 403)
        assert_error(await call("POST", s.api(f"/comments/{c2['id']}/unmerge"), token, json={"revision": 2}), 403)
    assert await seq(call, s) == before

    # Merging a comment that has duplicates moves them along: no chains.
    moved = await merge(c1, c4["id"])
    assert moved.status == 200 and moved.body["duplicate_of"] == c4["id"] and moved.body["duplicates"] == []
    rows = {c["id"]: c for c in (await listed(call, s, chair))["items"]}
    assert rows[c4["id"]]["duplicates"] == [c1["id"], c2["id"]]
    assert rows[c2["id"]]["duplicate_of"] == c4["id"] and rows[c2["id"]]["revision"] == 3

    back = await call("POST", s.api(f"/comments/{c2['id']}/unmerge"), s.tokens["admin"], json={"revision": 3})
    assert back.status == 200, back.body
    assert (back.body["duplicate_of"], back.body["revision"]) == (None, 4)
    assert (await author_socket.wait_for("comment.unmerged"))[0]["data"]["id"] == c2["id"]
    rows = {c["id"]: c for c in (await listed(call, s, chair))["items"]}
    assert rows[c4["id"]]["duplicates"] == [c1["id"]]
    # c1 and c2 moved to c4 with an event each; c4 itself did not change, so its author heard only of its submission.
    await author_socket.wait_for("comment.merged", 3)
    await other_socket.wait_for("comment.submitted")
    assert [e["type"] for e in other_socket.events if e["type"].startswith("comment.")] == ["comment.submitted"]
    all_valid(author_socket, other_socket)


async def test_ruling_a_target_rules_its_duplicates(demo_server: Server, call: Call, listen: Any) -> None:
    s, chair = demo_server, demo_server.tokens["chair"]
    author, other = await people(call, s)
    chair_socket: Listener = await listen(s, chair)
    other_socket: Listener = await listen(s, other)
    target = await comment(call, s, author, "dieu-5", "Bổ sung đảng viên trẻ.")
    copy = await comment(call, s, other, "dieu-5.khoan-1", "Cũng đề nghị bổ sung đảng viên trẻ.")
    merged = await call(
        "POST", s.api(f"/comments/{copy['id']}/merge"), chair, json={"into": target["id"], "revision": 1}
    )
    assert merged.status == 200

    ruled = await rule(call, s, target, "accepted", "Tiếp thu, bổ sung.")
    assert ruled["revision"] == 2 and ruled["duplicates"] == [copy["id"]]
    disposed = await other_socket.wait_for("comment.disposed")
    data = disposed[0]["data"]
    assert (data["id"], data["disposition"], data["response"], data["revision"], data["duplicate_of"]) == (
        copy["id"], "accepted", "Tiếp thu, bổ sung.", 3, target["id"]
    )
    both = await chair_socket.wait_for("comment.disposed", 2)
    assert [e["data"]["id"] for e in both] == [target["id"], copy["id"]]
    assert both[1]["seq"] == both[0]["seq"] + 1

    # A comment merged into a ruled one takes the ruling at once.
    late = await comment(call, s, author, "dieu-5", "Đảng viên trẻ.")
    taken = await call(
        "POST", s.api(f"/comments/{late['id']}/merge"), chair, json={"into": target["id"], "revision": 1}
    )
    assert (taken.body["disposition"], taken.body["response"], taken.body["revision"]) == (
        "accepted",
        "Tiếp thu, bổ sung.",
        2,
    )
    all_valid(chair_socket, other_socket)


async def test_bulk_rulings_are_all_or_nothing(demo_server: Server, call: Call, listen: Any) -> None:
    s, chair = demo_server, demo_server.tokens["chair"]
    author, other = await people(call, s)
    chair_socket: Listener = await listen(s, chair)
    made = [await comment(call, s, author if n % 2 else other, f"dieu-{n}", f"Góp ý số {n}.") for n in range(1, 5)]
    copy = await comment(call, s, other, "dieu-1", "Trùng ý số 1.")
    await call("POST", s.api(f"/comments/{copy['id']}/merge"), chair, json={"into": made[0]["id"], "revision": 1})
    early = await rule(call, s, made[1], "noted")

    def items(revisions: list[int]) -> list[dict[str, Any]]:
        return [{"id": m["id"], "revision": r, "disposition": "partly_accepted", "response": f"Tiếp thu ý {m['id']}."}
                for m, r in zip(made, revisions, strict=True)]

    before = await seq(call, s)
    stale = await call("PATCH", s.api("/comments"), chair, json={"items": items([1, 1, 1, 1])})
    assert_error(stale, 409, "revision_conflict")
    details = stale.body["error"]["details"]
    assert details["stale"] == [made[1]["id"]]
    assert [c["revision"] for c in details["current"]] == [early["revision"]]
    refusals = [
        ({}, 422), ({"items": []}, 422), ({"items": "all"}, 422), ({"items": [1]}, 422),
        ({"items": [{"id": made[0]["id"], "revision": 1}]}, 422),
        ({"items": items([1, 2, 1, 1])[:1] * 2}, 422),
        ({"items": [{**items([1, 2, 1, 1])[0], "disposition": "maybe"}]}, 422),
        ({"items": [{**items([1, 2, 1, 1])[0], "id": 999_999}]}, 404),
        ({"items": [{"id": copy["id"], "revision": 2, "disposition": "noted", "response": ""}]}, 409),
        ({"items": items([1, 2, 1, 1]) * 126}, 422),
    ]
    for body, status in refusals:
        assert_error(await call("PATCH", s.api("/comments"), chair, json=body), status)
    bad_item = await call(
        "PATCH", s.api("/comments"), chair, json={"items": [items([1, 2, 1, 1])[0], {"id": made[1]["id"]}]}
    )
    assert_error(bad_item, 422)
    assert "items[1].disposition" in bad_item.body["error"]["details"]
    for token in outsiders(s, author):
        assert_error(await call("PATCH", s.api("/comments"), token, json={"items": items([1, 2, 1, 1])}), 403)
    assert await seq(call, s) == before
    assert [c["disposition"] for c in (await listed(call, s, chair, order="oldest"))["items"]] == [
        None,
        "noted",
        None,
        None,
        None,
    ]

    done = await call("PATCH", s.api("/comments"), chair, json={"items": items([1, 2, 1, 1])})
    assert done.status == 200, done.body
    assert [(c["id"], c["revision"], c["disposition"]) for c in done.body["items"]] == [
        (made[0]["id"], 2, "partly_accepted"), (made[1]["id"], 3, "partly_accepted"),
        (made[2]["id"], 2, "partly_accepted"), (made[3]["id"], 2, "partly_accepted"),
    ]
    assert done.body["total"] == 4
    disposed = await chair_socket.wait_for("comment.disposed", 6)
    assert [e["data"]["id"] for e in disposed[1:]] == [made[0]["id"], copy["id"], *(m["id"] for m in made[1:])]
    rows = {c["id"]: c for c in (await listed(call, s, chair))["items"]}
    assert rows[copy["id"]]["response"] == f"Tiếp thu ý {made[0]['id']}." and rows[copy["id"]]["revision"] == 3
    all_valid(chair_socket)


async def test_premoderation(demo_server: Server, call: Call, listen: Any) -> None:
    s, chair = demo_server, demo_server.tokens["chair"]
    author, other = await people(call, s)
    author_socket: Listener = await listen(s, author)
    assert (await call("GET", s.api(), chair)).body["premoderation"] is False
    before = await seq(call, s)
    assert_error(await call("PATCH", s.api(), chair, json={"premoderation": "yes"}), 422)
    for token in outsiders(s, author):
        assert_error(await call("PATCH", s.api(), token, json={"premoderation": True}), 403)
    assert await seq(call, s) == before
    shown = await comment(call, s, author, "dieu-2", "Trước khi kiểm duyệt.")
    assert shown["moderation"] == "approved"

    on = await call("PATCH", s.api(), chair, json={"premoderation": True})
    assert on.status == 200 and on.body["premoderation"] is True
    held = await comment(call, s, author, "dieu-2", "Chờ duyệt.")
    doomed = await comment(call, s, other, "dieu-2.khoan-1", "Sẽ bị từ chối.")
    remark = await call("POST", s.api("/remarks"), author, json={"title": "Tham luận chờ duyệt", "body": "Nội dung."})
    assert held["moderation"] == doomed["moderation"] == remark.body["moderation"] == "pending"
    submitted = await author_socket.wait_for("comment.submitted", 2)
    assert submitted[-1]["data"]["moderation"] == "pending"

    async def article_two() -> int:
        counts = (await call("GET", s.api("/comments/counts"), chair)).body
        return int(next(a["comments"] for a in counts["articles"] if a["anchor"] == "dieu-2"))

    async def summary() -> dict[str, Any]:
        return dict((await call("GET", s.api("/summary.json"), chair)).body)

    assert await article_two() == 1
    preview = await summary()
    bodies = [r["body"] for g in preview["comments"] for r in g["rows"]]
    assert bodies == ["Trước khi kiểm duyệt."] and preview["remarks"] == []
    assert (
        preview["comment_totals"]["total"],
        preview["comment_totals"]["held"],
        preview["comment_totals"]["rejected"],
    ) == (1, 2, 0)
    assert await ids_of(call, s, moderation="pending") == [doomed["id"], held["id"]]

    before = await seq(call, s)
    for token in outsiders(s, author):
        assert_error(
            await call("POST", s.api(f"/comments/{held['id']}/moderate"), token, json={"decision": "approved"}), 403
        )
        assert_error(
            await call("POST", s.api(f"/remarks/{remark.body['id']}/moderate"), token, json={"decision": "approved"}),
            403,
        )
    for body in ({}, {"decision": "pending"}, {"decision": True}):
        assert_error(await call("POST", s.api(f"/comments/{held['id']}/moderate"), chair, json=body), 422)
    assert_error(await call("POST", s.api("/comments/999999/moderate"), chair, json={"decision": "approved"}), 404)
    assert await seq(call, s) == before

    approved = await call("POST", s.api(f"/comments/{held['id']}/moderate"), chair, json={"decision": "approved"})
    assert (approved.body["moderation"], approved.body["revision"]) == ("approved", 2)
    assert (await author_socket.wait_for("comment.moderated"))[0]["data"]["id"] == held["id"]
    rejected = await call(
        "POST", s.api(f"/comments/{doomed['id']}/moderate"), s.tokens["admin"], json={"decision": "rejected"}
    )
    assert rejected.body["moderation"] == "rejected"
    paper = await call("POST", s.api(f"/remarks/{remark.body['id']}/moderate"), chair, json={"decision": "approved"})
    assert paper.status == 200 and paper.body["moderation"] == "approved"
    assert (await author_socket.wait_for("remark.moderated"))[0]["data"]["id"] == remark.body["id"]
    again = await seq(call, s)
    repeat = await call("POST", s.api(f"/comments/{held['id']}/moderate"), chair, json={"decision": "approved"})
    assert repeat.body["revision"] == 2 and await seq(call, s) == again

    assert await article_two() == 2
    after = await summary()
    assert sorted(r["body"] for g in after["comments"] for r in g["rows"]) == ["Chờ duyệt.", "Trước khi kiểm duyệt."]
    assert [r["title"] for r in after["remarks"]] == ["Tham luận chờ duyệt"]
    assert (after["comment_totals"]["total"], after["comment_totals"]["held"], after["comment_totals"]["rejected"]) == (
        2,
        0,
        1,
    )

    off = await call("PATCH", s.api(), s.tokens["admin"], json={"premoderation": False})
    assert off.body["premoderation"] is False
    assert (await comment(call, s, author, None, "Sau khi tắt kiểm duyệt."))["moderation"] == "approved"
    # A comment keeps the number the chair's inbox gave it in the record, rejected ones before it counted still.
    inbox = {c["body"]: c["number"] for c in (await listed(call, s, chair))["items"]}
    record = {r["body"]: r["no"] for g in (await summary())["comments"] for r in g["rows"]}
    assert record == {"Trước khi kiểm duyệt.": 1, "Chờ duyệt.": 2, "Sau khi tắt kiểm duyệt.": 4}
    assert record == {body: inbox[body] for body in record}
    all_valid(author_socket)


async def test_reopen_collection_is_audited(demo_server: Server, call: Call, listen: Any) -> None:
    s, chair, admin = demo_server, demo_server.tokens["chair"], demo_server.tokens["admin"]
    author, _ = await people(call, s)
    display: Listener = await listen(s, s.tokens["display"])
    assert (await call("GET", s.api("/audit"), chair)).body == {"items": [], "total": 0}
    assert_error(await call("POST", s.api("/reopen-collection"), chair), 409, "invalid_state")

    closed = await call("POST", s.api("/close-collection"), chair)
    assert closed.status == 200 and closed.body["collection_closed_at"]
    assert_error(await call("POST", s.api("/comments"), author, json={"body": "Muộn."}), 409, "collection_closed")
    before = await seq(call, s)
    for token in outsiders(s, author):
        assert_error(await call("POST", s.api("/reopen-collection"), token), 403)
        assert_error(await call("GET", s.api("/audit"), token), 403)
    assert await seq(call, s) == before

    reopened = await call("POST", s.api("/reopen-collection"), admin)
    assert reopened.status == 200, reopened.body
    assert (reopened.body["status"], reopened.body["collection_closed_at"]) == ("open", None)
    assert (await comment(call, s, author, None, "Đã mở lại."))["moderation"] == "approved"
    changes = await display.wait_for("conference.state_changed", 2)
    assert [(e["data"]["previous"], e["data"]["status"]) for e in changes] == [
        ("open", "collection_closed"),
        ("collection_closed", "open"),
    ]

    audit = (await call("GET", s.api("/audit"), admin)).body
    assert [(e["action"], e["details"]["method"], e["details"]["path"], e["address"]) for e in audit["items"]] == [
        ("conference.control", "POST", f"/api/v1/conferences/{s.conference_id}/close-collection", "127.0.0.1"),
        ("conference.control", "POST", f"/api/v1/conferences/{s.conference_id}/reopen-collection", "127.0.0.1"),
    ]
    actors = [e["actor"] for e in audit["items"]]
    assert all(a.startswith("user:") for a in actors) and actors[0] != actors[1]
    assert audit["items"][0]["at"] <= audit["items"][1]["at"]

    spec = (await call("GET", f"{s.base_url}/api/v1/openapi.json")).body
    base = "/api/v1/conferences/{conference_id}"
    for path in (
        "/reopen-collection",
        "/audit",
        "/comments/counts",
        "/comments/{comment_id}/merge",
        "/remarks/{remark_id}/moderate",
    ):
        assert base + path in spec["paths"], path
    all_valid(display)


async def test_staff_endpoints_check_the_role_first(shared_server: Server, call: Call) -> None:
    s = shared_server
    delegate = next(iter(s.tokens["delegates"].values()))
    before = await seq(call, s)
    endpoints = [
        ("GET", "/comments/counts"), ("GET", "/audit"), ("PATCH", "/comments"), ("POST", "/comments/1/merge"),
        ("POST", "/comments/1/unmerge"), ("POST", "/comments/1/moderate"), ("POST", "/remarks/1/moderate"),
        ("POST", "/reopen-collection"),
    ]
    for method, path in endpoints:
        for token in outsiders(s, delegate):
            assert_error(await call(method, s.api(path), token, data=b"{not json"), 403)
        assert_error(await call(method, s.api(path), None, json={}), 401)
    assert await seq(call, s) == before
