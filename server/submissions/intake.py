"""The start of every submission (comment, remark, request for the floor), read once for a run of them.

The conference must still collect input; the author must be of this conference and, for an operator, of its
point. The authors come with their points' names, which every submission's answer shows.
"""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from schema.tables import Conference, Participant, Point
from server.conferences.operations import no_such_conference, require_collecting
from server.lookup import missing
from server.participants.operations import other_point

PEOPLE = Participant.__table__


async def read_intake(
    session: AsyncSession, conference_id: int, participant_ids: Collection[int], *settings: InstrumentedAttribute[Any]
) -> tuple[Row[Any] | None, dict[int, Row[Any]]]:
    """The conference's status and the `settings` the run needs, and the authors with `point_name`, by id."""
    conference = (
        await session.execute(select(Conference.status, *settings).where(Conference.id == conference_id))
    ).one_or_none()
    found = await session.execute(
        select(PEOPLE, Point.name.label("point_name"))
        .join(Point, Point.id == PEOPLE.c.point_id)
        .where(PEOPLE.c.conference_id == conference_id, PEOPLE.c.id.in_(set(participant_ids)))
    )
    return conference, {row.id: row for row in found}


def author(
    conference_id: int,
    conference: Row[Any] | None,
    people: dict[int, Row[Any]],
    participant_id: int,
    at_point: int | None,
) -> Row[Any]:
    """The author, or the first refusal that applies, in the order the API has always checked them."""
    if conference is None:
        raise no_such_conference(conference_id)
    require_collecting(conference)
    person = people.get(participant_id)
    if person is None:
        raise missing("participant", "participant_id", participant_id)
    if at_point is not None and person.point_id != at_point:
        raise other_point(person.id)
    return person
