"""The single write path: operations committed in order, with idempotent retries and events published after commit.

Writes to one conference go through one queue. Whatever arrived while a transaction was being
committed runs in the next one, each operation inside its own SAVEPOINT: a refusal undoes only
that operation, and one commit (one fsync) acknowledges them all. Callers are answered only
after that commit, and the events are handed to the publisher in seq order.

The frequent writes (check-ins, comments...) are `Step`s rather than functions: consecutive steps of one
kind run together, planned against state loaded once and written with one statement per table, so a
batch of them costs about what one costs. A step the plan refuses writes nothing and fails alone.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from sqlalchemy import insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from schema.tables import Conference, Event, IdempotencyRecord
from server import events, metrics
from server.delivery import Publisher
from server.errors import Conflict, Invalid, Unavailable
from server.keys import writers_key

Operation = Callable[[AsyncSession], Awaitable[dict[str, Any]]]
BATCH = 64


@dataclass
class Outcome:
    """What one step of a run came to: its answer and events, or the error that refused it and wrote nothing."""

    answer: dict[str, Any] | None = None
    error: Exception | None = None
    events: list[Event] = field(default_factory=list)


class Step(ABC):
    """A frequent write that runs together with the steps of its kind queued beside it."""

    @property
    @abstractmethod
    def key(self) -> Hashable:
        """Two steps with the same key (one participant's check-in and check-out) never share a run."""

    @staticmethod
    @abstractmethod
    async def run(session: AsyncSession, conference_id: int, steps: list[Any]) -> list[Outcome]:
        """Plan every step in order against state loaded once, write the accepted ones set-wise; one outcome each."""
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
        digest = hashlib.sha256(
            json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
        ).hexdigest()
        return cls(scope=scope, key=key, request_hash=digest)


@dataclass
class _Job:
    operation: Operation | Step
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
            return _stored(record, key)
    assert not isinstance(job.operation, Step)
    body = await job.operation(session)
    if key is not None:
        session.add(
            IdempotencyRecord(scope=key.scope, key=key.key, request_hash=key.request_hash, status=job.status, body=body)
        )
    return job.status, body


def alone(step: Step, conference_id: int) -> Operation:
    """The step as an ordinary operation, for a caller whose writes are wrapped (staff: the audit trail)."""

    async def operation(session: AsyncSession) -> dict[str, Any]:
        [outcome] = await step.run(session, conference_id, [step])
        if outcome.error is not None:
            raise outcome.error
        events.hold(session, outcome.events)
        assert outcome.answer is not None
        return outcome.answer

    return operation


def _stored(record: IdempotencyRecord, key: Idempotency) -> tuple[int, dict[str, Any]]:
    """The answer kept for a key, unless the key now comes with a different request."""
    if record.request_hash != key.request_hash:
        raise Conflict(
            "This Idempotency-Key was used with a different request",
            {"idempotency_key": key.key},
            code="idempotency_mismatch",
        )
    return record.status, record.body


def _runs(batch: list[_Job]) -> list[list[_Job]]:
    """Split a batch, in order, into single operations and runs of steps of one kind.

    A run ends before a step whose key or idempotency key is already in it: a participant checked in and
    out in one batch, or a retried request racing its first try, is planned after the run has been written.
    """
    runs: list[list[_Job]] = []
    keys: set[Hashable] = set()
    for job in batch:
        step = job.operation if isinstance(job.operation, Step) else None
        last = runs[-1][0].operation if runs else None
        mine = set() if step is None else {step.key}
        if job.idempotency is not None:
            mine.add((job.idempotency.scope, job.idempotency.key))
        if step is None or not isinstance(last, Step) or last.run is not step.run or keys & mine:
            runs.append([])
            keys = set()
        runs[-1].append(job)
        keys |= mine
    return runs


class ShuttingDown(Unavailable):
    """A write that arrived after shutdown began; nothing of it was written."""

    code = "shutting_down"


class WriteQueue:
    """The ordered writer of one conference (or of the writes that belong to none)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        conference_id: int | None,
        retention: int,
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
            async with self._sessions() as session, session.begin():
                await self._lock(session)
                for run in _runs(batch):
                    if isinstance(run[0].operation, Step):
                        await self._attempt_run(session, run)
                    else:
                        await self._attempt(session, run[0])
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

    async def _attempt_run(self, session: AsyncSession, run: list[_Job]) -> None:
        """Answer retried steps from their stored answers, run the rest together; should the run fail as a whole
        (a constraint its plan did not foresee), each step runs alone, so only the faulty one fails."""
        assert self._conference_id is not None
        fresh = await _answer_stored(session, run)
        if not fresh:
            return
        try:
            await self._run_steps(session, fresh)
        except Exception:
            log.exception("a run of %d steps failed; running each alone", len(fresh))
            for job in fresh:
                await self._run_steps(session, [job])

    async def _run_steps(self, session: AsyncSession, jobs: list[_Job]) -> None:
        """Run the steps in one savepoint; a failure of a lone step is its error, of several is raised."""
        assert self._conference_id is not None
        step = jobs[0].operation
        assert isinstance(step, Step)
        try:
            async with session.begin_nested():
                outcomes = await step.run(session, self._conference_id, [job.operation for job in jobs])
                kept = [
                    {
                        "scope": job.idempotency.scope,
                        "key": job.idempotency.key,
                        "request_hash": job.idempotency.request_hash,
                        "status": job.status,
                        "body": outcome.answer,
                    }
                    for job, outcome in zip(jobs, outcomes, strict=True)
                    if job.idempotency is not None and outcome.error is None
                ]
                if kept:
                    await session.execute(insert(IdempotencyRecord.__table__), kept)
        except Exception as error:
            if len(jobs) == 1:
                jobs[0].error = error
                return
            raise
        for job, outcome in zip(jobs, outcomes, strict=True):
            if outcome.error is not None:
                job.error = outcome.error
            else:
                assert outcome.answer is not None
                job.answer, job.events = (job.status, outcome.answer), outcome.events


async def _answer_stored(session: AsyncSession, run: list[_Job]) -> list[_Job]:
    """Answer the steps whose idempotency key already has an answer (one query for the run); the others remain."""
    keys = [(job.idempotency.scope, job.idempotency.key) for job in run if job.idempotency is not None]
    if not keys:
        return run
    found = await session.scalars(
        select(IdempotencyRecord).where(tuple_(IdempotencyRecord.scope, IdempotencyRecord.key).in_(keys))
    )
    records = {(record.scope, record.key): record for record in found}
    fresh = []
    for job in run:
        record = None if job.idempotency is None else records.get((job.idempotency.scope, job.idempotency.key))
        if record is None:
            fresh.append(job)
            continue
        assert job.idempotency is not None
        try:
            job.answer = _stored(record, job.idempotency)
        except Conflict as error:
            job.error = error
    return fresh


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
            queue = self._queues[conference_id] = WriteQueue(
                self._sessions, self._publisher, conference_id, self._retention
            )
        return queue


async def perform(
    app: web.Application,
    conference_id: int | None,
    operation: Operation | Step,
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
