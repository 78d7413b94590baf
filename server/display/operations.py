"""Put something on the big screen: one verb, its event, and the state a display that joins later reads."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Conference
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.display.projection import VIEWS, project, projectable

MODES = ("agenda", "section", "speakers", "message")
# A message is read from the back of the room in one glance: a sentence or two, not a speech.
MESSAGE_MAX = 500


@dataclass(frozen=True)
class Display:
    """What the chair put on the screen; fields a mode does not use are None (display.changed's data)."""

    mode: str = "agenda"
    anchor: str | None = None
    view: str | None = None
    text: str | None = None


def display_of(conference: Conference) -> Display:
    return Display(**conference.display) if conference.display else Display()


async def display_dict(session: AsyncSession, conference: Conference) -> dict[str, Any]:
    """The state with, in section mode, the section as the screen shows it (GET and PUT …/display answer this)."""
    shown = display_of(conference)
    section = None
    if shown.mode == "section" and shown.anchor is not None and shown.view in VIEWS:
        section = await project(session, conference.id, shown.anchor, shown.view)
    return {**asdict(shown), "section": section}


async def show(session: AsyncSession, conference_id: int, shown: Display) -> Conference:
    """Put `shown` on every screen of the conference; a section must be one of the current draft's."""
    conference = await get_conference(session, conference_id)
    require_not_closed(conference)
    if shown.mode == "section":
        assert shown.anchor is not None
        await projectable(session, conference_id, shown.anchor)
    conference.display = None if shown == Display() else asdict(shown)
    await events.append(session, conference_id, payloads.display_changed(asdict(shown)), events.PUBLIC)
    return conference
