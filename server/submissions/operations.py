"""Submit remarks and comments, and rule on comments against their revision."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Comment, DraftSection, Participant, Point, Remark, iso, utcnow
from server import events
from server.agenda.operations import get_item
from server.conferences.operations import (
    get_conference,
    require_collecting,
    require_not_closed,
)
from server.drafts.operations import current_draft
from server.errors import Conflict, Invalid
from server.lookup import in_conference
from server.participants.operations import get_participant


async def submit_remark(
    session: AsyncSession,
    conference_id: int,
    participant_id: int,
    title: str,
    body: str,
    agenda_item_id: int | None,
    actor: str,
    at_point: int | None = None,
) -> Remark:
    require_collecting(await get_conference(session, conference_id))
    person = await get_participant(session, conference_id, participant_id, at_point)
    if agenda_item_id is not None:
        await get_item(session, conference_id, agenda_item_id)
    remark = Remark(
        conference_id=conference_id,
        participant_id=person.id,
        point_id=person.point_id,
        agenda_item_id=agenda_item_id,
        title=title,
        body=body,
        submitted_by=actor,
        created_at=utcnow(),
    )
    session.add(remark)
    await session.flush()
    data = await remark_dict(session, remark)
    await events.append(session, conference_id, "remark.submitted", data, events.for_participant(person.id, person.point_id))
    return remark


async def submit_comment(
    session: AsyncSession,
    conference_id: int,
    participant_id: int,
    section_anchor: str | None,
    body: str,
    proposed_text: str | None,
    actor: str,
    at_point: int | None = None,
) -> Comment:
    """Record the comment against the current draft revision, whose anchor it must name."""
    require_collecting(await get_conference(session, conference_id))
    person = await get_participant(session, conference_id, participant_id, at_point)
    draft = await current_draft(session, conference_id)
    if section_anchor is not None:
        known = draft is not None and await session.scalar(
            select(DraftSection.id).where(DraftSection.draft_id == draft.id, DraftSection.anchor == section_anchor)
        )
        if not known:
            raise Invalid("No such section in the current draft", {"section_anchor": "unknown anchor"})
    comment = Comment(
        conference_id=conference_id,
        participant_id=person.id,
        point_id=person.point_id,
        draft_id=draft.id if draft else None,
        draft_revision=draft.revision if draft else None,
        section_anchor=section_anchor,
        body=body,
        proposed_text=proposed_text,
        revision=1,
        submitted_by=actor,
        created_at=utcnow(),
    )
    session.add(comment)
    await session.flush()
    data = await comment_dict(session, comment)
    await events.append(session, conference_id, "comment.submitted", data, events.for_participant(person.id, person.point_id))
    return comment


async def get_comment(session: AsyncSession, conference_id: int, comment_id: int) -> Comment:
    return await in_conference(session, Comment, conference_id, comment_id, "comment", "comment_id")


async def dispose_comment(
    session: AsyncSession, conference_id: int, comment_id: int, disposition: str, response: str, revision: int
) -> Comment:
    """Rule on a comment; a ruling based on an older revision is refused with the current state."""
    require_not_closed(await get_conference(session, conference_id))
    comment = await get_comment(session, conference_id, comment_id)
    if comment.revision != revision:
        raise Conflict(
            "The comment changed since you read it",
            {"current": await comment_dict(session, comment)},
            code="revision_conflict",
        )
    comment.disposition, comment.response = disposition, response
    comment.revision += 1
    comment.disposed_at = utcnow()
    data = await comment_dict(session, comment)
    await events.append(
        session, conference_id, "comment.disposed", data, events.for_participant(comment.participant_id, comment.point_id)
    )
    return comment


async def list_remarks(
    session: AsyncSession, conference_id: int, participant_id: int | None = None, point_id: int | None = None
) -> list[Remark]:
    await get_conference(session, conference_id)
    stmt = select(Remark).where(Remark.conference_id == conference_id).order_by(Remark.id)
    if participant_id is not None:
        stmt = stmt.where(Remark.participant_id == participant_id)
    if point_id is not None:
        stmt = stmt.where(Remark.point_id == point_id)
    return list((await session.scalars(stmt)).all())


async def list_comments(
    session: AsyncSession, conference_id: int, participant_id: int | None = None, point_id: int | None = None
) -> list[Comment]:
    await get_conference(session, conference_id)
    stmt = select(Comment).where(Comment.conference_id == conference_id).order_by(Comment.id)
    if participant_id is not None:
        stmt = stmt.where(Comment.participant_id == participant_id)
    if point_id is not None:
        stmt = stmt.where(Comment.point_id == point_id)
    return list((await session.scalars(stmt)).all())


async def _author(session: AsyncSession, participant_id: int, point_id: int) -> dict[str, Any]:
    person = await session.get(Participant, participant_id)
    point = await session.get(Point, point_id)
    assert person is not None and point is not None
    return {"author": person.full_name, "author_position": person.position, "point": point.name}


async def remark_dict(session: AsyncSession, remark: Remark) -> dict[str, Any]:
    return {
        "id": remark.id,
        "conference_id": remark.conference_id,
        "participant_id": remark.participant_id,
        "point_id": remark.point_id,
        "agenda_item_id": remark.agenda_item_id,
        "title": remark.title,
        "body": remark.body,
        "created_at": remark.created_at.isoformat(),
        **await _author(session, remark.participant_id, remark.point_id),
    }


async def comment_dict(session: AsyncSession, comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "conference_id": comment.conference_id,
        "participant_id": comment.participant_id,
        "point_id": comment.point_id,
        "draft_id": comment.draft_id,
        "draft_revision": comment.draft_revision,
        "section_anchor": comment.section_anchor,
        "body": comment.body,
        "proposed_text": comment.proposed_text,
        "disposition": comment.disposition,
        "response": comment.response,
        "revision": comment.revision,
        "created_at": comment.created_at.isoformat(),
        "disposed_at": iso(comment.disposed_at),
        **await _author(session, comment.participant_id, comment.point_id),
    }
