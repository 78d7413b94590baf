"""Who is in the room: the open stays a set of check-ins and check-outs reads, and how each one moves the counters.

Both write paths use it: the single operation loads the room for its one person, the batch loads it once for
every person of the batch and plans the changes in order against it, so the second check-in of a batch sees
the first.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Checkin
from server.errors import Conflict


class Person(Protocol):
    """What the rules need to know of a participant: a roster row or an ORM object both do."""

    id: int
    on_roster: bool
    substitute_for_id: int | None


@dataclass
class Stay:
    """An open stay; `id` is None until a batch inserts it."""

    participant_id: int
    point_id: int
    substitute_for_id: int | None
    walk_in: bool
    checked_in_at: datetime
    id: int | None = None


Moves = dict[str, int]
STAY_COLUMNS = (
    Checkin.id,
    Checkin.participant_id,
    Checkin.point_id,
    Checkin.substitute_for_id,
    Checkin.walk_in,
    Checkin.checked_in_at,
)


class Room:
    """The open stays of some people and of whoever stands in for them, kept current as changes are planned."""

    def __init__(self, stays: Collection[Stay]) -> None:
        self._stays = {stay.participant_id: stay for stay in stays}

    def stay_of(self, participant_id: int) -> Stay | None:
        return self._stays.get(participant_id)

    def substitute_for(self, roster_member_id: int, other_than: int | None = None) -> Stay | None:
        """The open stay of someone attending in place of the roster member, if any (besides participant
        `other_than`)."""
        for stay in self._stays.values():
            if stay.substitute_for_id == roster_member_id and stay.participant_id != other_than:
                return stay
        return None

    def admit(self, person: Person, point_id: int, at: datetime) -> tuple[Stay, Moves]:
        """Plan the person's check-in, refusing it if they are here already or their principal is represented."""
        if self.stay_of(person.id) is not None:
            raise Conflict("Already checked in", {"participant_id": person.id}, code="already_checked_in")
        # Someone checked in again by id keeps what they came as: a substitute stays one, a walk-in stays one.
        stands_in_for = person.substitute_for_id
        if stands_in_for is not None and self.substitute_for(stands_in_for) is not None:
            raise Conflict(
                "Another substitute for this roster member is already present",
                {"substitute_for": stands_in_for},
                code="already_represented",
            )
        stay = Stay(
            participant_id=person.id,
            point_id=point_id,
            substitute_for_id=stands_in_for,
            walk_in=not person.on_roster and stands_in_for is None,
            checked_in_at=at,
        )
        moves = self._moves(stay, person.on_roster, 1)
        self._stays[person.id] = stay
        return stay, moves

    def release(self, person: Person) -> tuple[Stay, Moves]:
        """Plan the end of the person's present stay (check-out, undo, strike)."""
        stay = self.stay_of(person.id)
        if stay is None:
            raise Conflict("Not checked in", {"participant_id": person.id}, code="not_checked_in")
        moves = self._moves(stay, person.on_roster, -1)
        del self._stays[person.id]
        return stay, moves

    def _moves(self, stay: Stay, roster_member: bool, sign: int) -> Moves:
        """How a stay starting (sign 1) or ending (-1) moves the counters; called before the room changes."""
        moves = {"present": sign, "substitutes": 0, "walk_ins": 0, "represented": 0}
        if stay.substitute_for_id is not None:
            moves["substitutes"] = sign
            # The roster member counts as represented only while absent, and once however many stand in.
            absent = self.stay_of(stay.substitute_for_id) is None
            alone = self.substitute_for(stay.substitute_for_id, other_than=stay.participant_id) is None
            if absent and alone:
                moves["represented"] = sign
        elif stay.walk_in:
            moves["walk_ins"] = sign
        elif roster_member and self.substitute_for(stay.participant_id) is not None:
            # Arriving in person, the roster member is no longer represented by the substitute still in the room.
            moves["represented"] = -sign
        return moves


async def room_of(session: AsyncSession, people: Collection[Person], also: Collection[int] = ()) -> Room:
    """The open stays of these people, of the roster members they stand in for, of `also`, and of their substitutes."""
    ids = {p.id for p in people} | {p.substitute_for_id for p in people if p.substitute_for_id is not None} | set(also)
    if not ids:
        return Room(())
    rows = await session.execute(
        select(*STAY_COLUMNS).where(
            Checkin.checked_out_at.is_(None), or_(Checkin.participant_id.in_(ids), Checkin.substitute_for_id.in_(ids))
        )
    )
    return Room([Stay(participant_id=r.participant_id, point_id=r.point_id, substitute_for_id=r.substitute_for_id,
                      walk_in=r.walk_in, checked_in_at=r.checked_in_at, id=r.id) for r in rows])
