"""Approve or reject held remarks and comments, where the conference pre-moderates its input."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Comment, Remark
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.lookup import in_conference
from server.submissions.operations import (
    comment_audience,
    comment_dict,
    get_comment,
    remark_dict,
)

DECISIONS = ("approved", "rejected")


async def moderate_comment(session: AsyncSession, conference_id: int, comment_id: int, decision: str) -> Comment:
    """A decision is a change of the comment, so it takes a revision; repeating one changes nothing."""
    require_not_closed(await get_conference(session, conference_id))
    comment = await get_comment(session, conference_id, comment_id)
    if comment.moderation == decision:
        return comment
    comment.moderation = decision
    comment.revision += 1
    data = await comment_dict(session, comment)
    await events.append(session, conference_id, payloads.comment_moderated(data), comment_audience(comment))
    return comment


async def moderate_remark(session: AsyncSession, conference_id: int, remark_id: int, decision: str) -> Remark:
    require_not_closed(await get_conference(session, conference_id))
    remark = await in_conference(session, Remark, conference_id, remark_id, "remark", "remark_id")
    if remark.moderation == decision:
        return remark
    remark.moderation = decision
    data = await remark_dict(session, remark)
    audience = events.for_participant(remark.participant_id, remark.point_id)
    await events.append(session, conference_id, payloads.remark_moderated(data), audience)
    return remark
