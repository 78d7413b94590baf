"""The per-caller limit on remarks, comments and speaking requests (DIEMCAU_SUBMIT_RATE)."""
from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from server.auth.window import SlidingWindow
from server.simulate.loopback import Server
from tests.support.http import Call
from tests.support.servers import start_server, stop_server


@pytest.fixture
async def limited_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """A demo server that lets one caller submit three times a minute."""
    server = await start_server(tmp_path_factory.mktemp("limited"), {"DIEMCAU_SUBMIT_RATE": "3/60"})
    yield server
    stop_server(server)


async def totals(s: Server, call: Call) -> tuple[int, int, int]:
    chair = s.tokens["chair"]
    remarks = (await call("GET", s.api("/remarks"), chair)).body["total"]
    comments = (await call("GET", s.api("/comments"), chair)).body["total"]
    requests = (await call("GET", s.api("/speaking-requests"), chair)).body["total"]
    return remarks, comments, requests


async def test_a_caller_over_the_rate_is_refused_and_nothing_is_written(limited_server: Server, call: Call) -> None:
    s, t = limited_server, limited_server.tokens
    (first_id, first), (_, second) = list(t["delegates"].items())[:2]
    await call("POST", s.api("/open"), t["chair"])
    people = (await call("GET", s.api("/participants"), t["admin"])).body["items"]
    point_id = next(p["point_id"] for p in people if str(p["id"]) == first_id)
    code = next(
        p["code"] for p in (await call("GET", s.api("/points"), t["admin"])).body["items"] if p["id"] == point_id
    )
    assert (
        await call("POST", s.api("/checkins"), t["operators"][code], json={"participant_id": int(first_id)})
    ).status == 201

    assert (await call("POST", s.api("/comments"), first, json={"body": "Một"})).status == 201
    assert (await call("POST", s.api("/remarks"), first, json={"title": "Hai", "body": "Hai"})).status == 201
    assert (await call("POST", s.api("/speaking-requests"), first, json={})).status == 201
    before = await totals(s, call)
    for path, body in (
        ("/comments", {"body": "Bốn"}),
        ("/remarks", {"title": "Năm", "body": "Năm"}),
        ("/speaking-requests", {}),
    ):
        reply = await call("POST", s.api(path), first, json=body)
        assert reply.status == 429, reply.body
        assert reply.body["error"]["code"] == "rate_limited"
        assert 1 <= reply.body["error"]["details"]["retry_after"] <= 60
    assert await totals(s, call) == before
    # The limit is per caller: another delegate still submits.
    assert (await call("POST", s.api("/comments"), second, json={"body": "Của người khác"})).status == 201


def test_the_window_lets_a_key_act_again_once_its_oldest_moment_left() -> None:
    window = SlidingWindow(2, 0.3)
    assert window.take("a") is None and window.take("a") is None
    assert window.take("a") == 1 and window.take("b") is None
    time.sleep(0.35)
    assert window.take("a") is None
