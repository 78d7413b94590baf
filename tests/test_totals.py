"""Coalesced attendance totals: at most 4 a second per conference, every change on the consoles within a second."""
from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from server.attendance.totals import INTERVAL, Announcer
from server.simulate.loopback import Server
from tests.support.http import Call
from tests.support.servers import start_server, stop_server

CODES = ("BCA", "HGI", "CTO", "AGG", "STG", "KGG", "VLG", "BLU")


class Flushes:
    """A stand-in for the write that announces: records when it ran, answers what the test tells it."""

    def __init__(self, answers: list[float | Exception] | None = None) -> None:
        self.calls: list[tuple[int, float, bool]] = []
        self.answers = answers or []

    async def __call__(self, conference_id: int, insist: bool) -> float:
        self.calls.append((conference_id, asyncio.get_running_loop().time(), insist))
        answer = self.answers.pop(0) if self.answers else 0.0
        if isinstance(answer, Exception):
            raise answer
        return answer


async def test_the_first_change_goes_at_once_and_a_burst_once_more_a_quarter_second_later() -> None:
    flushes = Flushes()
    announcer = Announcer(flushes)
    loop = asyncio.get_running_loop()
    began = loop.time()
    announcer.changed(1)
    await asyncio.sleep(0)
    assert [c for c, _, _ in flushes.calls] == [1]
    for _ in range(30):
        announcer.changed(1)
    announcer.changed(2)
    await asyncio.sleep(0)
    # Another conference has its own quarter second.
    assert [c for c, _, _ in flushes.calls] == [1, 2]
    await asyncio.sleep(INTERVAL * 1.6)
    assert [c for c, _, _ in flushes.calls] == [1, 2, 1]
    assert flushes.calls[2][1] - began >= INTERVAL
    await asyncio.sleep(INTERVAL * 1.2)
    assert len(flushes.calls) == 3 and not any(insist for _, _, insist in flushes.calls)


async def test_an_announcement_too_soon_after_another_process_waits_and_a_failed_one_is_tried_again() -> None:
    flushes = Flushes([0.05, RuntimeError("database is locked"), 0.0])
    announcer = Announcer(flushes)
    announcer.changed(7)
    await asyncio.sleep(0.05 + INTERVAL * 1.6)
    times = [t for _, t, _ in flushes.calls]
    assert len(times) == 3
    assert 0.04 <= times[1] - times[0] < INTERVAL and times[2] - times[1] >= INTERVAL


async def test_closing_announces_at_once_what_waits() -> None:
    flushes = Flushes()
    announcer = Announcer(flushes)
    loop = asyncio.get_running_loop()
    announcer.changed(1)
    await asyncio.sleep(0)
    announcer.changed(1)
    began = loop.time()
    await announcer.close()
    assert len(flushes.calls) == 2 and flushes.calls[1][1] - began < INTERVAL / 2 and flushes.calls[1][2] is True
    await announcer.close()
    assert len(flushes.calls) == 2


async def roster(call: Call, s: Server, code: str) -> list[dict[str, Any]]:
    reply = await call("GET", s.api("/participants"), s.tokens["operators"][code])
    return [p for p in reply.body["items"] if p["on_roster"]]


async def test_a_burst_of_check_ins_reaches_the_display_coalesced_within_a_second(
    demo_server: Server, call: Call, listen: Any
) -> None:
    s, t = demo_server, demo_server.tokens
    display = await listen(s, t["display"])
    chair = await listen(s, t["chair"])
    rosters = {code: (await roster(call, s, code))[:5] for code in CODES}
    loop = asyncio.get_running_loop()
    began = loop.time()
    replies = await asyncio.gather(*(
        call("POST", s.api("/checkins"), t["operators"][code], json={"participant_id": person["id"]})
        for code, people in rosters.items() for person in people
    ))
    answered = loop.time()
    assert [r.status for r in replies] == [201] * sum(len(people) for people in rosters.values()) and len(replies) >= 35
    sheet = (await call("GET", s.api("/attendance"), t["chair"])).body
    totals = await display.totals_until(lambda now: now == sheet["totals"], timeout=answered + 1 - loop.time())
    elapsed = loop.time() - began
    assert len(totals) <= elapsed * 4 + 1, (len(totals), elapsed)
    # Each carries the points that moved since the one before: together, every point's newest row.
    rows = {p["code"]: p for e in totals for p in e["data"]["points"]}
    assert set(rows) == set(CODES)
    for point in sheet["points"]:
        if point["code"] in rows:
            assert {k: rows[point["code"]][k] for k in ("present", "people", "expected", "last_checkin_at")} == {
                k: point[k] for k in ("present", "people", "expected", "last_checkin_at")
            }

    # An arrival after a quiet quarter second is announced at once, not a quarter second later. (The burst's
    # last announcement may be followed by one that finds nothing left: the quiet counts from that one.)
    await asyncio.sleep(INTERVAL * 2.2)
    late = (await roster(call, s, "HGI"))[5]
    before = len(totals)
    assert (
        await call("POST", s.api("/checkins"), t["operators"]["HGI"], json={"participant_id": late["id"]})
    ).status == 201
    arrived = [
        e
        for e in await chair.wait_for("attendance.checked_in", count=len(replies) + 1)
        if e["data"]["id"] == late["id"]
    ]
    announced = (await chair.totals_until(lambda now: now["present"] == sheet["totals"]["present"] + 1, timeout=1))[-1]
    assert datetime.fromisoformat(announced["at"]) - datetime.fromisoformat(arrived[0]["at"]) < timedelta(
        seconds=INTERVAL
    )
    assert [p["code"] for p in announced["data"]["points"]] == ["HGI"]
    assert (
        len(await display.totals_until(lambda now: now["present"] == sheet["totals"]["present"] + 1, timeout=1))
        == before + 1
    )


async def test_a_stop_announces_what_waits_and_a_start_what_a_crash_left(tmp_path: Path, call: Call) -> None:
    server = await start_server(tmp_path / "server")
    try:
        for code in ("HGI", "CTO"):
            person = (await roster(call, server, code))[0]
            reply = await call(
                "POST", server.api("/checkins"), server.tokens["operators"][code], json={"participant_id": person["id"]}
            )
            assert reply.status == 201
    finally:
        stop_server(server)
    with closing(sqlite3.connect(server.database)) as db:
        assert db.execute("SELECT COUNT(*) FROM point WHERE totals_dirty").fetchone() == (0,)
        (data,) = db.execute(
            "SELECT data FROM event WHERE type = 'attendance.totals_changed' ORDER BY seq DESC"
        ).fetchone()
        assert json.loads(data)["totals"]["present"] == 2
        # As a process killed between a check-in's commit and its announcement leaves it.
        db.execute("UPDATE point SET totals_dirty = 1 WHERE code = 'BCA'")
        db.commit()
        (seq,) = db.execute("SELECT MAX(seq) FROM event").fetchone()

    again = await start_server(tmp_path / "server")
    try:
        missed = (await call("GET", again.api(f"/events?after={seq}"), again.tokens["chair"])).body["items"]
        announced = [e for e in missed if e["type"] == "attendance.totals_changed"]
        assert len(announced) == 1 and [p["code"] for p in announced[0]["data"]["points"]] == ["BCA"]
        assert announced[0]["data"]["totals"]["present"] == 2
    finally:
        stop_server(again)
