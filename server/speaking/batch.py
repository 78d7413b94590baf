"""Requests for the floor queued together: checked against one read of the room and the queue, inserted at once.

A request that comes alone (or from the demo replay, through `alone`) runs the same plan as a run of one, so
each request of a run is answered, refused or announced exactly as it would have been alone: the refusals are
built by the functions the other writes use, and each `speaking.queue_changed` carries the queue as it stands
after that request, kept current in memory as the run's requests join it.
"""
from __future__ import annotations

from bisect import insort
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Conference, SpeakingRequest, utcnow
from server import events
from server.attendance.room import Room, room_of
from server.errors import DomainError
from server.inserts import insert_rows
from server.lookup import missing
from server.participants.operations import not_present
from server.speaking.limits import Limits, agenda_limits, quota_exhausted, used_by_point
from server.speaking.operations import (
    ACTIVE,
    already_requested,
    queue_rows,
    request_view,
    row_view,
)
from server.submissions.intake import author, read_intake
from server.writes import Outcome, Step

REQUESTS = SpeakingRequest.__table__


@dataclass(frozen=True)
class _Intake:
    """What every request of a run is checked against before the queue: the conference, the speakers with their
    points' names, who of them is in the room, each point's use of the floor and the agenda."""

    conference: Row[Any] | None
    people: dict[int, Row[Any]]
    room: Room
    used: dict[int, int]
    limits: Limits

    def speaker(self, conference_id: int, step: AskToSpeak) -> Row[Any]:
        """The step's speaker, or the first refusal that applies, checked in the order the API has always checked."""
        person = author(conference_id, self.conference, self.people, step.participant_id, step.at_point)
        assert self.conference is not None
        quota = self.conference.speaking_quota_seconds
        # A point of order goes past the quota.
        if not step.point_of_order and quota is not None:
            spent = self.used.get(person.point_id, 0)
            if spent >= quota:
                raise quota_exhausted(person.point_id, spent, quota)
        if step.agenda_item_id is not None and step.agenda_item_id not in self.limits.items:
            raise missing("agenda item", "item_id", step.agenda_item_id)
        if self.room.stay_of(person.id) is None:
            raise not_present(person.id, "ask to speak")
        return person


async def _intake(session: AsyncSession, conference_id: int, steps: list[AskToSpeak]) -> _Intake:
    conference, people = await read_intake(
        session, conference_id, [s.participant_id for s in steps], Conference.speaking_quota_seconds
    )
    counted = conference is not None and conference.speaking_quota_seconds is not None
    used = await used_by_point(session, conference_id) if counted and any(not s.point_of_order for s in steps) else {}
    return _Intake(
        conference,
        people,
        await room_of(session, list(people.values())),
        used,
        await agenda_limits(session, conference_id),
    )


async def _run(session: AsyncSession, conference_id: int, steps: list[AskToSpeak]) -> list[Outcome]:
    intake = await _intake(session, conference_id, steps)
    outcomes = [Outcome() for _ in steps]
    checked: list[tuple[AskToSpeak, Outcome, Row[Any]]] = []
    for step, outcome in zip(steps, outcomes, strict=True):
        try:
            checked.append((step, outcome, intake.speaker(conference_id, step)))
        except DomainError as error:
            outcome.error = error
    if not checked:
        return outcomes
    queue = await queue_rows(session, conference_id)
    waiting = {row.participant_id: row.id for row in queue if row.status in ACTIVE}
    positions = [row.position for row in queue]
    lowest, highest = min(positions, default=None), max(positions, default=None)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    accepted: list[tuple[Outcome, Row[Any]]] = []
    for step, outcome, person in checked:
        if person.id in waiting:
            outcome.error = already_requested(waiting[person.id])
            continue
        # Numbered one after another as if each came alone: a point of order below the lowest position, others above
        # the highest (a point of order never goes below 0, as it never has: several at 0 keep their order by id).
        position = (lowest or 1) - 1 if step.point_of_order else (highest or 0) + 1
        lowest = position if lowest is None else min(lowest, position)
        highest = position if highest is None else max(highest, position)
        rows.append({
            "conference_id": conference_id, "participant_id": person.id, "point_id": person.point_id,
            "agenda_item_id": step.agenda_item_id, "topic": step.topic, "point_of_order": step.point_of_order,
            "time_limit_seconds": None, "status": "queued", "position": position, "requested_at": now,
            "granted_at": None, "started_at": None, "finished_at": None,
        })
        accepted.append((outcome, person))
    if not rows:
        return outcomes
    # A participant asks once in a run: their id tells the new requests apart.
    ids = await insert_rows(session, REQUESTS, rows, ("participant_id",))
    limits = intake.limits
    current = [((row.position, row.id), row_view(row, limits)) for row in queue]
    items = []
    for row, request_id, (outcome, person) in zip(rows, ids, accepted, strict=True):
        request = SpeakingRequest(**row, id=request_id)
        outcome.answer = request_view(
            request, person.full_name, person.position, person.point_name, limits.of(None, request.agenda_item_id)
        )
        insort(current, ((request.position, request_id), outcome.answer), key=lambda entry: entry[0])
        items.append((payloads.speaking_queue_changed(outcome.answer, [view for _, view in current]), events.PUBLIC))
    for (outcome, _), event in zip(accepted, await events.append_many(session, conference_id, items), strict=True):
        outcome.events = [event]
    return outcomes


@dataclass(frozen=True)
class AskToSpeak(Step):
    """A delegate asks for the floor, or its point's operator asks for someone there (`at_point`)."""

    participant_id: int
    topic: str | None
    agenda_item_id: int | None
    point_of_order: bool
    at_point: int | None = None

    @property
    def key(self) -> Hashable:
        # A second request of the same participant is checked against the first one written.
        return self.participant_id

    run = staticmethod(_run)
