"""The single write path: operations committed in order, with idempotent retries and events published after commit.

Writes to one conference go through one queue. Whatever arrived while a transaction was being
committed runs in the next one, each operation inside its own SAVEPOINT: a refusal undoes only
that operation, and one commit (one fsync) acknowledges them all. Callers are answered only
after that commit, and the events are handed to the publisher in seq order.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schema.tables import Conference, IdempotencyRecord
from server import events, metrics
from server.errors import Conflict, Invalid, Unavailable
from server.events import Publisher
from server.keys import writers_key

Operation = Callable[[AsyncSession], Awaitable[dict[str, Any]]]
BATCH = 64
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Idempotency:
    """A client's key for a create, scoped to the caller, with a digest of what it asked."""

    scope: str
    key: str
    request_hash: str

    @classmethod
    def of(cls, scope: str, key: str | None, payload: Any) -> Idempotency | None:
        if key is None:
            return None
        if not isinstance(key, str) or not key.strip() or len(key) > 255:
            raise Invalid("Idempotency-Key must be 1 to 255 characters", {"idempotency_key": "invalid"})
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
        return cls(scope=scope, key=key, request_hash=digest)


@dataclass
class _Job:
    operation: Operation
    status: int
    idempotency: Idempotency | None
    done: asyncio.Future[tuple[int, dict[str, Any]]]
    answer: tuple[int, dict[str, Any]] | None = None
    error: BaseException | None = None
    events: list[Any] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)
    entered: float = field(default_factory=time.monotonic)


async def _run(session: AsyncSession, job: _Job) -> tuple[int, dict[str, Any]]:
    """One operation, or the stored answer to its idempotency key."""
    key = job.idempotency
    if key is not None:
        record = await session.scalar(
            select(IdempotencyRecord).where(IdempotencyRecord.scope == key.scope, IdempotencyRecord.key == key.key)
        )
        if record is not None:
            if record.request_hash != key.request_hash:
                raise Conflict(
                    "This Idempotency-Key was used with a different request", {"idempotency_key": key.key}, code="idempotency_mismatch"
                )
            return record.status, record.body
    body = await job.operation(session)
    if key is not None:
        session.add(IdempotencyRecord(scope=key.scope, key=key.key, request_hash=key.request_hash, status=job.status, body=body))
    return job.status, body


class ShuttingDown(Unavailable):
    """A write that arrived after shutdown began; nothing of it was written."""

    code = "shutting_down"


class WriteQueue:
    """The ordered writer of one conference (or of the writes that belong to none)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], publisher: Publisher, conference_id: int | None, retention: int
    ) -> None:
        self._sessions = sessions
        self._publisher = publisher
        self._conference_id = conference_id
        self._retention = retention
        self._jobs: list[_Job] = []
        self._draining: asyncio.Task[None] | None = None

    def submit(self, job: _Job) -> None:
        self._jobs.append(job)
        if self._draining is None:
            self._draining = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._jobs:
                batch, self._jobs = self._jobs[:BATCH], self._jobs[BATCH:]
                await self._commit(batch)
        finally:
            self._draining = None

    async def _commit(self, batch: list[_Job]) -> None:
        try:
            async with self._sessions() as session:
                async with session.begin():
                    await self._lock(session)
                    for job in batch:
                        await self._attempt(session, job)
                    await self._prune(session, batch)
        except BaseException as error:
            for job in batch:
                if not job.done.done():
                    job.done.set_exception(error)
            metrics.write_failed(len(batch))
            if not isinstance(error, Exception):
                raise
            return
        for job in batch:
            metrics.write_committed(job.entered)
            if job.error is not None:
                job.done.set_exception(job.error)
            else:
                assert job.answer is not None
                self._publisher.publish(job.events)
                self._publisher.end(job.ended)
                job.done.set_result(job.answer)

    async def _lock(self, session: AsyncSession) -> None:
        """On PostgreSQL, hold the conference row first, so the batch runs alone among every process's writers.

        SQLite's BEGIN IMMEDIATE gives that already. Without it, two processes' operations could both pass a
        check (is this participant still out?) before either committed; once the lock is ours, each statement
        reads what the other processes committed before us.
        """
        if self._conference_id is not None and session.get_bind().dialect.name == "postgresql":
            await session.execute(select(Conference.id).where(Conference.id == self._conference_id).with_for_update())

    async def _prune(self, session: AsyncSession, batch: list[_Job]) -> None:
        """Keep the newest `retention` events of the conference; older gaps are answered with a snapshot."""
        newest = max((event.seq for job in batch for event in job.events), default=None)
        if self._retention and self._conference_id is not None and newest is not None:
            await events.prune(session, self._conference_id, newest - self._retention)

    @staticmethod
    async def _attempt(session: AsyncSession, job: _Job) -> None:
        try:
            async with session.begin_nested():
                job.answer = await _run(session, job)
                await session.flush()
        except Exception as error:
            job.error = error
            events.take_pending(session)
            events.take_ended(session)
            return
        job.events = events.take_pending(session)
        job.ended = events.take_ended(session)


class Writers:
    """One WriteQueue per conference, made on first use."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], publisher: Publisher, retention: int = 0) -> None:
        self._sessions = sessions
        self._publisher = publisher
        self._retention = retention
        self._queues: dict[int | None, WriteQueue] = {}
        # Set when shutdown begins: new writes are refused, the ones already queued still commit.
        self.closing = False

    async def drain(self) -> None:
        """Wait until every queue is empty; a write's commit may queue another (presence), so loop."""
        while busy := [q._draining for q in self._queues.values() if q._draining is not None]:
            await asyncio.gather(*busy, return_exceptions=True)

    def __getitem__(self, conference_id: int | None) -> WriteQueue:
        queue = self._queues.get(conference_id)
        if queue is None:
            queue = self._queues[conference_id] = WriteQueue(self._sessions, self._publisher, conference_id, self._retention)
        return queue


async def perform(
    app: web.Application,
    conference_id: int | None,
    operation: Operation,
    status: int = 200,
    idempotency: Idempotency | None = None,
    during_shutdown: bool = False,
) -> tuple[int, dict[str, Any]]:
    """Run one operation in order with the conference's other writes; answer after its commit.

    `during_shutdown` lets the server's own bookkeeping (a socket's presence as it is disconnected) through.
    """
    writers = app[writers_key]
    if writers.closing and not during_shutdown:
        raise ShuttingDown("The server is restarting; try again in a moment", code="shutting_down")
    done: asyncio.Future[tuple[int, dict[str, Any]]] = asyncio.get_running_loop().create_future()
    writers[conference_id].submit(_Job(operation, status, idempotency, done))
    metrics.inflight(1)
    try:
        return await done
    finally:
        metrics.inflight(-1)


def perform_soon(app: web.Application, conference_id: int | None, operation: Operation) -> None:
    """Queue the server's own bookkeeping without waiting for its commit, once shutdown has begun.

    Thousands of sockets are let go at once then, each taking its operator off the presence count; the
    queues are drained before the process exits, so the writes commit all the same, and the sockets'
    connections close without waiting for them.
    """
    done: asyncio.Future[tuple[int, dict[str, Any]]] = asyncio.get_running_loop().create_future()
    done.add_done_callback(_unanswered)
    app[writers_key][conference_id].submit(_Job(operation, 200, None, done))


def _unanswered(done: asyncio.Future[tuple[int, dict[str, Any]]]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.warning("a write made during shutdown failed", exc_info=done.exception())
