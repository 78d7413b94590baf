"""Rule on comments against the revision the chair read, one or many at once, and merge duplicates.

A duplicate always points at a comment that is not itself a duplicate, so ruling that comment
reaches every copy in the same transaction, and each copy's author hears of it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Comment, utcnow
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.errors import Conflict, Invalid, NotFound
from server.submissions.operations import (
    comment_audience,
    comment_dict,
    get_comment,
    load_authors,
)

# The chair's counter-wording replaces a proposed text: a ruling may carry one where the proposal has a text to replace.
WORDED = ("replace", "insert_after")


@dataclass(frozen=True)
class Ruling:
    """One ruling as the chair sent it, with the revision it was based on."""

    comment_id: int
    revision: int
    disposition: str
    response: str
    adopted_text: str | None = None


async def _copies(session: AsyncSession, comments: Sequence[Comment]) -> dict[int, list[Comment]]:
    """The duplicates of each given comment, oldest first, in one query."""
    found: dict[int, list[Comment]] = {c.id: [] for c in comments}
    rows = await session.scalars(select(Comment).where(Comment.duplicate_of.in_(list(found))).order_by(Comment.id))
    for row in rows:
        assert row.duplicate_of is not None
        found[row.duplicate_of].append(row)
    return found


def _author(comment: Comment) -> events.Audience:
    return comment_audience(comment)


def counter_wording(comment: Comment, ruling: Ruling, field: str = "adopted_text") -> None:
    """Counter-wording belongs to a partly accepted proposal that has wording of its own (not a deletion)."""
    if ruling.adopted_text is None:
        return
    if ruling.disposition != "partly_accepted":
        raise Invalid("Adopted wording goes with a partly accepted ruling only", {field: "only with partly_accepted"})
    if comment.proposal_kind not in WORDED:
        raise Invalid(
            "Adopted wording replaces a proposed text; this comment proposes none to replace",
            {
                field: "not for a delete proposal"
                if comment.proposal_kind == "delete"
                else "the comment proposes no wording"
            },
        )


async def _stale(session: AsyncSession, comment: Comment, revision: int) -> None:
    if comment.revision != revision:
        raise Conflict(
            "The comment changed since you read it",
            {"current": await comment_dict(session, comment)},
            code="revision_conflict",
        )


def _give(
    comment: Comment, disposition: str | None, response: str | None, at: datetime | None, adopted: str | None
) -> None:
    comment.disposition, comment.response, comment.disposed_at = disposition, response, at
    comment.adopted_text = adopted
    # The author's answer was to the ruling this one replaces: the author may answer the new one.
    comment.author_agrees = comment.author_answer = comment.author_answered_at = None
    comment.revision += 1


async def _rule(session: AsyncSession, comment: Comment, copies: list[Comment], ruling: Ruling) -> None:
    """The ruling, then the same ruling on each duplicate: each its own revision and comment.disposed event."""
    now = utcnow()
    for ruled in [comment, *copies]:
        _give(ruled, ruling.disposition, ruling.response, now, ruling.adopted_text)
        # Copies never have copies of their own, so the duplicates lists are known without asking.
        shown = [c.id for c in copies] if ruled is comment else []
        data = await comment_dict(session, ruled, shown)
        await events.append(session, ruled.conference_id, payloads.comment_disposed(data), _author(ruled))


def not_a_copy(comments: list[Comment]) -> None:
    """A duplicate takes its target's ruling; ruling it apart would let the copies disagree in the summary."""
    copies = {c.id: c.duplicate_of for c in comments if c.duplicate_of is not None}
    if copies:
        raise Conflict(
            "A duplicate is ruled through the comment it was merged into",
            {"duplicate_of": {str(k): v for k, v in copies.items()}},
            code="duplicate_comment",
        )


async def dispose_comment(
    session: AsyncSession, conference_id: int, comment_id: int, disposition: str, response: str, revision: int,
    adopted_text: str | None = None,
) -> Comment:
    """Rule on a comment; a ruling based on an older revision is refused with the current state."""
    require_not_closed(await get_conference(session, conference_id))
    comment = await get_comment(session, conference_id, comment_id)
    await _stale(session, comment, revision)
    not_a_copy([comment])
    ruling = Ruling(comment_id, revision, disposition, response, adopted_text)
    counter_wording(comment, ruling)
    await _rule(session, comment, (await _copies(session, [comment]))[comment.id], ruling)
    return comment


async def dispose_many(session: AsyncSession, conference_id: int, rulings: list[Ruling]) -> list[Comment]:
    """All or nothing: every comment is checked before any is ruled, and every stale one is named."""
    require_not_closed(await get_conference(session, conference_id))
    ids = [r.comment_id for r in rulings]
    found = {
        c.id: c
        for c in await session.scalars(
            select(Comment).where(Comment.conference_id == conference_id, Comment.id.in_(ids))
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound("No such comments in this conference", {"comment_ids": missing})
    stale = [found[r.comment_id] for r in rulings if found[r.comment_id].revision != r.revision]
    if stale:
        raise Conflict(
            "Some comments changed since you read them; nothing was ruled",
            {"stale": [c.id for c in stale], "current": [await comment_dict(session, c) for c in stale]},
            code="revision_conflict",
        )
    not_a_copy(list(found.values()))
    for index, ruling in enumerate(rulings):
        counter_wording(found[ruling.comment_id], ruling, f"items[{index}].adopted_text")
    copies = await _copies(session, list(found.values()))
    loaded = await load_authors(session, [*found.values(), *(c for group in copies.values() for c in group)])
    for ruling in rulings:
        await _rule(session, found[ruling.comment_id], copies[ruling.comment_id], ruling)
    del loaded
    return [found[i] for i in ids]


async def merge_comment(
    session: AsyncSession, conference_id: int, comment_id: int, into_id: int, revision: int
) -> Comment:
    """Mark a comment as a duplicate of another; its own duplicates move along, so no chain forms."""
    require_not_closed(await get_conference(session, conference_id))
    comment = await get_comment(session, conference_id, comment_id)
    await _stale(session, comment, revision)
    target = await get_comment(session, conference_id, into_id)
    if target.duplicate_of is not None:
        raise Invalid(
            f"Comment {target.id} is itself a duplicate; merge into comment {target.duplicate_of}",
            {"into": f"is a duplicate of {target.duplicate_of}"},
        )
    if comment.duplicate_of == target.id:
        return comment
    moved = [comment, *(await _copies(session, [comment]))[comment.id]]
    for row in moved:
        row.duplicate_of = target.id
        if target.disposition is not None:
            _give(row, target.disposition, target.response, target.disposed_at, target.adopted_text)
        else:
            row.revision += 1
    # Announced once all have moved, so no event shows a comment still holding duplicates it just passed on.
    for row in moved:
        merged = payloads.comment_merged(await comment_dict(session, row))
        await events.append(session, row.conference_id, merged, _author(row))
    return comment


async def unmerge_comment(session: AsyncSession, conference_id: int, comment_id: int, revision: int) -> Comment:
    """Make a duplicate a comment of its own again; it keeps the ruling it has until it is ruled anew."""
    require_not_closed(await get_conference(session, conference_id))
    comment = await get_comment(session, conference_id, comment_id)
    await _stale(session, comment, revision)
    if comment.duplicate_of is None:
        raise Conflict("This comment is not a duplicate", {"duplicate_of": None}, code="not_a_duplicate")
    comment.duplicate_of = None
    comment.revision += 1
    unmerged = payloads.comment_unmerged(await comment_dict(session, comment))
    await events.append(session, conference_id, unmerged, _author(comment))
    return comment
