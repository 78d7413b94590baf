"""A section of the current draft as the big screen shows it: as published, with its proposals marked, or revised.

The screen gets the words already laid out as runs (`equal`, `insert`, `delete`), so it only draws them: the
display is a read-only console that may read neither comments nor rulings. The diff is the record's own
(server/summary/revision.py's word_changes) and the revised words are the revised draft's (server/drafts/revise.py),
so screen and record never disagree.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from schema.tables import Comment, DraftSection
from server.drafts.adopted import ADOPTING, adopted_change, proposal_kind
from server.drafts.operations import current_draft, sections_of
from server.drafts.revise import Change as Adopted
from server.drafts.revise import revise
from server.errors import Invalid
from server.submissions.operations import comment_numbers
from server.summary.revision import word_changes

# What can fill the screen: a chapter is pages long and would be unreadable from the back of the room.
PROJECTABLE = ("article", "clause", "point")
VIEWS = ("original", "diff", "revised")
Runs = list[dict[str, str]]


@dataclass(frozen=True)
class Change:
    """One proposal to a section: its comment's id and number, kind, wording and where its ruling stands."""

    id: int
    no: int
    anchor: str
    kind: str
    text: str
    status: str

    @property
    def adopted(self) -> bool:
        return self.status in ADOPTING


# An article's heading line, whatever its number (the revised draft renumbers it).
_HEADING = re.compile(r"^Điều\s+[0-9]+[a-zđ]?\b[^\n]*\n*")


def _words(kind: str, text: str) -> str:
    """The words without an article's heading line: the screen prints "Điều 3. …" once, as the heading."""
    text = text.strip()
    return _HEADING.sub("", text) if kind == "article" else text


def _body(section: DraftSection) -> str:
    return _words(section.kind, section.text)


def _plain(text: str) -> Runs:
    return [{"op": "equal", "text": text}] if text else []


def _wording(section: DraftSection, text: str) -> str:
    """A proposed wording compared as the body is: an article's proposal may repeat the heading line or not."""
    return _words(section.kind, text)


def _change(comment: Comment, no: int) -> Change | None:
    """A pending proposal as written; a ruled one as server.drafts.adopted reads what its ruling adopted."""
    if comment.disposition is None:
        kind = proposal_kind(comment)
        if kind is None or comment.section_anchor is None:
            return None
        return Change(comment.id, no, comment.section_anchor, kind, comment.proposed_text or "", "pending")
    adopted = adopted_change(comment)
    if adopted is None:
        return None
    return Change(comment.id, no, adopted.origin_anchor, adopted.kind, adopted.text or "", comment.disposition)


async def changes_for(
    session: AsyncSession, conference_id: int, anchors: Sequence[str], pending: ColumnElement[bool] | None = None
) -> list[Change]:
    """The adopted and pending proposals on these sections, in the order they came in; duplicates and held or
    rejected input are not the room's to see. `pending` narrows the pending ones to those the reader may see."""
    unruled = Comment.disposition.is_(None) if pending is None else (Comment.disposition.is_(None) & pending)
    rows = list((await session.scalars(
        select(Comment)
        .where(Comment.conference_id == conference_id, Comment.section_anchor.in_(list(anchors)),
               Comment.moderation == "approved", Comment.duplicate_of.is_(None),
               unruled | (Comment.disposition.in_(ADOPTING)))
        .order_by(Comment.id)
    )).all())
    numbers = await comment_numbers(session, conference_id, [c.id for c in rows])
    return [change for c in rows if (change := _change(c, numbers[c.id])) is not None]


def revised_parts(
    draft: Sequence[DraftSection], shown: Sequence[DraftSection], changes: Sequence[Change]
) -> tuple[list[dict[str, Any]], str | None]:
    """The shown sections as the revised draft has them, and the first one's anchor there (None once deleted).

    The whole draft is revised, so numbers are those of the revised draft; an insertion belongs to the shown
    sections when it follows one of them. Deleted sections are left out; a section in a conflict keeps its words.
    """
    answer = revise(draft, [Adopted(c.anchor, c.kind, c.text or None, c.id) for c in changes if c.adopted])
    conflicted = {conflict["origin_anchor"] for conflict in answer["conflicts"]}
    wanted = {section.anchor for section in shown}
    parts: list[dict[str, Any]] = []
    inside, revised_anchor = False, None
    for row in answer["sections"]:
        origin = row["origin_anchor"]
        if origin is not None:
            inside = origin in wanted
        if not inside or row["change"] == "deleted":
            continue
        if origin == shown[0].anchor:
            revised_anchor = row["anchor"]
        change = ("inserted" if origin is None else "conflict" if origin in conflicted
                  else "modified" if row["change"] == "modified" else "unchanged")
        parts.append({"anchor": origin, "kind": row["kind"], "number": row["number"], "title": row["title"],
                      "change": change, "runs": _plain(_words(row["kind"], row["text"])), "proposals": []})
    return parts, revised_anchor


def _part(
    section: DraftSection, runs: Runs, change: str, proposals: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"anchor": section.anchor, "kind": section.kind, "number": section.number, "title": section.title,
            "change": change, "runs": runs, "proposals": proposals or []}


def _inserted(after: DraftSection, change: Change, runs: Runs) -> dict[str, Any]:
    return {"anchor": None, "kind": after.kind, "number": "", "title": "", "change": "inserted", "runs": runs,
            "proposals": [{"no": change.no, "kind": change.kind, "status": change.status}]}


def _marked(section: DraftSection, change: Change) -> dict[str, Any]:
    """One proposal's words against the section's: a replacement as a word diff, a deletion struck through."""
    body = _body(section)
    if change.kind == "delete":
        runs = [{"op": "delete", "text": body}] if body else []
    else:
        runs = word_changes(body, _wording(section, change.text))
    return {"no": change.no, "kind": change.kind, "status": change.status, "runs": runs}


def diff_parts(sections: Sequence[DraftSection], changes: Sequence[Change]) -> list[dict[str, Any]]:
    """Every adopted or pending proposal marked: each section with its replacements and deletions, each insertion
    after the section it follows."""
    on: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        on[change.anchor].append(change)
    parts: list[dict[str, Any]] = []
    for section in sections:
        own = on.get(section.anchor, [])
        marked = [_marked(section, c) for c in own if c.kind != "insert_after"]
        parts.append(_part(section, _plain(_body(section)), "proposed" if marked else "unchanged", marked))
        for insert in (c for c in own if c.kind == "insert_after"):
            parts.append(_inserted(section, insert, [{"op": "insert", "text": insert.text.strip()}]))
    return parts


def _within(draft: Sequence[DraftSection], anchor: str) -> list[DraftSection]:
    """The anchored section and what it holds, in document order; 422 when it is not one the screen can show."""
    target = next((s for s in draft if s.anchor == anchor), None)
    if target is None:
        raise Invalid("anchor is not a section of the current draft", {"anchor": "not in the current draft"})
    if target.kind not in PROJECTABLE:
        raise Invalid("Only an article, a clause or a point can be shown on the big screen",
                      {"anchor": "not an article, clause or point"})
    return [s for s in draft if s.anchor == anchor or s.anchor.startswith(f"{anchor}.")]


async def _current_sections(session: AsyncSession, conference_id: int) -> list[DraftSection]:
    draft = await current_draft(session, conference_id)
    return await sections_of(session, draft.id) if draft is not None else []


async def projectable(session: AsyncSession, conference_id: int, anchor: str) -> list[DraftSection]:
    """The sections the screen would show for `anchor`; 422 when it cannot show it."""
    return _within(await _current_sections(session, conference_id), anchor)


async def project(
    session: AsyncSession, conference_id: int, anchor: str, view: str, pending: ColumnElement[bool] | None = None
) -> dict[str, Any]:
    """What the screen shows of the anchored section in `view`, with the article it belongs to for its heading;
    `pending` limits the diff view's pending proposals to the reader's own (a console, not the public screen)."""
    draft = await _current_sections(session, conference_id)
    sections = _within(draft, anchor)
    target = sections[0]
    article = next((s for s in draft if s.anchor == anchor.split(".")[0]), target)
    revised_anchor: str | None = anchor
    if view == "diff":
        parts = diff_parts(sections, await changes_for(session, conference_id, [s.anchor for s in sections], pending))
    elif view == "revised":
        adopted = await changes_for(session, conference_id, [s.anchor for s in draft])
        parts, revised_anchor = revised_parts(draft, sections, adopted)
    else:
        parts = [_part(s, _plain(_body(s)), "unchanged") for s in sections]
    return {"anchor": anchor, "kind": target.kind, "number": target.number, "title": target.title,
            "article_title": article.title, "view": view, "revised_anchor": revised_anchor, "parts": parts}
