"""Create, edit and move a conference through its states."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Conference, utcnow
from server import events
from server.errors import Closed, Conflict, NotFound

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({"draft", "collection_closed"}), "open"),
    "close-collection": (frozenset({"open"}), "collection_closed"),
    "reopen-collection": (frozenset({"collection_closed"}), "open"),
    "close": (frozenset({"draft", "open", "collection_closed"}), "closed"),
}

# What else ends when the conference closes (the live agenda item, the running speech), each step taking the
# session, the conference id and the close time. The agenda and speaking packages add their steps here when
# imported: they import this module, so it cannot import them.
CLOSING_STEPS: list[Callable[[AsyncSession, int, datetime], Awaitable[object]]] = []


async def get_conference(session: AsyncSession, conference_id: int) -> Conference:
    conference = await session.get(Conference, conference_id)
    if conference is None:
        raise no_such_conference(conference_id)
    return conference


def no_such_conference(conference_id: int) -> NotFound:
    return NotFound("No such conference", {"conference_id": conference_id})


def require_not_closed(conference: Conference | Row[Any]) -> None:
    if conference.status == "closed":
        raise Conflict("The conference is closed", {"status": conference.status}, code="conference_closed")


def require_collecting(conference: Conference | Row[Any]) -> None:
    if conference.status in ("collection_closed", "closed"):
        raise Closed("Collection of remarks, comments and speaking requests is closed", {"status": conference.status})


async def list_conferences(session: AsyncSession) -> list[Conference]:
    return list((await session.scalars(select(Conference).order_by(Conference.starts_at.desc(), Conference.id))).all())


async def create_conference(
    session: AsyncSession, title: str, starts_at: datetime, venue: str | None, chair_name: str | None
) -> Conference:
    conference = Conference(
        title=title, starts_at=starts_at, venue=venue, chair_name=chair_name, status="draft", last_seq=0
    )
    session.add(conference)
    await session.flush()
    await events.append(session, conference.id, payloads.conference_created(conference.id, title), events.STAFF)
    return conference


async def update_conference(session: AsyncSession, conference_id: int, changes: dict[str, object]) -> Conference:
    conference = await get_conference(session, conference_id)
    require_not_closed(conference)
    for name, value in changes.items():
        setattr(conference, name, value)
    await events.append(session, conference_id, payloads.conference_updated(conference_id, changes), events.PUBLIC)
    return conference


async def change_state(session: AsyncSession, conference_id: int, action: str) -> Conference:
    """Apply a TRANSITIONS action; opening an open conference changes nothing.

    Closing ends what is still running (CLOSING_STEPS) but neither checks nor freezes the record: close through
    server.summary.operations.change_state, which does all of it in one transaction.
    """
    conference = await get_conference(session, conference_id)
    allowed, target = TRANSITIONS[action]
    if conference.status == target and action == "open":
        return conference
    if conference.status not in allowed:
        raise Conflict(
            f"Cannot {action.replace('-', ' ')} a conference that is {conference.status}",
            {"status": conference.status, "action": action},
            code="invalid_state",
        )
    previous, conference.status = conference.status, target
    now = utcnow()
    if target == "open" and conference.opened_at is None:
        conference.opened_at = now
    if target == "collection_closed":
        conference.collection_closed_at = now
    reopened = previous == "collection_closed" and target == "open"
    if reopened:
        conference.collection_closed_at = None
    if target == "closed":
        conference.closed_at = now
        # Before the freeze, so that the record shows the last item and speech ending at the close.
        for step in CLOSING_STEPS:
            await step(session, conference_id, now)
        await session.flush()
    await events.append(session, conference_id, payloads.conference_state_changed(target, previous), events.PUBLIC)
    return conference
