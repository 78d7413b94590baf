"""Role violations, bad input and idempotent retries: each refused in the error shape, changing nothing."""
from __future__ import annotations

import io
import json
from typing import Any

import pytest

from server.simulate.loopback import Server
from tests.support.api import assert_error, first_at, point_ids, seq
from tests.support.http import Call


async def test_roles_are_enforced(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    before = await seq(call, s)
    cto_person = await first_at(call, s, "CTO")
    ids = await point_ids(call, s)
    delegate = next(iter(t["delegates"].values()))
    refusals = [
        ("POST", "/checkins", t["operators"]["HGI"], {"participant_id": cto_person}, 403),
        ("DELETE", f"/checkins/{cto_person}", t["operators"]["HGI"], None, 403),
        ("POST", f"/points/{ids['CTO']}/status", t["operators"]["HGI"], {"link": "down"}, 403),
        ("GET", f"/participants?point_id={ids['CTO']}", t["operators"]["HGI"], None, 403),
        ("PATCH", "/comments/1", delegate, {"disposition": "accepted", "response": "", "revision": 1}, 403),
        ("POST", "/agenda/next", delegate, {"expected_current_id": None}, 403),
        ("POST", "/checkins", t["display"], {"participant_id": cto_person}, 403),
        ("POST", "/comments", t["display"], {"body": "x"}, 403),
        ("POST", "/agenda", t["display"], {"title": "x", "kind": "other", "planned_minutes": 5}, 403),
        ("POST", "/close", t["display"], None, 403),
        ("POST", "/close", t["operators"]["HGI"], None, 403),
        ("GET", "/summary.json", t["display"], None, 403),
        ("GET", "/attendance", delegate, None, 403),
        ("POST", "/invitations", t["chair"], {"role": "display"}, 403),
        ("POST", "/checkins", None, {"participant_id": cto_person}, 401),
        ("POST", "/checkins", "not-a-token", {"participant_id": cto_person}, 401),
        ("GET", "/attendance", None, None, 401),
    ]
    for method, path, token, body, status in refusals:
        reply = await call(method, s.api(path), token, json=body)
        assert_error(reply, status)
    assert_error(await call("GET", f"{s.base_url}/api/v1/conferences/999", t["operators"]["HGI"]), 403)
    assert await seq(call, s) == before


async def test_role_checks_come_before_validation(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    assert_error(await call("POST", s.api("/checkins"), t["display"], data=b"{not json"), 403)
    assert_error(await call("POST", s.api("/checkins"), None, json={"participant_id": "x"}), 401)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "participant_id"),
        ({"participant_id": "12"}, "participant_id"),
        ({"participant_id": True}, "participant_id"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "Lê\u0000Văn"}, "full_name"),
        ({"full_name": 12}, "full_name"),
    ],
)
async def test_bad_checkin_bodies(shared_server: Server, call: Call, body: dict[str, Any], field: str) -> None:
    s = shared_server
    before = await seq(call, s)
    reply = await call("POST", s.api("/checkins"), s.tokens["operators"]["HGI"], json=body)
    assert_error(reply, 422)
    assert field in reply.body["error"]["details"]
    assert await seq(call, s) == before


async def test_bad_requests_change_nothing(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    before = await seq(call, s)
    hgi = t["operators"]["HGI"]
    delegate = next(iter(t["delegates"].values()))
    assert_error(
        await call("POST", s.api("/checkins"), hgi, data=b"{not json", headers={"Content-Type": "application/json"}),
        400,
    )
    assert_error(await call("POST", s.api("/checkins"), hgi, data=b"[1, 2]"), 422)
    assert_error(await call("POST", s.api("/checkins"), hgi, json={"participant_id": 999999}), 404)
    assert_error(await call("DELETE", s.api("/checkins/999999"), hgi), 404)
    big = io.BytesIO(json.dumps({"body": "x" * (2 * 1024 * 1024)}).encode())
    assert_error(
        await call("POST", s.api("/comments"), delegate, data=big, headers={"Content-Type": "application/json"}), 413
    )
    assert_error(await call("POST", s.api("/comments"), delegate, json={"body": "x" * 20_001}), 422)
    assert_error(
        await call("POST", s.api("/comments"), delegate, json={"body": "ok", "section_anchor": "dieu-999"}), 422
    )
    assert_error(await call("POST", s.api("/comments"), delegate, json={"body": 5}), 422)
    assert_error(await call("POST", s.api("/comments"), delegate, json={"body": "ok", "proposed_text": ["x"]}), 422)
    assert_error(
        await call(
            "PATCH",
            s.api("/comments/999999"),
            t["chair"],
            json={"disposition": "accepted", "response": "", "revision": 1},
        ),
        404,
    )
    assert_error(
        await call(
            "PATCH", s.api("/comments/1"), t["chair"], json={"disposition": "maybe", "response": "", "revision": 1}
        ),
        422,
    )
    assert_error(await call("POST", s.api("/agenda/999999/start"), t["chair"]), 404)
    assert_error(await call("POST", s.api("/agenda/next"), t["chair"], json={}), 422)
    assert_error(
        await call("POST", s.api("/agenda"), t["chair"], json={"title": "X", "kind": "party", "planned_minutes": 5}),
        422,
    )
    assert_error(
        await call("POST", s.api("/agenda"), t["chair"], json={"title": "X", "kind": "other", "planned_minutes": -1}),
        422,
    )
    assert_error(await call("POST", s.api("/drafts"), t["admin"], json={"format": "markdown", "content": ""}), 422)
    assert_error(
        await call("POST", s.api("/drafts"), t["admin"], json={"format": "markdown", "content": "Chỉ có lời văn."}), 422
    )
    assert_error(
        await call(
            "POST", f"{s.base_url}/api/v1/conferences", t["admin"], json={"title": "X", "starts_at": "tomorrow"}
        ),
        422,
    )
    assert_error(
        await call(
            "POST",
            f"{s.base_url}/api/v1/conferences",
            t["admin"],
            json={"title": "\u0007", "starts_at": "2026-01-01T08:00:00+07:00"},
        ),
        422,
    )
    assert_error(await call("GET", f"{s.base_url}/api/v1/conferences/999999", t["admin"]), 404)
    assert_error(await call("GET", f"{s.base_url}/api/v1/nothing-here", t["admin"]), 404)
    assert await seq(call, s) == before


async def test_speaking_requires_presence(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    pid, token = next(iter(t["delegates"].items()))
    reply = await call("POST", s.api("/speaking-requests"), token, json={"topic": "Điều 3"})
    assert_error(reply, 409, "not_present")


async def test_idempotent_retry_creates_nothing_new(shared_server: Server, call: Call, listen: Any) -> None:
    s, t = shared_server, shared_server.tokens
    hgi = t["operators"]["HGI"]
    body = {"full_name": "Phạm Thị Khách", "organization": "Báo Hậu Giang"}
    display = await listen(s, t["display"])
    first = await call("POST", s.api("/checkins"), hgi, json=body, headers={"Idempotency-Key": "walk-in-1"})
    assert first.status == 201
    # The totals announced after it are the first write's too; a retry must add nothing after them.
    await display.wait_for("attendance.totals_changed")
    after_first = await seq(call, s)
    again = await call("POST", s.api("/checkins"), hgi, json=body, headers={"Idempotency-Key": "walk-in-1"})
    assert again.status in (200, 201) and again.body["id"] == first.body["id"]
    assert await seq(call, s) == after_first
    other = await call(
        "POST",
        s.api("/checkins"),
        hgi,
        json={**body, "full_name": "Người Khác"},
        headers={"Idempotency-Key": "walk-in-1"},
    )
    assert_error(other, 409, "idempotency_mismatch")
    present = [p for p in (await call("GET", s.api("/participants?q=pham thi khach"), hgi)).body["items"]]
    assert [p["full_name"] for p in present] == ["Phạm Thị Khách"]
    assert await seq(call, s) == after_first


async def test_search_is_diacritic_insensitive(shared_server: Server, call: Call) -> None:
    s, hgi = shared_server, shared_server.tokens["operators"]["HGI"]
    for query in ("nghiem xuan thanh", "NGHIÊM XUÂN THÀNH", "Nghie\u0302m Xua\u0302n Tha\u0300nh"):
        items = (await call("GET", s.api("/participants"), hgi, params={"q": query})).body["items"]
        assert [p["full_name"] for p in items] == ["Nghiêm Xuân Thành"]
