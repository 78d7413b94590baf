"""What a proposed change to the draft may be: its kind, its text, and the sections each kind applies to.

A comment (or the secretariat's own proposal) may replace its anchored section's wording, insert a new section
of the same kind after it, or delete it (PROTOCOL v1.1). Replacing works on any section, as v1's `proposed_text`
always did. Inserting and deleting change the structure, so they apply only where the revised draft renumbers:
an article (Điều, numbered through the draft), a clause (khoản) or a point (điểm). A chapter, Mục or part is
neither inserted nor deleted by a proposal: the revised draft does not renumber them, and removing a whole
chapter is the drafting body's decision, proposed article by article if need be.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import PROPOSAL_KINDS, DraftSection
from server.errors import Invalid
from server.text import clean_text

STRUCTURAL = ("insert_after", "delete")
RENUMBERED = ("article", "clause", "point")
SECTION_NAMES = "an article, clause or point"


@dataclass(frozen=True)
class Proposal:
    """A proposed change to the anchored section: `text` is None for a deletion."""

    kind: str
    text: str | None


def read_proposal(kind: Any, text: Any, max_len: int, kind_field: str = "proposal.kind",
                  text_field: str = "proposal.text") -> Proposal:
    """Check a proposal's kind and text as sent; the details name the fields as the request spelled them."""
    if kind not in PROPOSAL_KINDS:
        raise Invalid(f"The proposal's kind must be one of {', '.join(PROPOSAL_KINDS)}",
                      {kind_field: "not one of " + ", ".join(PROPOSAL_KINDS)})
    if kind == "delete":
        if text is not None:
            raise Invalid("A proposal to delete a section carries no text", {text_field: "not allowed with delete"})
        return Proposal(kind, None)
    if text is None:
        raise Invalid(f"A {kind} proposal needs the text it proposes", {text_field: "required"})
    return Proposal(kind, clean_text(text, text_field, max_len))


def needs_anchor(anchor: str | None) -> None:
    """A proposal changes one section: without an anchor there is nothing to change."""
    if anchor is None:
        raise Invalid("A proposal names the section it changes", {"section_anchor": "required with a proposal"})


def fits(proposal: Proposal | None, section_kind: str, kind_field: str = "proposal.kind") -> None:
    """Inserting and deleting apply only to the sections the revised draft renumbers."""
    if proposal is not None and proposal.kind in STRUCTURAL and section_kind not in RENUMBERED:
        raise Invalid(f"{proposal.kind} applies to {SECTION_NAMES}, not to a {section_kind}",
                      {kind_field: f"{proposal.kind} applies to {SECTION_NAMES}"})


async def section_kinds(session: AsyncSession, draft_id: int | None, anchors: set[str]) -> dict[str, str]:
    """The kind of each named anchor found in the draft (none found without a draft)."""
    if draft_id is None or not anchors:
        return {}
    rows = await session.execute(
        select(DraftSection.anchor, DraftSection.kind).where(
            DraftSection.draft_id == draft_id, DraftSection.anchor.in_(anchors)
        )
    )
    return {anchor: kind for anchor, kind in rows.all()}
