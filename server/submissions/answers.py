"""The author's answer to the chair's ruling on a comment (ý kiến của người góp ý): agrees or not, and why.

Only the comment's author answers: the delegate who wrote it, or the operator who filed it for them. The answer
follows a ruling and may change until the conference closes; a new ruling clears it (it answered the old one).
An answer is a change of the comment, so it takes a revision: a chair ruling again from what they read before
the answer is told so.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Comment, utcnow
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Conflict, Forbidden
from server.submissions.operations import comment_audience, comment_dict, get_comment


@dataclass(frozen=True)
class Answerer:
    """Who asks to answer: a delegate (its participant) or an operator (its actor label, matched to who filed)."""

    participant_id: int | None
    actor: str


def require_author(comment: Comment, who: Answerer) -> None:
    """The delegate who made the comment, or whoever filed it for them; anyone else is refused."""
    own = who.participant_id is not None and comment.participant_id == who.participant_id
    filed = who.participant_id is None and comment.participant_id is not None and comment.submitted_by == who.actor
    if not (own or filed):
        raise Forbidden("Only the comment's author answers its ruling", {"comment_id": comment.id})


async def answerable(session: AsyncSession, conference_id: int, comment_id: int, who: Answerer) -> Comment:
    """The comment, once the caller is known to be its author (checked before the answer's own fields)."""
    comment = await get_comment(session, conference_id, comment_id)
    require_author(comment, who)
    return comment


async def answer_ruling(
    session: AsyncSession, conference_id: int, comment: Comment, agrees: bool, text: str | None
) -> Comment:
    """Record the author's answer; refused before a ruling and after the close."""
    require_not_closed(await get_conference(session, conference_id))
    if comment.disposition is None:
        raise Conflict("The comment has not been ruled on yet", {"disposition": None}, code="not_ruled")
    comment.author_agrees, comment.author_answer, comment.author_answered_at = agrees, text, utcnow()
    comment.revision += 1
    answered = payloads.comment_answered(await comment_dict(session, comment))
    await events.append(session, conference_id, answered, comment_audience(comment))
    return comment
