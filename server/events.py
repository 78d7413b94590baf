"""The event log: append in the write's transaction, publish after commit, replay since a seq."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from schema.tables import Conference, Event, utcnow
from server import metrics
from server.auth.principal import Principal

PENDING = "pending_events"
ENDED = "ended_invitations"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Audience:
    """Who may see an event: everyone, staff, staff and one point, or staff and one participant."""

    visibility: str
    point_id: int | None = None
    participant_id: int | None = None

    @property
    def stream(self) -> str:
        """The name of the stream this audience's events form (see Event.stream)."""
        if self.visibility == "point":
            return f"point:{self.point_id}"
        if self.visibility == "participant":
            return f"participant:{self.participant_id}"
        return self.visibility


PUBLIC = Audience("public")
STAFF = Audience("staff")
# In a join's answer, the stream of a caller who sees every event: each seq must follow the one before.
EVERYTHING = "*"


def for_point(point_id: int) -> Audience:
    return Audience("point", point_id=point_id)


def for_participant(participant_id: int, point_id: int) -> Audience:
    return Audience("participant", point_id=point_id, participant_id=participant_id)


def envelope(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": event.type,
        "conference_id": event.conference_id,
        "at": event.at.isoformat(),
        "data": event.data,
        "stream": event.stream,
        "prev": event.prev_seq,
    }


async def append(session: AsyncSession, conference_id: int, type_: str, data: dict[str, Any], audience: Audience) -> Event:
    """Number the event from the conference's counter; the row lock keeps seq gapless across writers."""
    stream = audience.stream
    seq = (
        await session.execute(
            update(Conference)
            .where(Conference.id == conference_id)
            .values(last_seq=Conference.last_seq + 1)
            .returning(Conference.last_seq)
        )
    ).scalar_one()
    # Under the same lock, so no other writer can put an event between this one and its predecessor.
    prev = await session.scalar(
        select(func.coalesce(func.max(Event.seq), 0)).where(Event.conference_id == conference_id, Event.stream == stream)
    )
    event = Event(
        conference_id=conference_id,
        seq=seq,
        type=type_,
        at=utcnow(),
        data=data,
        visibility=audience.visibility,
        point_id=audience.point_id,
        participant_id=audience.participant_id,
        stream=stream,
        prev_seq=prev,
    )
    session.add(event)
    hold(session, [event])
    return event


async def append_many(
    session: AsyncSession, conference_id: int, items: list[tuple[str, dict[str, Any], Audience]], moving: dict[str, int] | None = None
) -> list[Event]:
    """Append a batch's events with three statements whatever their number: the seqs are taken from the counter
    at once, each event's `prev` follows its stream's head and then the event before it in the batch.

    `moving` adds to other counters of the conference in the statement that takes the seqs.
    """
    if not items:
        return []
    table = Conference.__table__
    newest = (
        await session.execute(
            update(table)
            .where(table.c.id == conference_id)
            .values({name: table.c[name] + n for name, n in (moving or {}).items()} | {"last_seq": table.c.last_seq + len(items)})
            .returning(table.c.last_seq)
        )
    ).scalar_one()
    streams = {audience.stream for _, _, audience in items}
    found = await session.execute(
        select(Event.stream, func.max(Event.seq))
        .where(Event.conference_id == conference_id, Event.stream.in_(streams))
        .group_by(Event.stream)
    )
    heads: dict[str, int] = {stream: seq for stream, seq in found}
    at = utcnow()
    rows = []
    for seq, (type_, data, audience) in enumerate(items, start=newest - len(items) + 1):
        stream = audience.stream
        rows.append({
            "conference_id": conference_id, "seq": seq, "type": type_, "at": at, "data": data,
            "visibility": audience.visibility, "point_id": audience.point_id, "participant_id": audience.participant_id,
            "stream": stream, "prev_seq": heads.get(stream, 0),
        })
        heads[stream] = seq
    await session.execute(insert(Event.__table__), rows)
    return [Event(**row) for row in rows]


async def prune(session: AsyncSession, conference_id: int, through_seq: int) -> None:
    """Drop the conference's events up to `through_seq`; a join from before them is answered with a snapshot."""
    if through_seq > 0:
        await session.execute(delete(Event).where(Event.conference_id == conference_id, Event.seq <= through_seq))


def hold(session: AsyncSession, appended: list[Event]) -> None:
    """Keep events appended in the write's transaction for the writer, which publishes them after its commit."""
    session.info.setdefault(PENDING, []).extend(appended)


def take_pending(session: AsyncSession) -> list[Event]:
    return session.info.pop(PENDING, [])


def end_invitation(session: AsyncSession, invitation_id: int) -> None:
    """Note, in the write's transaction, that an invitation stopped working; the writer acts on it after commit."""
    session.info.setdefault(ENDED, []).append(invitation_id)


def take_ended(session: AsyncSession) -> list[int]:
    return session.info.pop(ENDED, [])


def _room(conference_id: int, stream: str) -> str:
    """A stream's socket.io room: its events go there, and those who see the stream are in it."""
    return f"c{conference_id}:{stream}"


def rooms_for(event: Event) -> list[str]:
    """The event's stream, and staff's room too when the stream is one point's or one participant's."""
    c = event.conference_id
    if event.stream in (PUBLIC.stream, STAFF.stream):
        return [_room(c, event.stream)]
    return [_room(c, STAFF.stream), _room(c, event.stream)]


def rooms_of(principal: Principal, conference_id: int) -> list[str]:
    """The rooms a client joins: its streams' rooms (staff: public and staff, which together get every event)."""
    streams = streams_of(principal)
    if streams == [EVERYTHING]:
        streams = [PUBLIC.stream, STAFF.stream]
    return [_room(conference_id, stream) for stream in streams]


def streams_of(principal: Principal) -> list[str]:
    """The streams a caller sees; staff see every event, which `EVERYTHING` stands for."""
    if principal.is_staff:
        return [EVERYTHING]
    streams = [PUBLIC.stream]
    if principal.role == "operator" and principal.point_id is not None:
        streams.append(for_point(principal.point_id).stream)
    if principal.role == "delegate" and principal.participant_id is not None:
        streams.append(Audience("participant", participant_id=principal.participant_id).stream)
    return streams


def visible_to(principal: Principal) -> ColumnElement[bool]:
    streams = streams_of(principal)
    if streams == [EVERYTHING]:
        return Event.stream.is_not(None)
    return Event.stream.in_(streams)


@dataclass(frozen=True)
class Replay:
    """The missed events, or a signal that the gap is too old and state must be reloaded.

    `streams` gives, for each stream the caller sees, the seq of its newest event up to `seq`: the `prev`
    the next pushed event of that stream must carry, or the console missed one.
    """

    events: list[dict[str, Any]]
    seq: int
    snapshot: bool
    streams: dict[str, int]


async def replay(session: AsyncSession, principal: Principal, conference_id: int, after_seq: int, limit: int) -> Replay:
    """The newest seq, the oldest kept and each stream's head in one statement (one snapshot, so the heads never
    pass the newest seq); the missed events in a second, when there are any."""
    streams = streams_of(principal)
    mine = Event.conference_id == conference_id
    own = [] if streams == [EVERYTHING] else streams
    found = (
        await session.execute(
            select(
                select(Conference.last_seq).where(Conference.id == conference_id).scalar_subquery(),
                select(func.min(Event.seq)).where(mine).scalar_subquery(),
                *(select(func.max(Event.seq)).where(mine, Event.stream == stream).scalar_subquery() for stream in own),
            )
        )
    ).one()
    newest, oldest = found[0] or 0, found[1]
    heads = {stream: head or 0 for stream, head in zip(own, found[2:])} if own else {EVERYTHING: newest}
    # Events before `oldest` were pruned: a client that has not seen them cannot be brought up to date by replay.
    pruned = oldest is not None and after_seq < oldest - 1
    if after_seq > newest or pruned or newest - after_seq > limit:
        return Replay(events=[], seq=newest, snapshot=True, streams=heads)
    if max(heads.values(), default=0) <= after_seq:
        # Nothing in the caller's streams since: the common case of a console back after a restart.
        return Replay(events=[], seq=newest, snapshot=False, streams=heads)
    # Bounded by `newest`: on PostgreSQL each statement sees its own snapshot, and the heads stop there too.
    rows = (
        await session.scalars(
            select(Event)
            .where(mine, Event.seq > after_seq, Event.seq <= newest, visible_to(principal))
            .order_by(Event.seq)
        )
    ).all()
    return Replay(events=[envelope(e) for e in rows], seq=newest, snapshot=False, streams=heads)


class Emitter(Protocol):
    """The part of socket.io the publisher needs."""

    async def emit(self, event: str, data: Any, room: list[str]) -> None: ...


class Ender(Protocol):
    """What ends an invitation's hold after its revocation commits: remembered principals, then open sockets."""

    def forget(self) -> None: ...

    async def close(self, invitation_ids: list[int]) -> None: ...


@dataclass(frozen=True)
class _Ending:
    """A queue entry: close the sockets of these invitations, in order with the events around it."""

    invitation_ids: list[int]


class Publisher:
    """Sends committed events, in commit order, to the socket.io rooms allowed to see them.

    Writers only enqueue, so a slow room (hundreds of consoles) never holds the write lock;
    one task drains the queue, which keeps the seq order of every conference.
    """

    def __init__(self, emitter: Emitter, ender: Ender | None = None) -> None:
        self._emitter = emitter
        self._ender = ender
        self._queue: asyncio.Queue[list[tuple[dict[str, Any], list[str]]] | _Ending] = asyncio.Queue()
        self._listeners: list[Callable[[list[Event]], None]] = []

    def on_publish(self, listener: Callable[[list[Event]], None]) -> None:
        """Have `listener` called with each write's committed events, whichever write path committed them."""
        self._listeners.append(listener)

    def publish(self, events: list[Event]) -> None:
        if events:
            self._queue.put_nowait([(envelope(e), rooms_for(e)) for e in events])
            for listener in self._listeners:
                try:
                    listener(events)
                except Exception:
                    # The write is committed and its caller about to be answered; a listener's fault is its own.
                    log.exception("a listener to committed events failed")

    def end(self, invitation_ids: list[int]) -> None:
        """After the commit that revoked them: forget now, before the writer answers, so the next request is
        refused; close their sockets in queue order, so no event committed later reaches them."""
        if invitation_ids and self._ender is not None:
            self._ender.forget()
            self._queue.put_nowait(_Ending(invitation_ids))

    async def run(self) -> None:
        while True:
            batch = await self._queue.get()
            try:
                if isinstance(batch, _Ending):
                    assert self._ender is not None
                    await self._ender.close(batch.invitation_ids)
                else:
                    for data, rooms in batch:
                        await self._emitter.emit("event", data, room=rooms)
                    metrics.published(len(batch))
            except Exception:
                # Clients that missed it catch up by seq on their next join; the writer already answered.
                log.exception("publishing events failed")
            finally:
                self._queue.task_done()

    async def drain(self) -> None:
        await self._queue.join()
