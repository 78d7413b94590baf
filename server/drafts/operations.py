"""Publish a draft revision, split into anchored sections, and read it back."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Draft, DraftSection
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.drafts.parser import parse_draft
from server.lookup import in_conference

FORMATS = ("markdown", "text")


async def publish_draft(session: AsyncSession, conference_id: int, title: str, fmt: str, content: str) -> Draft:
    """Parse first, so an unusable document is refused before anything is written."""
    require_not_closed(await get_conference(session, conference_id))
    outline = parse_draft(content)
    last = await session.scalar(select(func.max(Draft.revision)).where(Draft.conference_id == conference_id))
    draft = Draft(
        conference_id=conference_id,
        title=title,
        revision=(last or 0) + 1,
        format=fmt,
        source=content,
        unmatched={"lines": list(outline.unmatched)},
    )
    session.add(draft)
    await session.flush()
    session.add_all(
        DraftSection(
            draft_id=draft.id,
            position=s.position,
            anchor=s.anchor,
            parent=s.parent,
            kind=s.kind,
            number=s.number,
            title=s.title,
            text=s.text,
        )
        for s in outline.sections
    )
    await session.flush()
    await events.append(session, conference_id, "draft.published", await draft_dict(session, draft, False), events.PUBLIC)
    return draft


async def list_drafts(session: AsyncSession, conference_id: int) -> list[Draft]:
    """Newest revision first: the current draft leads the list."""
    await get_conference(session, conference_id)
    rows = await session.scalars(select(Draft).where(Draft.conference_id == conference_id).order_by(Draft.revision.desc()))
    return list(rows.all())


async def current_draft(session: AsyncSession, conference_id: int) -> Draft | None:
    return await session.scalar(
        select(Draft).where(Draft.conference_id == conference_id).order_by(Draft.revision.desc()).limit(1)
    )


async def get_draft(session: AsyncSession, conference_id: int, draft_id: int) -> Draft:
    return await in_conference(session, Draft, conference_id, draft_id, "draft", "draft_id")


async def sections_of(session: AsyncSession, draft_id: int) -> list[DraftSection]:
    rows = await session.scalars(select(DraftSection).where(DraftSection.draft_id == draft_id).order_by(DraftSection.position))
    return list(rows.all())


async def draft_dict(session: AsyncSession, draft: Draft, with_sections: bool = True) -> dict[str, Any]:
    sections = await sections_of(session, draft.id)
    counts: dict[str, int] = {}
    for section in sections:
        counts[section.kind] = counts.get(section.kind, 0) + 1
    data: dict[str, Any] = {
        "id": draft.id,
        "conference_id": draft.conference_id,
        "title": draft.title,
        "revision": draft.revision,
        "format": draft.format,
        "created_at": draft.created_at.isoformat(),
        "counts": counts,
        "unmatched": draft.unmatched.get("lines", []),
    }
    if with_sections:
        data["sections"] = [
            {
                "anchor": s.anchor,
                "parent": s.parent,
                "kind": s.kind,
                "number": s.number,
                "title": s.title,
                "text": s.text,
                "position": s.position,
            }
            for s in sections
        ]
    return data
