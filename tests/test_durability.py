"""Every acknowledged write survives a crash: SIGKILL the server under 1,000 concurrent writes, restart, recount.

The server runs as a subprocess on a temporary SQLite file (WAL, synchronous=FULL). About 600 check-ins
(the whole roster, then walk-ins by name) and 400 delegate comments are fired at once, each with its own
Idempotency-Key; when half the answers have arrived the process is killed with SIGKILL. After a restart on
the same file, every write that was not acknowledged is retried with its key, and a sample of the
acknowledged ones is re-sent: those must answer the same id. Then the file itself is checked row by row.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from server.simulate.loopback import Server
from tests.support.servers import start_server, stop_server

# Load and timing: these run alone, once the rest of the suite has left the two cores (scripts/test).
pytestmark = pytest.mark.solo

TOTAL = 1000
CHECKINS = 600
ENV = {"DIEMCAU_SUBMIT_RATE": "100000/60"}


@dataclass
class Write:
    """One write: where it goes, as whom, with which key, and what came of it."""

    kind: str  # "checkin" or "comment"
    path: str
    token: str
    payload: dict[str, Any]
    key: str
    outcome: str = "pending"  # "2xx", "4xx", "5xx" or "error"
    status: int | None = None
    answer_id: int | None = None

    def id_of(self, body: dict[str, Any]) -> int:
        return int(body["checkin_id"] if self.kind == "checkin" else body["id"])


async def send(http: aiohttp.ClientSession, server: Server, write: Write) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {write.token}", "Idempotency-Key": write.key}
    async with http.post(server.api(write.path), json=write.payload, headers=headers) as response:
        raw = await response.read()
        return response.status, json.loads(raw) if raw else None


def plan(server: Server, rosters: dict[str, list[int]]) -> list[Write]:
    t = server.tokens
    writes = []
    for code, people in rosters.items():
        for pid in people:
            writes.append(Write("checkin", "/checkins", t["operators"][code], {"participant_id": pid}, f"dur-in-{pid}"))
    codes = sorted(rosters)
    for n in range(CHECKINS - len(writes)):
        code = codes[n % len(codes)]
        payload = {"full_name": f"Khách vãng lai {n:03d}", "organization": "Kiểm thử độ bền"}
        writes.append(Write("checkin", "/checkins", t["operators"][code], payload, f"dur-walk-{n}"))
    delegates = sorted(t["delegates"].items())
    for n in range(TOTAL - len(writes)):
        pid, token = delegates[n % len(delegates)]
        anchor = "dieu-3" if n % 2 else None
        payload = {"body": f"Góp ý độ bền số {n:03d} của đại biểu {pid}.", "section_anchor": anchor}
        writes.append(Write("comment", "/comments", token, payload, f"dur-comment-{n}"))
    return writes


def rows(database: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return list(db.execute(sql, args))


async def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    directory = tmp_path / "durable"
    server = await start_server(directory, ENV)
    try:
        async with aiohttp.ClientSession() as http:
            rosters: dict[str, list[int]] = {}
            for code, token in server.tokens["operators"].items():
                async with http.get(
                    server.api("/participants?limit=1000"), headers={"Authorization": f"Bearer {token}"}
                ) as r:
                    assert r.status == 200
                    rosters[code] = [int(p["id"]) for p in (await r.json())["items"]]
            assert sum(map(len, rosters.values())) < CHECKINS and len(rosters) >= 4
            assert len(server.tokens["delegates"]) >= 2
            writes = plan(server, rosters)
            assert len(writes) == TOTAL and sum(w.kind == "checkin" for w in writes) == CHECKINS

            # Phase 1: all at once; SIGKILL as soon as half the answers are in.
            answered = 0
            half = asyncio.Event()

            async def fire(write: Write) -> None:
                nonlocal answered
                try:
                    status, body = await send(http, server, write)
                except (aiohttp.ClientError, TimeoutError, ValueError):
                    write.outcome = "error"
                else:
                    write.status = status
                    if 200 <= status < 300:
                        write.outcome, write.answer_id = "2xx", write.id_of(body)
                    else:
                        write.outcome = "4xx" if status < 500 else "5xx"
                    answered += 1
                    if answered >= TOTAL // 2:
                        half.set()

            firing = [asyncio.create_task(fire(w)) for w in writes]
            done = asyncio.create_task(asyncio.wait(firing))
            await asyncio.wait([asyncio.create_task(half.wait()), done], return_when=asyncio.FIRST_COMPLETED)
            os.kill(server.process.pid, signal.SIGKILL)
            await asyncio.gather(*firing)
            server.process.wait(timeout=10)
            assert server.process.returncode == -signal.SIGKILL

        acknowledged = [w for w in writes if w.outcome == "2xx"]
        unacknowledged = [w for w in writes if w.outcome != "2xx"]
        refused = [w for w in writes if w.outcome in ("4xx", "5xx")]
        assert not refused, [(w.key, w.status) for w in refused]
        assert TOTAL // 2 <= len(acknowledged) < TOTAL, "the kill did not land mid-run"

        # What the file holds right after the kill (sqlite3 recovers the WAL as the server would).
        after_kill_checkins = {r[0] for r in rows(server.database, "SELECT id FROM checkin")}
        after_kill_comments = {r[0] for r in rows(server.database, "SELECT id FROM comment")}
        for write in acknowledged:
            assert write.answer_id in (after_kill_checkins if write.kind == "checkin" else after_kill_comments), (
                write.key
            )

        # Phase 2: restart on the same file; the demo is seeded once and the tokens are the same.
        tokens_before = server.tokens
        server = await start_server(directory, ENV)
        assert {k: v for k, v in server.tokens.items() if k != "base_url"} == {
            k: v for k, v in tokens_before.items() if k != "base_url"
        }
        async with aiohttp.ClientSession() as http:
            retries = await asyncio.gather(*(send(http, server, w) for w in unacknowledged))
            for write, (status, body) in zip(unacknowledged, retries, strict=True):
                assert 200 <= status < 300, (write.key, status, body)
                write.answer_id = write.id_of(body)
            sample = acknowledged[::10]
            repeats = await asyncio.gather(*(send(http, server, w) for w in sample))
            for write, (status, body) in zip(sample, repeats, strict=True):
                assert 200 <= status < 300, (write.key, status, body)
                assert write.id_of(body) == write.answer_id, write.key
            async with http.get(
                server.api("/attendance"), headers={"Authorization": f"Bearer {server.tokens['chair']}"}
            ) as r:
                sheet = await r.json()
    finally:
        stop_server(server)

    # Phase 3: the file itself, with the server stopped.
    db = server.database
    checkin_ids = sorted(w.answer_id for w in writes if w.kind == "checkin")
    comment_ids = sorted(w.answer_id for w in writes if w.kind == "comment")
    assert len(set(checkin_ids)) == CHECKINS and len(set(comment_ids)) == TOTAL - CHECKINS

    stored_checkins = rows(db, "SELECT id, participant_id, checked_out_at FROM checkin ORDER BY id")
    assert [r[0] for r in stored_checkins] == checkin_ids, "a check-in is missing or was written twice"
    assert all(r[2] is None for r in stored_checkins)
    participants = [r[1] for r in stored_checkins]
    assert len(participants) == len(set(participants)), "a participant has two open check-ins"
    for write in writes:
        if write.kind == "checkin" and "participant_id" in write.payload:
            assert (write.answer_id, write.payload["participant_id"]) in {(r[0], r[1]) for r in stored_checkins}
    walk_ins = rows(db, "SELECT full_name FROM participant WHERE on_roster = 0")
    assert sorted(r[0] for r in walk_ins) == sorted(w.payload["full_name"] for w in writes if "full_name" in w.payload)

    stored_comments = dict(rows(db, "SELECT id, body FROM comment"))
    assert sorted(stored_comments) == comment_ids, "a comment is missing or was written twice"
    for write in writes:
        if write.kind == "comment":
            assert stored_comments[write.answer_id] == write.payload["body"]

    seqs = [r[0] for r in rows(db, "SELECT seq FROM event ORDER BY seq")]
    (last_seq,) = rows(db, "SELECT last_seq FROM conference")[0]
    assert seqs == list(range(1, last_seq + 1)), "the event seq has a gap or a duplicate"
    in_events = [
        r[0] for r in rows(db, "SELECT json_extract(data, '$.id') FROM event WHERE type = 'comment.submitted'")
    ]
    assert sorted(in_events) == comment_ids, "a comment row without its event, or an event without its row"
    checked_in_events = [
        r[0]
        for r in rows(db, "SELECT json_extract(data, '$.checkin_id') FROM event WHERE type = 'attendance.checked_in'")
    ]
    assert sorted(checked_in_events) == checkin_ids, "a check-in row without its event, or an event without its row"

    recount = {
        point: (present, subs, walks)
        for point, present, subs, walks in rows(
            db,
            "SELECT point_id, count(*), sum(substitute_for_id IS NOT NULL), sum(walk_in) FROM checkin "
            "WHERE checked_out_at IS NULL GROUP BY point_id",
        )
    }
    for point, present, subs, walks in rows(db, "SELECT id, present, substitutes, walk_ins FROM point"):
        assert (present, subs, walks) == recount.get(point, (0, 0, 0)), point
    totals = rows(db, "SELECT present, substitutes, walk_ins FROM conference")[0]
    assert totals == tuple(sum(v[i] for v in recount.values()) for i in range(3))
    assert sheet["totals"]["present"] == CHECKINS

    committed_unanswered = sum(
        w.answer_id in (after_kill_checkins if w.kind == "checkin" else after_kill_comments) for w in unacknowledged
    )
    print(
        f"\ndurability: {TOTAL} writes, {len(acknowledged)} acknowledged before SIGKILL, "
        f"{len(unacknowledged)} retried ({committed_unanswered} of them committed but unanswered), "
        f"{len(sample)} acknowledged re-sent, duplicates 0, events seq 1..{last_seq}"
    )
