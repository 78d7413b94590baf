"""Socket.IO: authentication on connect, rooms by role, and resync after a disconnect."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
import socketio

from server.simulate.loopback import Server
from tests.support import flows
from tests.support.http import Call
from tests.workshops import another_workshop


async def test_bad_token_is_refused_at_connect(shared_server: Server) -> None:
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(shared_server.base_url, auth={"token": "forged"}, transports=["websocket"])
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(shared_server.base_url, transports=["websocket"])


async def test_join_refuses_another_conference(shared_server: Server) -> None:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        shared_server.base_url, auth={"token": shared_server.tokens["display"]}, transports=["websocket"]
    )
    try:
        ack = await client.call("join", {"conference_id": shared_server.conference_id + 1, "after_seq": 0})
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
        ack = await client.call("join", {"conference_id": "1", "after_seq": 0})
        assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    finally:
        await client.disconnect()


async def test_rejoin_replays_exactly_the_missed_events(demo_server: Server, call: Call, listen: Any) -> None:
    await flows.rejoin_replays_exactly_the_missed_events(demo_server, call, listen)


async def test_rejoin_sees_only_what_the_role_may_see(demo_server: Server, call: Call, listen: Any) -> None:
    await flows.rejoin_sees_only_what_the_role_may_see(demo_server, call, listen)


async def test_a_gap_from_the_future_asks_for_a_snapshot(shared_server: Server) -> None:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        shared_server.base_url, auth={"token": shared_server.tokens["chair"]}, transports=["websocket"]
    )
    try:
        ack = await client.call("join", {"conference_id": shared_server.conference_id, "after_seq": 10**9})
        assert ack["ok"] is True and ack["snapshot"] is True and isinstance(ack["seq"], int)
    finally:
        await client.disconnect()


async def test_a_client_hears_only_the_rooms_it_may_see(demo_server: Server, call: Call, listen: Any) -> None:
    """Staff-only, other-point and other-delegate events never reach a socket; another workshop's never at all."""
    s, t = demo_server, demo_server.tokens
    other = await another_workshop(s, call)
    start = (await call("GET", s.api(), t["admin"])).body["seq"]
    delegates = list(t["delegates"].values())
    callers = {
        "chair": t["chair"],
        "delegate": delegates[0],
        "operator_elsewhere": t["operators"]["CTO"],
        "display": t["display"],
    }
    heard = {role: await listen(s, token, after_seq=start) for role, token in callers.items()}
    stranger = socketio.AsyncClient(reconnection=False)
    strange: list[dict[str, Any]] = []
    stranger.on("event", strange.append)
    await stranger.connect(s.base_url, auth={"token": other.delegate_token}, transports=["websocket"])
    try:
        refused = await stranger.call("join", {"conference_id": s.conference_id, "after_seq": 0})
        assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
        assert (await stranger.call("join", {"conference_id": other.conference_id, "after_seq": 0}))["ok"] is True

        hgi = (await call("GET", s.api("/participants"), t["operators"]["HGI"])).body["items"]
        await call("POST", s.api("/open"), t["chair"])
        await call("POST", s.api("/invitations"), t["admin"], json={"role": "display"})
        await call("POST", s.api("/checkins"), t["operators"]["HGI"], json={"participant_id": hgi[0]["id"]})
        assert (
            await call("POST", s.api("/comments"), delegates[1], json={"body": "Góp ý của người khác"})
        ).status == 201
        cto = next(
            p["id"] for p in (await call("GET", s.api("/points"), t["admin"])).body["items"] if p["code"] == "CTO"
        )
        await call("POST", s.api(f"/points/{cto}/status"), t["operators"]["CTO"], json={"link": "degraded"})
        # Published after all of the above, in commit order: once it is heard, so is everything before it.
        await call("POST", f"{s.base_url}/api/v1/conferences/{other.conference_id}/open", t["admin"])
        for listener in heard.values():
            await listener.wait_for("point.status_changed")
        for _ in range(200):
            if any(e["type"] == "conference.state_changed" for e in strange):
                break
            await asyncio.sleep(0.05)
    finally:
        await stranger.disconnect()

    staff_only = {"invitation.created", "attendance.checked_in", "comment.submitted"}
    assert staff_only <= set(heard["chair"].types())
    for role in ("delegate", "operator_elsewhere", "display"):
        assert not staff_only & set(heard[role].types()), (role, heard[role].types())
    assert strange and all(e["conference_id"] == other.conference_id for e in strange)
    # What each socket heard is exactly what the HTTP replay shows that caller.
    for role, listener in heard.items():
        replay = (await call("GET", s.api(f"/events?after={start}"), callers[role])).body["items"]
        assert [e["seq"] for e in listener.events] == [e["seq"] for e in replay], role


async def test_a_staff_join_of_an_impossible_conference_is_answered(shared_server: Server) -> None:
    """An id past 64 bits once overflowed the database driver and left the join unanswered (found by fuzzing)."""
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        shared_server.base_url, auth={"token": shared_server.tokens["chair"]}, transports=["websocket"]
    )
    try:
        ack = await client.call("join", {"conference_id": 2**70, "after_seq": 0}, timeout=5)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    finally:
        await client.disconnect()
