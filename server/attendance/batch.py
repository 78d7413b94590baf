"""Check-ins and check-outs by id queued together: planned against one load of the room, written set-wise.

A run of N of them costs about a dozen statements, not a dozen each: the conference, the people and the room
are read once; the new stays are one insert, the ended stays one update, the point counters one update per
point in one executemany, the conference's one update, the events one insert. The rules are the room's
(server/attendance/room.py), the same the single operations follow, so both paths agree on every count.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Checkin, Conference, Participant, Point, utcnow
from server import events
from server.attendance.operations import checked_in, checked_out
from server.attendance.room import Moves, Stay, room_of
from server.badges.operations import wrong_point
from server.conferences.operations import no_such_conference, require_not_closed
from server.errors import DomainError
from server.inserts import insert_rows
from server.lookup import missing
from server.participants.operations import other_point, participant_dict
from server.writes import Outcome, Step

COUNTERS = ("present", "substitutes", "walk_ins", "represented")
POINTS = Point.__table__
CHECKINS = Checkin.__table__
PEOPLE = Participant.__table__


@dataclass
class _Planned:
    step: CheckIn | CheckOut
    person: Row[Any]
    stay: Stay
    moves: Moves
    outcome: Outcome


async def _run(session: AsyncSession, conference_id: int, steps: list[CheckIn | CheckOut]) -> list[Outcome]:
    # The conference's status comes with its people, in the same statement; only a run naming nobody asks apart.
    found = (
        await session.execute(
            select(PEOPLE, Conference.status)
            .join(Conference, Conference.id == PEOPLE.c.conference_id)
            .where(PEOPLE.c.conference_id == conference_id, PEOPLE.c.id.in_({s.participant_id for s in steps}))
        )
    ).all()
    people = {row.id: row for row in found}
    conference = (
        found[0]
        if found
        else (await session.execute(select(Conference.status).where(Conference.id == conference_id))).one_or_none()
    )
    room = await room_of(session, list(people.values()))
    now = utcnow()
    outcomes: list[Outcome] = []
    planned: list[_Planned] = []
    for step in steps:
        outcome = Outcome()
        outcomes.append(outcome)
        try:
            person = await _person(session, conference_id, conference, people, step)
            stay, moves = room.admit(person, step.point_id, now) if isinstance(step, CheckIn) else room.release(person)
        except DomainError as error:
            outcome.error = error
            continue
        planned.append(_Planned(step, person, stay, moves, outcome))
    if planned:
        await _write(session, conference_id, planned, now)
    return outcomes


async def _person(
    session: AsyncSession,
    conference_id: int,
    conference: Row[Any] | None,
    people: dict[int, Row[Any]],
    step: CheckIn | CheckOut,
) -> Row[Any]:
    """The step's participant, refused as the single operations refuse it: closed, missing, of another point."""
    if conference is None:
        raise no_such_conference(conference_id)
    require_not_closed(conference)
    person = people.get(step.participant_id)
    if person is None:
        raise missing("participant", "participant_id", step.participant_id)
    if person.point_id != step.point_id:
        if isinstance(step, CheckIn) and step.by_code:
            raise await wrong_point(session, conference_id, person.id, person.point_id)
        raise other_point(person.id)
    return person


async def _write(session: AsyncSession, conference_id: int, planned: list[_Planned], now: datetime) -> None:
    arriving = [p for p in planned if isinstance(p.step, CheckIn)]
    leaving = [p for p in planned if isinstance(p.step, CheckOut)]
    if arriving:
        rows = [
            {"conference_id": conference_id, "point_id": p.stay.point_id, "participant_id": p.stay.participant_id,
             "substitute_for_id": p.stay.substitute_for_id, "walk_in": p.stay.walk_in, "checked_in_at": now,
             "checked_in_by": p.step.actor}
            for p in arriving
        ]
        # A participant is in a run once: their id tells the new stays apart.
        ids = await insert_rows(session, CHECKINS, rows, ("participant_id",))
        for p, stay_id in zip(arriving, ids, strict=True):
            p.stay.id = stay_id
    if leaving:
        await session.execute(
            update(CHECKINS)
            .where(CHECKINS.c.id == bindparam("stay_id"))
            .values(checked_out_at=now, checked_out_by=bindparam("actor")),
            [{"stay_id": p.stay.id, "actor": p.step.actor} for p in leaving],
        )
    await _count_points(session, planned, now)
    items = []
    for p in planned:
        if isinstance(p.step, CheckIn):
            arrived = checked_in(p.person, p.stay)
            p.outcome.answer = {**arrived.data, "participant_id": p.person.id}
            items.append((arrived, events.for_point(p.stay.point_id)))
        else:
            p.outcome.answer = participant_dict(p.person, None)
            items.append((checked_out(p.person, p.stay.id, now), events.for_point(p.stay.point_id)))
    totals = {name: sum(p.moves[name] for p in planned) for name in COUNTERS}
    for p, event in zip(planned, await events.append_many(session, conference_id, items, moving=totals), strict=True):
        p.outcome.events = [event]


async def _count_points(session: AsyncSession, planned: list[_Planned], now: datetime) -> None:
    """Move the point counters in SQL (`x = x + n`) like counters.adjust, one executemany for every point moved;
    the conference's move with the statement that numbers the events."""
    per_point: dict[int, dict[str, Any]] = defaultdict(lambda: {name: 0 for name in COUNTERS} | {"arrived": None})
    for p in planned:
        moved = per_point[p.stay.point_id]
        for name in COUNTERS:
            moved[name] += p.moves[name]
        if isinstance(p.step, CheckIn):
            moved["arrived"] = now
    await session.execute(
        update(POINTS)
        .where(POINTS.c.id == bindparam("point"))
        .values(
            {name: POINTS.c[name] + bindparam(f"moved_{name}") for name in COUNTERS}
            | {
                "last_checkin_at": func.coalesce(
                    bindparam("arrived", type_=POINTS.c.last_checkin_at.type), POINTS.c.last_checkin_at
                ),
                "totals_dirty": True,
            }
        ),
        [
            {"point": point_id, "arrived": moved["arrived"], **{f"moved_{n}": moved[n] for n in COUNTERS}}
            for point_id, moved in per_point.items()
        ],
    )


@dataclass(frozen=True)
class CheckIn(Step):
    """An operator checks in someone of its point by id, or by the code on their badge (`by_code`)."""

    point_id: int
    participant_id: int
    actor: str
    by_code: bool = False

    @property
    def key(self) -> Hashable:
        return self.participant_id

    run = staticmethod(_run)


@dataclass(frozen=True)
class CheckOut(Step):
    """An operator checks out someone of its point."""

    point_id: int
    participant_id: int
    actor: str

    @property
    def key(self) -> Hashable:
        return self.participant_id

    run = staticmethod(_run)
