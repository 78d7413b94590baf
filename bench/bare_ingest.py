"""The baseline for bench.checkin and bench.comments: the least aiohttp, python-socketio and aiosqlite do for a write.

    .venv/bin/python -m bench.bare_ingest --port 8766 --database /tmp/bare.db --tokens tokens.txt

Takes the product's two busiest writes, `POST /api/v1/conferences/{c}/checkins {participant_id}`
and `POST /api/v1/conferences/{c}/comments {section_anchor, body}`, with a bearer token from
the --tokens file (one a line). Each request is queued; ONE writer task commits everything
queued in one `BEGIN IMMEDIATE ... COMMIT` (WAL, synchronous=FULL, the product's pragmas):
one executemany insert per table of the rows, plus one counter upsert that moves each
conference's event seq and counts. Every request is answered 201 with the new row id after
that commit; then a publisher task emits one socket.io `event` per row to one room, which a
client enters by emitting `join` (anything), as in bench.bare_server.

No roster, no presence check, no idempotency, no event log: what is left is the stack's cost.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
import socketio
from aiohttp import web

from bench.bare_server import ROOM, one_room

PRAGMAS = ("journal_mode=WAL", "busy_timeout=15000", "foreign_keys=ON", "synchronous=FULL")
SCHEMA = (
    ("CREATE TABLE IF NOT EXISTS checkin (id INTEGER PRIMARY KEY, conference_id INTEGER NOT NULL,"
     " participant_id INTEGER NOT NULL, actor TEXT NOT NULL, checked_in_at TEXT NOT NULL)"),
    ("CREATE TABLE IF NOT EXISTS comment (id INTEGER PRIMARY KEY, conference_id INTEGER NOT NULL,"
     " section_anchor TEXT, body TEXT NOT NULL, actor TEXT NOT NULL, created_at TEXT NOT NULL)"),
    ("CREATE TABLE IF NOT EXISTS counter (conference_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL,"
     " checkins INTEGER NOT NULL, comments INTEGER NOT NULL)"),
)
INSERTS = {
    "checkin": "INSERT INTO checkin (id, conference_id, participant_id, actor, checked_in_at) VALUES (?, ?, ?, ?, ?)",
    "comment": "INSERT INTO comment (id, conference_id, section_anchor, body, actor, created_at) VALUES (?, ?, ?, ?, "
        "?, ?)",
}
EVENT_TYPES = {"checkin": "attendance.checked_in", "comment": "comment.submitted"}
COUNT_UP = (
    "INSERT INTO counter (conference_id, seq, checkins, comments) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (conference_id) DO UPDATE SET seq = seq + excluded.seq,"
    " checkins = checkins + excluded.checkins, comments = comments + excluded.comments"
)


@dataclass
class Write:
    """One accepted request waiting for the writer: its row (id filled in by the writer) and its answer."""

    table: str
    conference_id: int
    row: dict[str, Any]
    answer: asyncio.Future[dict[str, Any]] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Writer:
    """The one task that commits: everything queued goes into the next transaction."""

    def __init__(self, db: aiosqlite.Connection, sio: socketio.AsyncServer) -> None:
        self.db = db
        self.sio = sio
        self.queue: asyncio.Queue[Write] = asyncio.Queue()
        self.committed: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
        self.next_id: dict[str, int] = {}
        self.seq: dict[int, int] = {}

    async def load(self) -> None:
        """Ids and seqs are handed out here, by the only writer; the database holds where they stand."""
        for table in INSERTS:
            async with self.db.execute(f"SELECT coalesce(max(id), 0) FROM {table}") as cursor:
                self.next_id[table] = int((await cursor.fetchone() or (0,))[0]) + 1
        async with self.db.execute("SELECT conference_id, seq FROM counter") as cursor:
            self.seq = {int(c): int(s) async for c, s in cursor}

    async def run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                envelopes = await self.commit(batch)
            except aiosqlite.Error as error:  # the whole batch failed: every request in it hears so
                await self.load()
                for write in batch:
                    write.answer.set_exception(error)
                continue
            for write in batch:
                if not write.answer.done():
                    write.answer.set_result(write.row)
            self.committed.put_nowait(envelopes)

    async def commit(self, batch: list[Write]) -> list[dict[str, Any]]:
        at = datetime.now(UTC).isoformat()
        rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in INSERTS}
        counts: dict[int, list[int]] = {}
        envelopes = []
        for write in batch:
            write.row["id"] = self.next_id[write.table]
            self.next_id[write.table] += 1
            seq = self.seq.get(write.conference_id, 0) + 1
            self.seq[write.conference_id] = seq
            count = counts.setdefault(write.conference_id, [0, 0, 0])
            count[0] += 1
            count[1 if write.table == "checkin" else 2] += 1
            if write.table == "checkin":
                write.row["checked_in_at"] = at
                rows["checkin"].append(
                    (write.row["id"], write.conference_id, write.row["participant_id"], write.row["actor"], at)
                )
            else:
                write.row["created_at"] = at
                rows["comment"].append(
                    (
                        write.row["id"],
                        write.conference_id,
                        write.row["section_anchor"],
                        write.row["body"],
                        write.row["actor"],
                        at,
                    )
                )
            envelopes.append(
                {
                    "seq": seq,
                    "type": EVENT_TYPES[write.table],
                    "conference_id": write.conference_id,
                    "at": at,
                    "data": write.row,
                }
            )
        await self.db.execute("BEGIN IMMEDIATE")
        try:
            for table, values in rows.items():
                if values:
                    await self.db.executemany(INSERTS[table], values)
            await self.db.executemany(COUNT_UP, [(c, *n) for c, n in counts.items()])
            await self.db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(aiosqlite.Error):  # the failed statement may have ended the transaction already
                await self.db.execute("ROLLBACK")
            raise
        return envelopes

    async def publish(self) -> None:
        """Off the write path, in commit order, as the product's publisher does."""
        while True:
            for envelope in await self.committed.get():
                await self.sio.emit("event", envelope, room=ROOM)


writer_key = web.AppKey("writer", Writer)


def error(status: int, code: str, message: str, details: dict[str, Any] | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message, "details": details or {}}}, status=status)


callers_key = web.AppKey("callers", dict[str, str])


async def accept(request: web.Request, table: str, row: dict[str, Any]) -> web.Response:
    write = Write(table, int(request.match_info["c"]), row)
    request.app[writer_key].queue.put_nowait(write)
    try:
        return web.json_response(await write.answer, status=201)
    except aiosqlite.Error as failure:  # a failed commit answers in the error shape, not as an unhandled exception
        return error(500, "commit_failed", str(failure))


async def caller(request: web.Request) -> tuple[str | None, dict[str, Any] | None]:
    """The token's owner and the JSON body, or None where either is missing or bad."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    actor = request.app[callers_key].get(token) if scheme.lower() == "bearer" else None
    if actor is None:
        return None, None
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return actor, None
    return actor, body if isinstance(body, dict) else None


async def check_in(request: web.Request) -> web.Response:
    actor, body = await caller(request)
    if actor is None:
        return error(401, "unauthorized", "A valid bearer token is required")
    participant_id = None if body is None else body.get("participant_id")
    if not isinstance(participant_id, int) or isinstance(participant_id, bool):
        return error(422, "invalid", "participant_id must be an integer", {"participant_id": "required"})
    return await accept(request, "checkin", {"participant_id": participant_id, "actor": actor})


async def comment(request: web.Request) -> web.Response:
    actor, body = await caller(request)
    if actor is None:
        return error(401, "unauthorized", "A valid bearer token is required")
    text = None if body is None else body.get("body")
    anchor = None if body is None else body.get("section_anchor")
    if not isinstance(text, str) or not text.strip():
        return error(422, "invalid", "body must be a non-empty string", {"body": "required"})
    if anchor is not None and not isinstance(anchor, str):
        return error(422, "invalid", "section_anchor must be a string", {"section_anchor": "not a string"})
    return await accept(request, "comment", {"section_anchor": anchor, "body": text, "actor": actor})


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(database: Path, tokens: list[str]) -> web.Application:
    app = web.Application()
    app[callers_key] = {token: f"caller-{i}" for i, token in enumerate(tokens)}
    sio = one_room(app)

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        async with aiosqlite.connect(database, isolation_level=None) as db:
            for pragma in PRAGMAS:
                await db.execute(f"PRAGMA {pragma}")
            for statement in SCHEMA:
                await db.execute(statement)
            writer = Writer(db, sio)
            await writer.load()
            app[writer_key] = writer
            tasks = [asyncio.create_task(writer.run()), asyncio.create_task(writer.publish())]
            yield
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.cleanup_ctx.append(lifetime)
    app.router.add_get("/healthz", healthz)
    app.router.add_post(r"/api/v1/conferences/{c:\d+}/checkins", check_in)
    app.router.add_post(r"/api/v1/conferences/{c:\d+}/comments", comment)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database", type=Path, required=True, help="SQLite file, created if missing")
    parser.add_argument("--tokens", type=Path, required=True, help="the bearer tokens it accepts, one a line")
    args = parser.parse_args()
    accepted = [line.strip() for line in args.tokens.read_text().splitlines() if line.strip()]
    web.run_app(create_app(args.database, accepted), host="127.0.0.1", port=args.port, print=None, shutdown_timeout=5)
