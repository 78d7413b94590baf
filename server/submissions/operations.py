"""Submit remarks and comments, and read them back as the API shows them."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import (
    Comment,
    Conference,
    Participant,
    Point,
    Remark,
    iso,
)
from server import events
from server.errors import Invalid
from server.lookup import in_conference

# The author the record and the consoles name for the secretariat's own proposals (author_kind "secretariat").
SECRETARIAT = "Ban soạn thảo"


async def attachment_in_use(session: AsyncSession, sha256: str) -> bool:
    """Whether any stored remark refers to the file kept under this digest."""
    found = await session.scalar(select(Remark.id).where(Remark.attachment_sha256 == sha256).limit(1))
    return found is not None


async def attachments_in_use(session: AsyncSession) -> set[str]:
    """The digests of every file a stored remark refers to."""
    rows = await session.scalars(
        select(Remark.attachment_sha256).where(Remark.attachment_sha256.is_not(None)).distinct()
    )
    return {sha256 for sha256 in rows if sha256}


# What a participant must be present for, said in the refusal when they are not.
ON_BEHALF = "have input filed for them by an operator"


def initial_moderation(conference: Conference | Row[Any]) -> str:
    """Input waits for staff only where the conference asked for pre-moderation."""
    return "pending" if conference.premoderation else "approved"


def unknown_anchor() -> Invalid:
    return Invalid("No such section in the current draft", {"section_anchor": "unknown anchor"})


async def get_comment(session: AsyncSession, conference_id: int, comment_id: int) -> Comment:
    return await in_conference(session, Comment, conference_id, comment_id, "comment", "comment_id")


async def load_authors(session: AsyncSession, rows: Sequence[Comment | Remark]) -> list[Participant | Point]:
    """Load the authors and points of many rows in two queries, so building their dicts finds them in the identity map.

    The identity map holds rows weakly: the caller keeps the returned list until its dicts are built.
    """
    if not rows:
        return []
    people = {row.participant_id for row in rows if row.participant_id is not None}
    points = {row.point_id for row in rows if row.point_id is not None}
    return [
        *await session.scalars(select(Participant).where(Participant.id.in_(people))),
        *await session.scalars(select(Point).where(Point.id.in_(points))),
    ]


def comment_audience(comment: Comment) -> events.Audience:
    """Staff and the comment's author; the secretariat's own proposals have no author outside the staff."""
    if comment.participant_id is None or comment.point_id is None:
        return events.STAFF
    return events.for_participant(comment.participant_id, comment.point_id)


async def _author(session: AsyncSession, participant_id: int | None, point_id: int | None) -> dict[str, Any]:
    if participant_id is None or point_id is None:
        return {"author": SECRETARIAT, "author_position": None, "point": None}
    person = await session.get(Participant, participant_id)
    point = await session.get(Point, point_id)
    assert person is not None and point is not None
    return author_of(person, point.name)


def author_of(person: Participant | Row[Any], point_name: str) -> dict[str, Any]:
    return {"author": person.full_name, "author_position": person.position, "point": point_name}


async def remark_dict(session: AsyncSession, remark: Remark) -> dict[str, Any]:
    return remark_view(remark, await _author(session, remark.participant_id, remark.point_id))


def remark_view(remark: Remark, author: dict[str, Any]) -> dict[str, Any]:
    """The remark as clients see it, given its author (author_of)."""
    return {
        "id": remark.id,
        "conference_id": remark.conference_id,
        "participant_id": remark.participant_id,
        "point_id": remark.point_id,
        "agenda_item_id": remark.agenda_item_id,
        "title": remark.title,
        "body": remark.body,
        "moderation": remark.moderation,
        "created_at": remark.created_at.isoformat(),
        "attachment": _attachment(remark),
        "receipt": remark.receipt,
        **author,
    }


def _attachment(remark: Remark) -> dict[str, Any] | None:
    if not remark.attachment_sha256:
        return None
    return {
        "name": remark.attachment_name,
        "type": remark.attachment_type,
        "size": remark.attachment_size,
        "sha256": remark.attachment_sha256,
        "url": f"/api/v1/conferences/{remark.conference_id}/remarks/{remark.id}/attachment",
    }


async def duplicates_of(session: AsyncSession, comment_ids: list[int]) -> dict[int, list[int]]:
    """The ids merged into each of the given comments, oldest first, in one query for a whole page."""
    found: dict[int, list[int]] = {comment_id: [] for comment_id in comment_ids}
    rows = await session.execute(
        select(Comment.duplicate_of, Comment.id).where(Comment.duplicate_of.in_(comment_ids)).order_by(Comment.id)
    )
    for target, duplicate in rows:
        assert target is not None  # the statement asked for duplicates only
        found[target].append(duplicate)
    return found


async def comment_numbers(session: AsyncSession, conference_id: int, comment_ids: Sequence[int]) -> dict[int, int]:
    """Each comment's number in its conference: its place in the order comments came in, counting every one.

    Held, rejected and merged comments keep their numbers, so a number never changes: the chair's inbox, the audit
    trail ("Tiếp thu góp ý số 3") and the record's table all say the same one.
    """
    numbered = (
        select(Comment.id, func.row_number().over(order_by=Comment.id).label("number"))
        .where(Comment.conference_id == conference_id)
        .subquery()
    )
    rows = await session.execute(select(numbered.c.id, numbered.c.number).where(numbered.c.id.in_(list(comment_ids))))
    return {comment_id: number for comment_id, number in rows.all()}


def _related(comment: Comment, duplicates: list[int]) -> list[int]:
    """The comment and those it is merged with: whose numbers its answer cites."""
    return [comment.id, *duplicates, *([comment.duplicate_of] if comment.duplicate_of is not None else [])]


async def comment_dict(
    session: AsyncSession, comment: Comment, duplicates: list[int] | None = None, numbers: dict[int, int] | None = None
) -> dict[str, Any]:
    """The comment as clients see it; a listing passes the `duplicates` and `numbers` it loaded for the whole page."""
    if duplicates is None:
        duplicates = (await duplicates_of(session, [comment.id]))[comment.id]
    if numbers is None:
        numbers = await comment_numbers(session, comment.conference_id, _related(comment, duplicates))
    return comment_view(comment, duplicates, numbers, await _author(session, comment.participant_id, comment.point_id))


def proposal_of(comment: Comment) -> dict[str, Any] | None:
    """The change the comment proposes to its section, or None: `proposed_text` is its text, kept for v1 clients."""
    if comment.proposal_kind is None:
        return None
    return {"kind": comment.proposal_kind, "text": comment.proposed_text}


def author_answer_of(comment: Comment) -> dict[str, Any] | None:
    """The author's answer to the ruling, once given."""
    if comment.author_answered_at is None:
        return None
    return {
        "agrees": comment.author_agrees,
        "text": comment.author_answer,
        "answered_at": iso(comment.author_answered_at),
    }


def comment_view(
    comment: Comment, duplicates: list[int], numbers: dict[int, int], author: dict[str, Any]
) -> dict[str, Any]:
    """The comment as clients see it, given the ids merged into it, the numbers it cites and its author."""
    return {
        "id": comment.id,
        "number": numbers[comment.id],
        "conference_id": comment.conference_id,
        "participant_id": comment.participant_id,
        "point_id": comment.point_id,
        "draft_id": comment.draft_id,
        "draft_revision": comment.draft_revision,
        "section_anchor": comment.section_anchor,
        "body": comment.body,
        "proposed_text": comment.proposed_text,
        "proposal": proposal_of(comment),
        "author_kind": comment.author_kind,
        "disposition": comment.disposition,
        "response": comment.response,
        "adopted_text": comment.adopted_text,
        "author_answer": author_answer_of(comment),
        "revision": comment.revision,
        "moderation": comment.moderation,
        "duplicate_of": comment.duplicate_of,
        "duplicate_of_number": None if comment.duplicate_of is None else numbers[comment.duplicate_of],
        "duplicates": duplicates,
        "duplicate_numbers": [numbers[d] for d in duplicates],
        "created_at": comment.created_at.isoformat(),
        "disposed_at": iso(comment.disposed_at),
        "receipt": comment.receipt,
        **author,
    }


async def comment_dicts(session: AsyncSession, comments: Sequence[Comment]) -> list[dict[str, Any]]:
    """Many comments as clients see them, in a fixed number of queries however many there are."""
    loaded = await load_authors(session, comments)
    duplicates = await duplicates_of(session, [c.id for c in comments])
    related = [i for c in comments for i in _related(c, duplicates[c.id])]
    numbers = await comment_numbers(session, comments[0].conference_id, related) if comments else {}
    items = [await comment_dict(session, c, duplicates[c.id], numbers) for c in comments]
    del loaded
    return items


async def remark_dicts(session: AsyncSession, remarks: Sequence[Remark]) -> list[dict[str, Any]]:
    loaded = await load_authors(session, remarks)
    items = [await remark_dict(session, r) for r in remarks]
    del loaded
    return items
