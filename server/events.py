"""The event log: append in the write's transaction, hold for publishing after commit, replay since a seq.

The log knows streams, not roles: which streams a caller sees is server/auth/visibility.py, and the
socket.io rooms committed events go to are server/delivery.py.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from schema.events.payloads import Payload
from schema.tables import Conference, Event, utcnow

PENDING = "pending_events"
ENDED = "ended_invitations"


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


async def append(session: AsyncSession, conference_id: int, payload: Payload, audience: Audience) -> Event:
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
        select(func.coalesce(func.max(Event.seq), 0)).where(
            Event.conference_id == conference_id, Event.stream == stream
        )
    )
    event = Event(
        conference_id=conference_id,
        seq=seq,
        type=payload.type,
        at=utcnow(),
        data=payload.data,
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
    session: AsyncSession,
    conference_id: int,
    items: list[tuple[Payload, Audience]],
    moving: dict[str, int] | None = None,
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
            .values(
                {name: table.c[name] + n for name, n in (moving or {}).items()}
                | {"last_seq": table.c.last_seq + len(items)}
            )
            .returning(table.c.last_seq)
        )
    ).scalar_one()
    streams = {audience.stream for _, audience in items}
    found = await session.execute(
        select(Event.stream, func.max(Event.seq))
        .where(Event.conference_id == conference_id, Event.stream.in_(streams))
        .group_by(Event.stream)
    )
    heads: dict[str, int] = {stream: seq for stream, seq in found}
    at = utcnow()
    rows = []
    for seq, (payload, audience) in enumerate(items, start=newest - len(items) + 1):
        stream = audience.stream
        rows.append({
            "conference_id": conference_id, "seq": seq, "type": payload.type, "at": at, "data": payload.data,
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
    pending: list[Event] = session.info.pop(PENDING, [])
    return pending


def end_invitation(session: AsyncSession, invitation_id: int) -> None:
    """Note, in the write's transaction, that an invitation stopped working; the writer acts on it after commit."""
    session.info.setdefault(ENDED, []).append(invitation_id)


def take_ended(session: AsyncSession) -> list[int]:
    ended: list[int] = session.info.pop(ENDED, [])
    return ended


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


async def replay(
    session: AsyncSession, conference_id: int, streams: Sequence[str], after_seq: int, limit: int
) -> Replay:
    """What `streams` (or every stream, `[EVERYTHING]`) missed since `after_seq`.

    The newest seq, the oldest kept and each stream's head in one statement (one snapshot, so the heads never
    pass the newest seq); the missed events in a second, when there are any."""
    mine = Event.conference_id == conference_id
    own = [] if list(streams) == [EVERYTHING] else list(streams)
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
    heads = {stream: head or 0 for stream, head in zip(own, found[2:], strict=True)} if own else {EVERYTHING: newest}
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
            .where(mine, Event.seq > after_seq, Event.seq <= newest, _within(own))
            .order_by(Event.seq)
        )
    ).all()
    return Replay(events=[envelope(e) for e in rows], seq=newest, snapshot=False, streams=heads)


def _within(own: list[str]) -> ColumnElement[bool]:
    """Events of these streams; none named means every stream."""
    return Event.stream.in_(own) if own else Event.stream.is_not(None)
