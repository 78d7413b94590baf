"""The revised draft ("Dự thảo sau tiếp thu"): accepted wording applied, changes marked, open points flagged."""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from schema.tables import Draft, DraftSection
from server.drafts.parser import normalise

# Words and the spaces between them, so that joining the tokens gives back the text exactly.
_TOKENS = re.compile(r"\s+|\S+")


def word_changes(before: str, after: str) -> list[dict[str, str]]:
    """A word-level diff: joining equal+insert gives `after`, equal+delete gives `before`.

    Replacements separated only by spaces read as one ("~~cơ quan~~ **cấp ủy**", not word by word).
    """
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    # autojunk would treat common words ("của", "và") as noise in long articles and give a coarser diff.
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    runs: list[list[str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = "".join(old[i1:i2]), "".join(new[j1:j2])
        if tag == "equal":
            runs.append(["equal", removed, added])
        elif runs and runs[-1][0] == "change":
            runs[-1][1] += removed
            runs[-1][2] += added
        elif len(runs) >= 2 and runs[-1][0] == "equal" and not runs[-1][1].strip() and runs[-2][0] == "change":
            space = runs.pop()[1]
            runs[-1][1] += space + removed
            runs[-1][2] += space + added
        else:
            runs.append(["change", removed, added])
    changes: list[dict[str, str]] = []
    for kind, removed, added in runs:
        pieces = [("equal", removed)] if kind == "equal" else [("delete", removed), ("insert", added)]
        for op, text in pieces:
            if not text:
                continue
            if changes and changes[-1]["op"] == op:
                changes[-1]["text"] += text
            else:
                changes.append({"op": op, "text": text})
    return changes


def _with_ending(original: str, proposed: str) -> str:
    """The proposal in place of the section's text, keeping the blank line that separates it from the next."""
    ending = original[len(original.rstrip()):]
    return proposed.strip() + ending


def _note(row: dict[str, Any], reason: str) -> dict[str, Any]:
    return {
        "no": row["no"],
        "reason": reason,
        "authors": ", ".join(author["name"] for author in row["authors"]),
        "body": row["body"],
        "proposed_text": row["proposed_text"],
        "response": row["response"],
    }


def _preamble(source: str, first: DraftSection | None) -> str:
    """What the draft says before its first numbered part: the document's name and its subtitle."""
    if first is None:
        return source
    at = source.find(first.text.rstrip())
    return source[:at] if at >= 0 else ""


def revised_draft(draft: Draft, sections: Sequence[DraftSection], rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Apply each section's one accepted proposal; several accepted proposals for one place are left to the drafters."""
    ordered = sorted(sections, key=lambda s: s.position)
    accepted: dict[str, list[dict[str, Any]]] = defaultdict(list)
    partial: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["anchor"] is None:
            continue
        # Only new wording is applied here; inserted and deleted sections need the draft renumbered around them.
        replaces = row.get("proposal_kind") in (None, "replace")
        if row["disposition"] == "accepted" and replaces and row["proposed_text"] and row["proposed_text"].strip():
            accepted[row["anchor"]].append(row)
        elif row["disposition"] == "partly_accepted":
            partial[row["anchor"]].append(row)
    out = []
    for section in ordered:
        proposals = accepted.get(section.anchor, [])
        notes = [_note(row, "partly_accepted") for row in partial.get(section.anchor, [])]
        revised, changes, applied_no = None, [], None
        if len(proposals) == 1:
            candidate = _with_ending(section.text, proposals[0]["proposed_text"])
            if candidate != section.text:
                revised, changes, applied_no = candidate, word_changes(section.text, candidate), proposals[0]["no"]
        elif proposals:
            notes += [_note(row, "conflict") for row in proposals]
        notes.sort(key=lambda note: note["no"])
        out.append({
            "anchor": section.anchor,
            "kind": section.kind,
            "number": section.number,
            "title": section.title,
            "text": section.text,
            "revised": revised,
            "changes": changes,
            "applied_no": applied_no,
            "notes": notes,
        })
    return {
        "title": draft.title,
        "revision": draft.revision,
        "preamble": _preamble(normalise(draft.source), ordered[0] if ordered else None),
        "applied": sum(1 for s in out if s["revised"] is not None),
        "flagged": sum(len(s["notes"]) for s in out),
        "sections": out,
    }
