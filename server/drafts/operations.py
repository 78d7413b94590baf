"""Publish a draft revision, split into anchored sections, and read it back."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Draft, DraftSection
from server import events
from server.conferences.operations import get_conference, require_not_closed
from server.drafts.parser import Outline, parse_draft
from server.errors import Conflict
from server.lookup import in_conference

# What a JSON body may declare; a DOCX arrives only as a file and is stored as its text, format "docx".
FORMATS = ("markdown", "text")


async def require_replaceable(session: AsyncSession, conference_id: int) -> None:
    """Refuse a new revision once the workshop is open (409 conference_open) or closed."""
    conference = await get_conference(session, conference_id)
    require_not_closed(conference)
    # Once the workshop is open, comments point into the current draft's anchors: it may no longer be
    # replaced. An open workshop without any draft may still receive its first one.
    if conference.status != "draft" and await current_draft(session, conference_id) is not None:
        raise Conflict(
            "The draft can no longer be replaced once the workshop is open",
            {"status": conference.status},
            code="conference_open",
        )


async def publish_draft(
    session: AsyncSession, conference_id: int, title: str, fmt: str, content: str, outline: Outline | None = None
) -> Draft:
    """Store a new revision; `outline` is the content already parsed (the API parses outside the write queue)."""
    await require_replaceable(session, conference_id)
    if outline is None:
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
    published = payloads.draft_published(await draft_dict(session, draft, False))
    await events.append(session, conference_id, published, events.PUBLIC)
    return draft


async def list_drafts(session: AsyncSession, conference_id: int) -> list[Draft]:
    """Newest revision first: the current draft leads the list."""
    await get_conference(session, conference_id)
    rows = await session.scalars(
        select(Draft).where(Draft.conference_id == conference_id).order_by(Draft.revision.desc())
    )
    return list(rows.all())


async def current_draft(session: AsyncSession, conference_id: int) -> Draft | None:
    return await session.scalar(
        select(Draft).where(Draft.conference_id == conference_id).order_by(Draft.revision.desc()).limit(1)
    )


async def get_draft(session: AsyncSession, conference_id: int, draft_id: int) -> Draft:
    return await in_conference(session, Draft, conference_id, draft_id, "draft", "draft_id")


async def sections_of(session: AsyncSession, draft_id: int) -> list[DraftSection]:
    rows = await session.scalars(
        select(DraftSection).where(DraftSection.draft_id == draft_id).order_by(DraftSection.position)
    )
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


def preview_dict(title: str, fmt: str, outline: Outline) -> dict[str, Any]:
    """A dry run's answer: the outline without text bodies, which can be large, and nothing stored."""
    return {
        "dry_run": True,
        "title": title,
        "format": fmt,
        "counts": outline.counts,
        "unmatched": list(outline.unmatched),
        "sections": [
            {"anchor": s.anchor, "kind": s.kind, "number": s.number, "title": s.title} for s in outline.sections
        ],
    }
