"""Socket.IO: authentication on connect, rooms by role, and resync after a disconnect."""
from __future__ import annotations

from typing import Any

import pytest
import socketio

from tests.conftest import Call, Server


async def test_bad_token_is_refused_at_connect(shared_server: Server) -> None:
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(shared_server.base_url, auth={"token": "forged"}, transports=["websocket"])
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(shared_server.base_url, transports=["websocket"])


async def test_join_refuses_another_conference(shared_server: Server) -> None:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(shared_server.base_url, auth={"token": shared_server.tokens["display"]}, transports=["websocket"])
    try:
        ack = await client.call("join", {"conference_id": shared_server.conference_id + 1, "after_seq": 0})
        assert ack["ok"] is False and ack["error"]["code"] == "forbidden"
        ack = await client.call("join", {"conference_id": "1", "after_seq": 0})
        assert ack["ok"] is False and ack["error"]["code"] == "invalid"
    finally:
        await client.disconnect()


async def test_rejoin_replays_exactly_the_missed_events(demo_server: Server, call: Call, listen: Any) -> None:
    s, t = demo_server, demo_server.tokens
    chair = await listen(s, t["chair"])
    people = (await call("GET", s.api("/participants"), t["operators"]["HGI"])).body["items"]
    await call("POST", s.api("/checkins"), t["operators"]["HGI"], json={"participant_id": people[0]["id"]})
    await chair.wait_for("attendance.totals_changed")
    last = chair.events[-1]["seq"]
    await chair.client.disconnect()

    await call("POST", s.api("/agenda/next"), t["chair"], json={"expected_current_id": None})
    await call("POST", s.api(f"/points/{people[0]['point_id']}/status"), t["operators"]["HGI"], json={"link": "degraded"})
    missed = await call("GET", s.api(f"/events?after={last}"), t["chair"])
    assert [e["type"] for e in missed.body["items"]] == ["agenda.item_started", "point.status_changed"]
    await call("DELETE", s.api(f"/checkins/{people[0]['id']}"), t["operators"]["HGI"])

    back = await listen(s, t["chair"], after_seq=last)
    assert [e["type"] for e in back.events] == [
        "agenda.item_started",
        "point.status_changed",
        "attendance.checked_out",
        "attendance.totals_changed",
    ]
    assert [e["seq"] for e in back.events] == list(range(last + 1, last + 5))


async def test_rejoin_sees_only_what_the_role_may_see(demo_server: Server, call: Call, listen: Any) -> None:
    s, t = demo_server, demo_server.tokens
    start = (await call("GET", s.api(), t["admin"])).body["seq"]
    people = (await call("GET", s.api("/participants"), t["operators"]["HGI"])).body["items"]
    await call("POST", s.api("/checkins"), t["operators"]["HGI"], json={"participant_id": people[0]["id"]})
    display = await listen(s, t["display"], after_seq=start)
    assert [e["type"] for e in display.events] == ["attendance.totals_changed"]
    other_operator = await listen(s, t["operators"]["CTO"], after_seq=start)
    assert [e["type"] for e in other_operator.events if e["type"].startswith("attendance.")] == ["attendance.totals_changed"]


async def test_a_gap_from_the_future_asks_for_a_snapshot(shared_server: Server) -> None:
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(shared_server.base_url, auth={"token": shared_server.tokens["chair"]}, transports=["websocket"])
    try:
        ack = await client.call("join", {"conference_id": shared_server.conference_id, "after_seq": 10**9})
        assert ack["ok"] is True and ack["snapshot"] is True and isinstance(ack["seq"], int)
    finally:
        await client.disconnect()
