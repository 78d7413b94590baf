"""Attendance in depth: movements kept with time and operator, undo within five minutes, counters."""
from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from server.simulate.loopback import Server
from tests.support.api import assert_error
from tests.support.http import Call


async def test_every_movement_is_kept_and_undo_is_audited(demo_server: Server, call: Call, listen: Any) -> None:
    s, hgi = demo_server, demo_server.tokens["operators"]["HGI"]
    chair = await listen(s, s.tokens["chair"])
    person = (await call("GET", s.api("/participants"), hgi)).body["items"][0]
    pid = person["id"]
    assert (await call("POST", s.api("/checkins"), hgi, json={"participant_id": pid})).status == 201
    assert (await call("DELETE", s.api(f"/checkins/{pid}"), hgi)).status == 200
    assert (await call("POST", s.api("/checkins"), hgi, json={"participant_id": pid})).status == 201
    undone = await call("POST", s.api(f"/checkins/{pid}/undo"), hgi)
    assert undone.status == 200 and undone.body["present"] is False
    assert_error(await call("POST", s.api(f"/checkins/{pid}/undo"), hgi), 409, "not_checked_in")
    await chair.wait_for("attendance.checkin_undone")

    trail = (await call("GET", s.api(f"/participants/{pid}/movements"), s.tokens["chair"])).body["items"]
    assert len(trail) == 2
    first, second = trail
    assert first["checked_out_at"] and first["undone_at"] is None and first["checked_in_by"].startswith("invitation:")
    assert second["undone_at"] and second["undone_by"] == second["checked_in_by"]
    assert (await call("GET", s.api(f"/participants/{pid}/movements"), s.tokens["operators"]["CTO"])).status == 403

    sheet = (await call("GET", s.api("/attendance"), s.tokens["chair"])).body
    hg = next(p for p in sheet["points"] if p["code"] == "HGI")
    assert hg["present"] == 0 and hg["last_checkin_at"] and sheet["totals"]["present"] == 0


async def test_undo_is_refused_after_five_minutes(demo_server: Server, call: Call) -> None:
    s, hgi = demo_server, demo_server.tokens["operators"]["HGI"]
    pid = (await call("GET", s.api("/participants"), hgi)).body["items"][1]["id"]
    await call("POST", s.api("/checkins"), hgi, json={"participant_id": pid})
    earlier = (datetime.now(UTC) - timedelta(minutes=6)).replace(tzinfo=None).isoformat(" ")
    with sqlite3.connect(s.database) as db:
        db.execute("UPDATE checkin SET checked_in_at = ? WHERE participant_id = ?", (earlier, pid))
    assert_error(await call("POST", s.api(f"/checkins/{pid}/undo"), hgi), 409, "undo_expired")
    assert (await call("DELETE", s.api(f"/checkins/{pid}"), hgi)).status == 200


async def test_counters_match_a_recount(demo_server: Server, call: Call) -> None:
    s, t = demo_server, demo_server.tokens
    for code in ("HGI", "CTO", "AGG"):
        people = (await call("GET", s.api("/participants"), t["operators"][code])).body["items"]
        for person in people[:4]:
            await call("POST", s.api("/checkins"), t["operators"][code], json={"participant_id": person["id"]})
        await call("DELETE", s.api(f"/checkins/{people[0]['id']}"), t["operators"][code])
        await call("POST", s.api("/checkins"), t["operators"][code], json={"full_name": "Khách mời " + code})
        await call(
            "POST",
            s.api("/checkins"),
            t["operators"][code],
            json={"full_name": "Người dự thay", "substitute_for": people[5]["id"]},
        )
    sheet = (await call("GET", s.api("/attendance"), t["chair"])).body
    with sqlite3.connect(s.database) as db:
        for row in sheet["points"]:
            expected = db.execute(
                "SELECT count(*) FROM participant WHERE point_id = ? AND on_roster", (row["point_id"],)
            ).fetchone()[0]
            present, subs, walk = db.execute(
                "SELECT count(*), coalesce(sum(substitute_for_id IS NOT NULL), 0), coalesce(sum(walk_in), 0)"
                " FROM checkin WHERE point_id = ? AND checked_out_at IS NULL",
                (row["point_id"],),
            ).fetchone()
            assert (row["expected"], row["present"], row["substitutes"], row["walk_ins"]) == (
                expected,
                present,
                subs,
                walk,
            )
    assert (
        sheet["totals"]["present"] == 3 * 5 and sheet["totals"]["substitutes"] == 3 and sheet["totals"]["walk_ins"] == 3
    )


async def test_operator_presence_is_written_per_flush_not_per_console(
    demo_server: Server, call: Call, listen: Any
) -> None:
    """30 operator consoles of three points join at once: a console counts once however often it rejoins, the
    counts are written a few times a quarter second apart with one presence_changed per changed point each time,
    the attendance sheet converges, and the consoles going away bring it back to zero."""
    s, t = demo_server, demo_server.tokens
    codes = ("HGI", "CTO", "AGG")
    chair = await listen(s, t["chair"])
    seq = (await call("GET", s.api(), t["chair"])).body["seq"]
    heard = len(chair.events)
    consoles = await asyncio.gather(*(listen(s, t["operators"][code], after_seq=seq) for code in codes * 10))
    rejoined = await consoles[0].client.call("join", {"conference_id": s.conference_id, "after_seq": 10**6})
    assert rejoined["ok"], rejoined
    arrivals = await _presence_settles(s, call, chair, codes, 10, heard)

    heard = len(chair.events)
    await asyncio.gather(*(console.client.disconnect() for console in consoles))
    departures = await _presence_settles(s, call, chair, codes, 0, heard)
    for changes in (arrivals, departures):
        flushes: dict[str, list[int]] = {}
        for change in changes:
            flushes.setdefault(change["operator_seen_at"], []).append(change["point_id"])
        # Each flush writes every point that changed once; flushes begin a quarter second apart at the least
        # (the first one's wait in the write queue aside), where a write per console would have made 30.
        assert all(len(points) == len(set(points)) for points in flushes.values()), flushes
        times = sorted(datetime.fromisoformat(at) for at in flushes)
        assert len(flushes) <= 2 + (times[-1] - times[0]).total_seconds() / 0.25 and len(changes) < 30, flushes


async def _presence_settles(
    s: Server, call: Call, chair: Any, codes: tuple[str, ...], online: int, heard: int
) -> list[dict[str, Any]]:
    """Wait until the sheet, and the last event of each point, give it `online` operators; answer the presence
    changes heard since the chair had `heard` events."""
    for _ in range(100):
        sheet = (await call("GET", s.api("/attendance"), s.tokens["chair"])).body
        rows = [p for p in sheet["points"] if p["code"] in codes]
        changes = [e["data"] for e in chair.events[heard:] if e["type"] == "point.presence_changed"]
        last = {c["point_id"]: c["operators_online"] for c in changes}
        if {p["operators_online"] for p in rows} == {online} and last == {p["point_id"]: online for p in rows}:
            return changes
        await asyncio.sleep(0.05)
    raise AssertionError(f"presence did not settle at {online}: {rows}, {changes}")
