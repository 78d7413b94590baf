"""What the chair's rulings adopted into the draft: the one reading of comments as changes to the revised draft.

A ruling adopts (PROTOCOL v1.1): `accepted` takes the proposal as written; `partly_accepted` takes the chair's
counter-wording (`adopted_text`) and, without one, nothing: the drafters are left to word it. Other dispositions
adopt nothing, and neither does input held for moderation or rejected. A merged duplicate follows its original:
its ruling is a copy of the original's, so the original alone brings the change (both would be a conflict of a
proposal with itself whenever the copies' wordings differ).

This module reads the tables directly rather than through server.drafts.operations, so that the close (in
server.conferences) may ask it for conflicts without importing a package that imports server.conferences.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Comment, Draft, DraftSection
from server.drafts.revise import Change, revise

ADOPTING = ("accepted", "partly_accepted")
APPROVED = "approved"
# The keys of PROTOCOL's answer; `revise` also says which changes it could not apply, for the record's notes.
ANSWER_KEYS = ("sections", "renumbered", "references_updated", "conflicts")


def proposal_kind(comment: Comment) -> str | None:
    """The kind of change a comment proposes; v1's bare `proposed_text` is a replacement."""
    return comment.proposal_kind or ("replace" if comment.proposed_text else None)


def adopted_change(comment: Comment) -> Change | None:
    """The change a comment's ruling puts into the revised draft, or None when it adopts nothing."""
    kind = proposal_kind(comment)
    if (kind is None or comment.section_anchor is None or comment.moderation != APPROVED
            or comment.duplicate_of is not None or comment.disposition not in ADOPTING):
        return None
    if comment.disposition == "partly_accepted":
        if comment.adopted_text is None:
            return None
        return Change(comment.section_anchor, kind, comment.adopted_text, comment.id)
    return Change(comment.section_anchor, kind, comment.proposed_text, comment.id)


def adopted_changes(comments: Sequence[Comment]) -> list[Change]:
    """Every change the given comments' rulings adopt, in the order the comments came in."""
    return [change for c in sorted(comments, key=lambda c: c.id) if (change := adopted_change(c)) is not None]


async def latest_draft(session: AsyncSession, conference_id: int) -> Draft | None:
    """The draft the revised draft and the record are made from: the latest revision."""
    return await session.scalar(
        select(Draft)
        .where(Draft.conference_id == conference_id)
        .order_by(Draft.revision.desc(), Draft.id.desc())
        .limit(1)
    )


async def revision_of(session: AsyncSession, conference_id: int) -> dict[str, Any] | None:
    """`revise()` over the current draft and every adopted change (with its `ignored`); None without a draft."""
    draft = await latest_draft(session, conference_id)
    if draft is None:
        return None
    sections = (await session.scalars(
        select(DraftSection).where(DraftSection.draft_id == draft.id).order_by(DraftSection.position)
    )).all()
    comments = (await session.scalars(
        select(Comment).where(Comment.conference_id == conference_id, Comment.disposition.in_(ADOPTING))
    )).all()
    return revise(sections, adopted_changes(comments))


def answer(revision: dict[str, Any] | None) -> dict[str, Any]:
    """PROTOCOL's answer of `GET …/drafts/revised`: exactly its four keys (empty without a draft)."""
    if revision is None:
        return {key: [] for key in ANSWER_KEYS}
    return {key: revision[key] for key in ANSWER_KEYS}


async def unresolved_conflicts(session: AsyncSession, conference_id: int) -> list[dict[str, Any]]:
    """The conflicts between adopted changes that the chair has yet to settle by ruling again."""
    revision = await revision_of(session, conference_id)
    return [] if revision is None else revision["conflicts"]
