"""Comment counts per article of the current draft: the chair's overview of where the input lands."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Comment, DraftSection
from server.conferences.operations import get_conference
from server.drafts.operations import current_draft


def _article_of(anchor: str, articles: dict[str, Any]) -> str | None:
    """The article an anchor is, or lies inside: the anchor itself or a prefix of it ending at a dot."""
    segments = anchor.split(".")
    for end in range(1, len(segments) + 1):
        prefix = ".".join(segments[:end])
        if prefix in articles:
            return prefix
    return None


async def comment_counts(session: AsyncSession, conference_id: int) -> dict[str, Any]:
    """Approved comments per article of the current draft, in document order, with those on the draft as a whole.

    `other` counts comments on a chapter or section heading, or on an anchor a later draft dropped,
    so that general + articles + other = total.
    """
    await get_conference(session, conference_id)
    draft = await current_draft(session, conference_id)
    sections: list[DraftSection] = []
    if draft is not None:
        sections = list(await session.scalars(
            select(DraftSection)
            .where(DraftSection.draft_id == draft.id, DraftSection.kind == "article")
            .order_by(DraftSection.position)
        ))
    articles: dict[str, dict[str, Any]] = {
        s.anchor: {"anchor": s.anchor, "title": s.title, "comments": 0, "proposed": 0, "ruled": 0} for s in sections
    }
    tallies = await session.execute(
        select(Comment.section_anchor, func.count(), func.count(Comment.proposal_kind), func.count(Comment.disposition))
        .where(Comment.conference_id == conference_id, Comment.moderation == "approved")
        .group_by(Comment.section_anchor)
    )
    general = other = total = 0
    for anchor, comments, proposed, ruled in tallies:
        total += comments
        article = None if anchor is None else _article_of(anchor, articles)
        if anchor is None:
            general += comments
        elif article is None:
            other += comments
        else:
            row = articles[article]
            row["comments"] += comments
            row["proposed"] += proposed
            row["ruled"] += ruled
    return {"articles": list(articles.values()), "general": general, "other": other, "total": total}
