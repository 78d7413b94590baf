"""The chair's inbox: remarks and comments filtered, searched and paged."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Comment, Remark
from server.conferences.operations import get_conference
from server.submissions.operations import comment_dicts, remark_dicts
from server.text import fold

NOT_RULED = "none"
# The staff's work on a comment: not ruled and handed to nobody, not ruled with an answer drafted, or ruled.
WORK_STATES = ("unassigned", "drafted", "ruled")


@dataclass(frozen=True)
class Page:
    """Which slice of a listing to return, and in which order."""

    limit: int
    offset: int = 0
    newest_first: bool = True


@dataclass(frozen=True)
class CommentFilter:
    """Conditions a comment must meet to be listed; None means no condition."""

    participant_id: int | None = None
    point_id: int | None = None
    article: str | None = None
    anchor: str | None = None
    disposition: str | None = None
    has_proposed: bool | None = None
    moderation: str | None = None
    query: str | None = None
    work: str | None = None
    assigned_to: int | None = None


@dataclass(frozen=True)
class RemarkFilter:
    """Conditions a remark must meet to be listed; None means no condition."""

    participant_id: int | None = None
    point_id: int | None = None
    agenda_item_id: int | None = None
    moderation: str | None = None
    query: str | None = None


def _words(column: Any, query: str | None) -> list[ColumnElement[bool]]:
    """Every folded word of the query must occur in the stored folded key: "ĐIỀU PHỐI" finds "điều phối"."""
    return [column.contains(word, autoescape=True) for word in fold(query or "").split()]


def _comment_where(conference_id: int, f: CommentFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Comment.conference_id == conference_id, *_words(Comment.search_key, f.query)]
    if f.participant_id is not None:
        where.append(Comment.participant_id == f.participant_id)
    if f.point_id is not None:
        where.append(Comment.point_id == f.point_id)
    if f.article is not None:
        where.append(
            or_(
                Comment.section_anchor == f.article, Comment.section_anchor.startswith(f.article + ".", autoescape=True)
            )
        )
    if f.anchor is not None:
        where.append(Comment.section_anchor == f.anchor)
    if f.disposition == NOT_RULED:
        where.append(Comment.disposition.is_(None))
    elif f.disposition is not None:
        where.append(Comment.disposition == f.disposition)
    if f.has_proposed is not None:
        # A proposal to delete has no text, and is a proposal all the same.
        where.append(Comment.proposal_kind.is_not(None) if f.has_proposed else Comment.proposal_kind.is_(None))
    if f.moderation is not None:
        where.append(Comment.moderation == f.moderation)
    if f.work == "ruled":
        where.append(Comment.disposition.is_not(None))
    elif f.work == "unassigned":
        where.extend([Comment.disposition.is_(None), Comment.assigned_to.is_(None)])
    elif f.work == "drafted":
        where.extend([Comment.disposition.is_(None), Comment.draft_disposition.is_not(None)])
    if f.assigned_to is not None:
        where.append(Comment.assigned_to == f.assigned_to)
    return where


def _remark_where(conference_id: int, f: RemarkFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Remark.conference_id == conference_id, *_words(Remark.search_key, f.query)]
    if f.participant_id is not None:
        where.append(Remark.participant_id == f.participant_id)
    if f.point_id is not None:
        where.append(Remark.point_id == f.point_id)
    if f.agenda_item_id is not None:
        where.append(Remark.agenda_item_id == f.agenda_item_id)
    if f.moderation is not None:
        where.append(Remark.moderation == f.moderation)
    return where


async def list_comments(
    session: AsyncSession, conference_id: int, f: CommentFilter, page: Page
) -> tuple[list[dict[str, Any]], int]:
    """One page of matching comments as the API shows them, and how many match in all."""
    await get_conference(session, conference_id)
    where = _comment_where(conference_id, f)
    total = await session.scalar(select(func.count()).select_from(Comment).where(*where))
    order = Comment.id.desc() if page.newest_first else Comment.id
    rows = list(
        await session.scalars(select(Comment).where(*where).order_by(order).offset(page.offset).limit(page.limit))
    )
    return await comment_dicts(session, rows), int(total or 0)


async def list_remarks(
    session: AsyncSession, conference_id: int, f: RemarkFilter, page: Page
) -> tuple[list[dict[str, Any]], int]:
    """One page of matching remarks as the API shows them, and how many match in all."""
    await get_conference(session, conference_id)
    where = _remark_where(conference_id, f)
    total = await session.scalar(select(func.count()).select_from(Remark).where(*where))
    order = Remark.id.desc() if page.newest_first else Remark.id
    rows = list(
        await session.scalars(select(Remark).where(*where).order_by(order).offset(page.offset).limit(page.limit))
    )
    return await remark_dicts(session, rows), int(total or 0)
