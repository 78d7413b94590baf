"""The summary's verbs: the closing statement the chair may rewrite, and the close that freezes the record."""
from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Conference
from server import events
from server.conferences import operations as conferences
from server.conferences.operations import get_conference, require_not_closed
from server.drafts.adopted import unresolved_conflicts
from server.errors import Conflict
from server.summary.compile import compile_summary
from server.summary.freeze import freeze_summary
from server.summary.statement import generated_statement


async def closing_statement(session: AsyncSession, conference_id: int) -> dict[str, Any]:
    """The statement the summary carries, and the generated one the chair can go back to."""
    model = await compile_summary(session, conference_id)
    return {**model["closing_statement"], "generated": generated_statement(model)}


async def set_closing_statement(
    session: AsyncSession, conference_id: int, text: str | None, actor: str
) -> dict[str, Any]:
    """Store the chair's wording; `None` returns to the generated draft, which follows the figures until close."""
    conference = await get_conference(session, conference_id)
    require_not_closed(conference)
    conference.closing_statement = text
    await session.flush()
    changed = payloads.summary_statement_changed(text is not None, actor)
    await events.append(session, conference_id, changed, events.STAFF)
    return await closing_statement(session, conference_id)


async def change_state(session: AsyncSession, conference_id: int, action: str) -> Conference:
    """Move the conference through its states; closing, once the adopted changes agree, freezes the record in the
    same transaction and tells the staff it is ready."""
    if action == "close" and (await get_conference(session, conference_id)).status != "closed":
        await _settled(session, conference_id)
    conference = await conferences.change_state(session, conference_id, action)
    if action == "close":
        await freeze_summary(session, conference)
        await events.append(session, conference_id, payloads.summary_ready(conference.summary_sha256), events.STAFF)
    return conference


async def _settled(session: AsyncSession, conference_id: int) -> None:
    """The record's revised draft must say what was adopted: two adopted changes that contradict each other are
    the chair's to settle by ruling again before the close freezes it."""
    conflicts = await unresolved_conflicts(session, conference_id)
    if conflicts:
        raise Conflict(
            "Adopted changes to the draft conflict; rule again so that one of each stays adopted before closing",
            {"conflicts": conflicts},
            code="unresolved_conflicts",
        )
