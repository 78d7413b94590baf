"""Writes that arrive together are committed together: each still answered as if it had come alone."""
from __future__ import annotations

import asyncio
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from server.attendance.batch import CheckIn, CheckOut
from server.delivery import Publisher
from server.gathered import Gathered
from server.simulate.loopback import Server
from server.submissions.batch import SubmitComment
from server.writes import Outcome, Step, WriteQueue, _Job, _runs
from tests.support.api import assert_error
from tests.support.http import Call


async def totals(call: Call, s: Server) -> dict[str, Any]:
    return dict((await call("GET", s.api("/attendance"), s.tokens["chair"])).body["totals"])


async def absent_at(call: Call, s: Server, code: str) -> list[int]:
    people = (await call("GET", s.api("/participants?limit=1000"), s.tokens["operators"][code])).body["items"]
    return [p["id"] for p in people if not p["present"] and p["on_roster"]]


async def test_a_burst_of_check_ins_refuses_only_its_bad_ones(shared_server: Server, call: Call, listen: Any) -> None:
    s, hgi = shared_server, shared_server.tokens["operators"]["HGI"]
    a, b, c, d = (await absent_at(call, s, "HGI"))[:4]
    elsewhere = (await absent_at(call, s, "CTO"))[0]
    before = await totals(call, s)
    chair = await listen(s, s.tokens["chair"])

    def post(body: dict[str, Any], key: str | None = None) -> Any:
        return call("POST", s.api("/checkins"), hgi, json=body, headers={"Idempotency-Key": key} if key else None)

    replies = await asyncio.gather(
        post({"participant_id": a}),
        post({"participant_id": a}),
        post({"participant_id": b}, key="burst-b"),
        post({"participant_id": b}, key="burst-b"),
        post({"participant_id": elsewhere}),
        post({"participant_id": 10**9}),
        call("DELETE", s.api(f"/checkins/{d}"), hgi),
        post({"participant_id": c}),
    )
    first_a, second_a, first_b, retried_b, other_point, nobody, not_here, in_c = replies
    assert sorted([first_a.status, second_a.status]) == [201, 409]
    assert_error(first_a if first_a.status == 409 else second_a, 409, "already_checked_in")
    assert (first_b.status, retried_b.status) == (201, 201) and first_b.body == retried_b.body
    assert_error(other_point, 403)
    assert_error(nobody, 404)
    assert_error(not_here, 409, "not_checked_in")
    assert in_c.status == 201 and in_c.body["participant_id"] == c and in_c.body["present"] is True
    after = await totals(call, s)
    assert (after["people"], after["invited_present"]) == (before["people"] + 3, before["invited_present"] + 3)
    arrived = await chair.wait_for("attendance.checked_in", 3)
    assert sorted(e["data"]["id"] for e in arrived) == sorted([a, b, c])
    assert len({e["data"]["checkin_id"] for e in arrived}) == 3

    # Out and back in at once: each participant's second move waits for the first one's to be written.
    replies = await asyncio.gather(
        call("DELETE", s.api(f"/checkins/{a}"), hgi),
        post({"participant_id": a}),
        call("DELETE", s.api(f"/checkins/{b}"), hgi),
        call("DELETE", s.api(f"/checkins/{c}"), hgi),
        post({"participant_id": d}),
    )
    assert [r.status for r in replies] == [200, 201, 200, 200, 201]
    final = await totals(call, s)
    assert final["people"] == before["people"] + 2
    stays = (await call("GET", s.api(f"/participants/{a}/movements"), hgi)).body["items"]
    assert [stay["checked_out_at"] is None for stay in stays[-2:]] == [False, True]


async def test_comments_sent_together_are_numbered_in_order(shared_server: Server, call: Call) -> None:
    s = shared_server
    delegates = list(s.tokens["delegates"].values())[:6]
    listing = (await call("GET", s.api("/comments?limit=1"), s.tokens["chair"])).body
    before = listing["total"]

    def send(token: str, anchor: str | None, n: int) -> Any:
        return call(
            "POST", s.api("/comments"), token, json={"section_anchor": anchor, "body": f"Góp ý cùng lúc số {n}"}
        )

    replies = await asyncio.gather(*(send(t, "dieu-3" if n != 2 else "dieu-999", n) for n, t in enumerate(delegates)))
    assert_error(replies[2], 422)
    made = [r for n, r in enumerate(replies) if n != 2]
    assert all(r.status == 201 for r in made), [r.body for r in made]
    numbers = sorted(r.body["number"] for r in made)
    assert numbers == list(range(before + 1, before + 1 + len(made)))
    by_id = sorted(made, key=lambda r: r.body["id"])
    assert [r.body["number"] for r in by_id] == numbers
    listed = (await call("GET", s.api(f"/comments?limit={len(made)}&order=newest"), s.tokens["chair"])).body["items"]
    assert {c["id"]: c["number"] for c in listed} == {r.body["id"]: r.body["number"] for r in made}


async def test_a_participant_never_appears_twice_in_one_run() -> None:
    def job(operation: Any) -> _Job:
        return _Job(operation, 200, None, asyncio.get_running_loop().create_future())

    async def other(session: Any) -> dict[str, Any]:
        return {}

    comment = SubmitComment(5, "x", None, False, None, "b", None)
    batch = [
        job(CheckIn(1, 2, "x")),
        job(CheckIn(1, 3, "x")),
        job(CheckOut(1, 4, "x")),
        job(CheckOut(1, 2, "x")),
        job(other),
        job(CheckIn(1, 5, "x")),
        job(comment),
        job(SubmitComment(5, "x", None, False, None, "b", None)),
    ]
    assert [len(run) for run in _runs(batch)] == [3, 1, 1, 1, 2]


_RUNS: list[int] = []


async def _insert_all(session: AsyncSession, conference_id: int, steps: list[Any]) -> list[Outcome]:
    """Writes every step's row, then fails the whole run if a bad step is among several, as an unforeseen
    constraint would; alone, a bad step fails by itself."""
    _RUNS.append(len(steps))
    for step in steps:
        await session.execute(text("INSERT INTO t (name) VALUES (:name)"), {"name": step.name})
    if any(step.name.startswith("bad") for step in steps):
        raise RuntimeError("the run failed") if len(steps) > 1 else ValueError(steps[0].name)
    return [Outcome(answer={"name": step.name}) for step in steps]


@dataclass(frozen=True)
class _Row(Step):
    name: str

    @property
    def key(self) -> Hashable:
        return self.name

    run = staticmethod(_insert_all)


class _Nowhere:
    async def emit(self, event: str, data: Any, room: list[str]) -> None:
        raise AssertionError("nothing is published")


async def test_a_run_that_fails_as_a_whole_is_retried_step_by_step(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'run.db'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (name TEXT)"))
    queue = WriteQueue(async_sessionmaker(engine, expire_on_commit=False), Publisher(_Nowhere()), 1, retention=0)
    names = ["first", "bad one", "third"]
    jobs = [_Job(_Row(name), 201, None, asyncio.get_running_loop().create_future()) for name in names]
    for job in jobs:
        queue.submit(job)
    first, bad, third = await asyncio.gather(*(job.done for job in jobs), return_exceptions=True)
    assert (first, third) == ((201, {"name": "first"}), (201, {"name": "third"}))
    assert isinstance(bad, ValueError) and str(bad) == "bad one"
    assert _RUNS == [3, 1, 1, 1]
    async with engine.connect() as connection:
        assert sorted((await connection.execute(text("SELECT name FROM t"))).scalars()) == ["first", "third"]
    await engine.dispose()


async def test_requests_for_the_floor_sent_together(shared_server: Server, call: Call, listen: Any) -> None:
    s, t = shared_server, shared_server.tokens
    hgi = t["operators"]["HGI"]
    a, b, c, d, e, away = (await absent_at(call, s, "HGI"))[:6]
    elsewhere = (await absent_at(call, s, "CTO"))[0]
    await asyncio.gather(*(call("POST", s.api("/checkins"), hgi, json={"participant_id": p}) for p in (a, b, c, d, e)))
    item = (await call("GET", s.api("/agenda"), t["chair"])).body["items"][0]["id"]
    before = (await call("GET", s.api("/speaking-requests"), t["chair"])).body["items"]
    display = await listen(s, t["display"])

    def ask(participant_id: int, **more: Any) -> Any:
        return call("POST", s.api("/speaking-requests"), hgi, json={"participant_id": participant_id, **more})

    first_a, second_a, order_b, on_item_c, absent, no_item, other_point = await asyncio.gather(
        ask(a, topic="Điều 3"), ask(a), ask(b, point_of_order=True), ask(c, agenda_item_id=item),
        ask(away), ask(d, agenda_item_id=10**9), ask(elsewhere),
    )
    assert sorted([first_a.status, second_a.status]) == [201, 409]
    assert_error(first_a if first_a.status == 409 else second_a, 409, "already_requested")
    assert (order_b.status, on_item_c.status) == (201, 201) and on_item_c.body["agenda_item_id"] == item
    assert_error(absent, 409, "not_present")
    assert_error(no_item, 404)
    assert_error(other_point, 403)

    # A point with its quota spent still raises a point of order; the refused ordinary request leaves nothing.
    assert (await call("PATCH", s.api(), t["admin"], json={"speaking_quota_seconds": 0})).status == 200
    try:
        spent_d, order_d, order_e = await asyncio.gather(
            ask(d), ask(d, point_of_order=True), ask(e, point_of_order=True)
        )
    finally:
        await call("PATCH", s.api(), t["admin"], json={"speaking_quota_seconds": None})
    assert_error(spent_d, 409, "quota_exhausted")
    assert (order_d.status, order_e.status) == (201, 201)

    made = sorted(
        (r.body for r in (first_a, second_a, order_b, on_item_c, order_d, order_e) if r.status == 201),
        key=lambda r: r["id"],
    )
    # Numbered as the requests would have been one after another, in the order they were written.
    positions = [r["position"] for r in before]
    lowest, highest = min(positions, default=None), max(positions, default=None)
    for request in made:
        expected = (lowest or 1) - 1 if request["point_of_order"] else (highest or 0) + 1
        assert (request["status"], request["position"]) == ("queued", expected)
        lowest = expected if lowest is None else min(lowest, expected)
        highest = expected if highest is None else max(highest, expected)
    queue = (await call("GET", s.api("/speaking-requests"), t["display"])).body["items"]
    assert {r["id"] for r in made} <= {r["id"] for r in queue}
    heard = sorted(await display.wait_for("speaking.queue_changed", len(made)), key=lambda event: event["seq"])
    assert [event["data"]["request"] for event in heard] == made
    assert heard[-1]["data"]["items"] == queue


async def test_questions_asked_during_a_read_are_answered_by_the_next_one() -> None:
    rounds: list[set[int]] = []
    release = asyncio.Event()

    async def fetch(asked: dict[int, Any]) -> dict[int, int]:
        rounds.append(set(asked))
        if len(rounds) == 1:
            await release.wait()
        return {key: key * 10 + len(rounds) for key in asked}

    gathered: Gathered[int, int] = Gathered(fetch)
    first = asyncio.create_task(gathered.ask(1))
    await asyncio.sleep(0)
    later = [asyncio.create_task(gathered.ask(key)) for key in (2, 3, 2)]
    await asyncio.sleep(0)
    release.set()
    # The first read began before the others were asked: they get the second read's answer, together.
    assert await asyncio.gather(first, *later) == [11, 22, 32, 22]
    assert rounds == [{1}, {2, 3}]
