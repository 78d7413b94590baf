"""Who works on what: secretaries, comments handed to them, drafted answers the chair approves, answer templates and
staff notes that never reach the author, the record or an export, through the API of one real server."""
from __future__ import annotations

import io
import zipfile
from typing import Any

import aiohttp

from server.simulate.loopback import Server
from tests.event_schemas import validate_event
from tests.support.accounts import secretary
from tests.support.api import assert_error, comment, people
from tests.support.http import Call
from tests.support.realtime import Listener

# Words no delegate, record or export may ever show.
SECRET_NOTE = "Ghi chú nội bộ: tác giả này hay gửi trùng"
SECRET_DRAFT = "Dự thảo chưa duyệt về thẩm quyền"


async def ok(call: Call, method: str, url: str, token: str, status: int = 200, **kwargs: Any) -> Any:
    reply = await call(method, url, token, **kwargs)
    assert reply.status == status, (method, url, reply.body)
    return reply.body


async def work_of(call: Call, s: Server, comment_id: int) -> dict[str, Any]:
    items = (await ok(call, "GET", s.api("/comment-work"), s.tokens["chair"]))["items"]
    return next(w for w in items if w["comment_id"] == comment_id)


async def ids(call: Call, s: Server, token: str, query: str) -> list[int]:
    return [c["id"] for c in (await ok(call, "GET", s.api(f"/comments?order=oldest&{query}"), token))["items"]]


async def test_secretaries_draft_what_they_are_handed_and_the_chair_approves(
    shared_server: Server, call: Call, listen: Any, http: aiohttp.ClientSession,
) -> None:
    s = shared_server
    chair, admin = s.tokens["chair"], s.tokens["admin"]
    author, other = await people(call, s)
    lan, lan_id = await secretary(call, s, "thu-ky-lan")
    minh, minh_id = await secretary(call, s, "thu-ky-minh")
    # A secretary reads the revised draft the answers are drafted towards, not the record, which is the chair's.
    assert (await call("GET", s.api("/drafts/revised"), lan)).status == 200
    assert_error(await call("GET", s.api("/summary.json"), lan), 403, "forbidden")
    staff_socket: Listener = await listen(s, chair)
    author_socket: Listener = await listen(s, author)

    first = await comment(call, s, author, "dieu-2", "Làm rõ phạm vi.")
    second = await comment(call, s, other, "dieu-3", "Bổ sung đối tượng.")
    third = await comment(call, s, author, None, "Góp ý chung về bố cục.")

    # The chair hands one comment to Lan, two to Minh in bulk; a secretary may not hand anything over.
    one = await ok(call, "PUT", s.api(f"/comments/{first['id']}/assignment"), chair, json={"assigned_to": lan_id})
    assert (one["assigned_to"], one["assignee"], one["draft"], one["notes"]) == (lan_id, "Thư ký thu-ky-lan", None, [])
    bulk = await ok(call, "POST", s.api("/comments/assign"), admin,
                    json={"comment_ids": [second["id"], third["id"]], "assigned_to": minh_id})
    assert [w["assigned_to"] for w in bulk["items"]] == [minh_id, minh_id] and bulk["total"] == 2
    refused = await call("PUT", s.api(f"/comments/{second['id']}/assignment"), lan, json={"assigned_to": lan_id})
    assert_error(refused, 403, "forbidden")
    missing = await call(
        "POST", s.api("/comments/assign"), chair, json={"comment_ids": [first["id"], 999999], "assigned_to": lan_id}
    )
    assert_error(missing, 404, "not_found")
    not_staff = await call("PUT", s.api(f"/comments/{first['id']}/assignment"), chair, json={"assigned_to": 999999})
    assert_error(not_staff, 422, "invalid")
    assert (await work_of(call, s, first["id"]))["assigned_to"] == lan_id

    # Templates: any of the staff saves them; the secretary drafts from one, but only on what it was handed.
    template = await ok(call, "POST", s.api("/answer-templates"), lan, 201, json={
        "title": "Tiếp thu, chỉnh lý", "disposition": "accepted", "response": "Ban soạn thảo tiếp thu, chỉnh lý."})
    edited = await ok(
        call,
        "PUT",
        s.api(f"/answer-templates/{template['id']}"),
        chair,
        json={
            "title": "Tiếp thu, chỉnh lý câu chữ",
            "disposition": "accepted",
            "response": "Ban soạn thảo tiếp thu, chỉnh lý câu chữ.",
        },
    )
    spare = await ok(
        call, "POST", s.api("/answer-templates"), minh, 201, json={"title": "Giải trình", "response": "Xin giải trình."}
    )
    await ok(call, "DELETE", s.api(f"/answer-templates/{spare['id']}"), minh)
    assert [t["title"] for t in (await ok(call, "GET", s.api("/answer-templates"), minh))["items"]] == [edited["title"]]
    assert_error(await call("GET", s.api("/answer-templates"), author), 403, "forbidden")

    not_hers = await call("PUT", s.api(f"/comments/{second['id']}/draft"), lan,
                          json={"disposition": "noted", "response": "Ghi nhận."})
    assert_error(not_hers, 403, "forbidden")
    drafted = await ok(call, "PUT", s.api(f"/comments/{first['id']}/draft"), lan,
                       json={"disposition": edited["disposition"], "response": edited["response"]})
    assert drafted["draft"]["disposition"] == "accepted" and drafted["draft"]["drafted_by"] == lan_id
    await ok(
        call,
        "PUT",
        s.api(f"/comments/{second['id']}/draft"),
        minh,
        json={"disposition": "noted", "response": SECRET_DRAFT},
    )
    wording = await call("PUT", s.api(f"/comments/{third['id']}/draft"), minh,
                         json={"disposition": "accepted", "response": "x", "adopted_text": "Lời văn khác."})
    assert_error(wording, 422, "invalid")
    note = await ok(call, "POST", s.api(f"/comments/{second['id']}/notes"), minh, 201, json={"body": SECRET_NOTE})
    assert [n["body"] for n in note["notes"]] == [SECRET_NOTE] and note["notes"][0]["author"] == "Thư ký thu-ky-minh"

    # The inbox's filters: handed to nobody, drafted, ruled.
    assert first["id"] in await ids(call, s, chair, "work=drafted")
    assert {first["id"], second["id"], third["id"]}.isdisjoint(await ids(call, s, chair, "work=unassigned"))
    assert await ids(call, s, lan, f"assigned_to={lan_id}") == [first["id"]]
    assert_error(await call("GET", s.api("/comments?work=maybe"), chair), 422, "invalid")

    # Only the chair approves: the ruling is the draft as it stands, and the author hears of the ruling alone.
    assert_error(
        await call("POST", s.api(f"/comments/{first['id']}/approve"), lan, json={"revision": first["revision"]}),
        403,
        "forbidden",
    )
    assert_error(
        await call("POST", s.api(f"/comments/{third['id']}/approve"), chair, json={"revision": third["revision"]}),
        409,
        "no_draft",
    )
    approved = await ok(
        call, "POST", s.api(f"/comments/{first['id']}/approve"), chair, json={"revision": first["revision"]}
    )
    assert (approved["disposition"], approved["response"]) == ("accepted", edited["response"])
    stale = await call("POST", s.api(f"/comments/{first['id']}/approve"), chair, json={"revision": first["revision"]})
    assert_error(stale, 409, "revision_conflict")
    assert first["id"] in await ids(call, s, chair, "work=ruled")
    assert first["id"] not in await ids(call, s, chair, "work=drafted")
    # The chair changes a draft by ruling otherwise, as on any comment.
    await ok(call, "PATCH", s.api(f"/comments/{second['id']}"), chair,
             json={"disposition": "declined", "response": "Xin giải trình.", "revision": second["revision"]})

    await author_socket.wait_for("comment.disposed")
    staff_events = await staff_socket.wait_for("comment.work_changed", 5)
    await staff_socket.wait_for("answer_template.changed", 4)
    for envelope in staff_events + await staff_socket.wait_for("answer_template.changed", 4):
        validate_event(envelope)
        assert envelope["stream"] == "staff"
    seen = str(author_socket.events)
    assert (
        "comment.work_changed" not in author_socket.types() and "answer_template.changed" not in author_socket.types()
    )
    assert SECRET_NOTE not in seen and SECRET_DRAFT not in seen and "assigned_to" not in seen
    mine = await ok(call, "GET", s.api("/comments"), author)
    assert SECRET_NOTE not in str(mine) and SECRET_DRAFT not in str(mine) and "assigned_to" not in str(mine)
    # A delegate's filter on the staff's work is ignored, so it tells them nothing.
    assert await ids(call, s, author, "work=drafted") == await ids(call, s, author, "")
    assert_error(await call("GET", s.api("/comment-work"), author), 403, "forbidden")
    assert_error(
        await call("POST", s.api(f"/comments/{first['id']}/notes"), author, json={"body": "x"}), 403, "forbidden"
    )

    # Never in the record or its exports.
    for fmt in ("json", "md", "html"):
        reply = await call("GET", s.api(f"/summary.{fmt}"), chair)
        assert reply.status == 200
        text = str(reply.body)
        assert SECRET_NOTE not in text and SECRET_DRAFT not in text and "Ghi chú nội bộ về" not in text, fmt
    async with http.get(s.api("/summary.docx"), headers={"Authorization": f"Bearer {chair}"}) as response:
        assert response.status == 200
        raw = await response.read()
    with zipfile.ZipFile(io.BytesIO(raw)) as docx:
        document = docx.read("word/document.xml").decode()
    assert SECRET_NOTE not in document and SECRET_DRAFT not in document

    # The audit trail says who handed over and who approved, in words.
    trail = str((await ok(call, "GET", s.api("/audit"), chair))["items"])
    assert "Giao các góp ý số" in trail and "Duyệt dự thảo: tiếp thu góp ý số" in trail and "Thêm mẫu trả lời" in trail
