"""The record's revised draft ("Dự thảo sau tiếp thu"): the draft as revised, changes marked, open points flagged."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from schema.tables import Draft, DraftSection
from server.drafts.parser import normalise
from server.drafts.revise import Change, revise

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


# What the record says an applied change did to a section, by the revised draft's `change`.
APPLIED = {"inserted": "Bổ sung", "deleted": "Bỏ"}


def applied_line(section: dict[str, Any]) -> str | None:
    """"(Sửa theo ý kiến số 3.)", or "Bổ sung" / "Bỏ" for an inserted or deleted section; a summary frozen before
    sections had a `change` says "Sửa", as it did."""
    if section["applied_no"] is None:
        return None
    return f"({APPLIED.get(section.get('change', ''), 'Sửa')} theo ý kiến số {section['applied_no']}.)"


def _renumbered(before: str, after: str) -> list[dict[str, str]]:
    """The diff of a section whose label alone moved: a shared start and end around the words that differ.

    A renumbering moves every section after an inserted Điều; a full word diff of each would cost the Word
    revised draft of a long document seconds.
    """
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    runs = [("equal", "".join(old[:head])), ("delete", "".join(old[head:len(old) - tail])),
            ("insert", "".join(new[head:len(new) - tail])), ("equal", "".join(old[len(old) - tail:]))]
    return [{"op": op, "text": text} for op, text in runs if text]


def _sources(answer: dict[str, Any], changes: Sequence[Change]) -> list[int | None]:
    """For each section of the revised draft, the change that made it what it is (None: none, or a renumbering).

    A replacement modifies its own section, a deletion removes its own (its children go with it); an insertion
    follows the nearest published section of its kind before it, several after one section in the order of
    their source, as `revise` places them.
    """
    held = {source for conflict in answer["conflicts"] for source in conflict["comment_ids"]}
    held |= {item["source"] for item in answer["ignored"]}
    own: dict[tuple[str, str], int] = {}
    inserts: dict[str, list[int]] = defaultdict(list)
    for change in sorted(changes, key=lambda c: c.source):
        if change.source in held:
            continue
        if change.kind == "insert_after":
            inserts[change.origin_anchor].append(change.source)
        else:
            own.setdefault((change.origin_anchor, change.kind), change.source)
    last: dict[str, str] = {}
    taken: dict[str, int] = defaultdict(int)
    found: list[int | None] = []
    for row in answer["sections"]:
        origin, source = row["origin_anchor"], None
        if origin is not None:
            last[row["kind"]] = origin
            kind = {"modified": "replace", "deleted": "delete"}.get(row["change"])
            source = own.get((origin, kind)) if kind else None
        else:
            beside = last.get(row["kind"])
            queue = inserts.get(beside or "", [])
            if beside is not None and taken[beside] < len(queue):
                source = queue[taken[beside]]
                taken[beside] += 1
        found.append(source)
    return found


def revised_draft(
    draft: Draft, sections: Sequence[DraftSection], rows: Sequence[dict[str, Any]], changes: Sequence[Change]
) -> dict[str, Any]:
    """The record's revised draft, made from `revise()` over the adopted `changes`: each section of the revised
    draft in order, with its published text, its revised text and the word diff between them, the comment
    whose change was applied, and the notes left to the drafters (partial acceptances without counter-wording,
    and conflicts, which keep the published text)."""
    ordered = sorted(sections, key=lambda s: s.position)
    published = {s.anchor: s for s in ordered}
    answer = revise(ordered, changes)
    by_id = {row["id"]: row for row in rows}
    notes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["anchor"] is not None and row["disposition"] == "partly_accepted" and row.get("adopted_text") is None:
            notes[row["anchor"]].append(_note(row, "partly_accepted"))
    for conflict in answer["conflicts"]:
        notes[conflict["origin_anchor"]] += [_note(by_id[i], "conflict") for i in conflict["comment_ids"] if i in by_id]
    out = []
    for row, source in zip(answer["sections"], _sources(answer, changes), strict=True):
        origin = published.get(row["origin_anchor"] or "")
        before = origin.text if origin is not None else ""
        after = "" if row["change"] == "deleted" else row["text"]
        revised = None if row["change"] == "unchanged" else after
        if revised is None:
            runs = []
        elif row["change"] == "renumbered":
            runs = _renumbered(before, after)
        else:
            runs = word_changes(before, after)
        out.append({
            "anchor": row["origin_anchor"],
            "kind": row["kind"],
            "number": origin.number if origin is not None else row["number"],
            "title": row["title"],
            "text": before,
            "revised": revised,
            "changes": runs,
            "applied_no": None if source is None or source not in by_id else by_id[source]["no"],
            "notes": sorted(notes.get(row["origin_anchor"] or "", []), key=lambda note: note["no"]),
            "change": row["change"],
            "revised_anchor": row["anchor"],
            "revised_number": row["number"],
        })
    return {
        "title": draft.title,
        "revision": draft.revision,
        "preamble": _preamble(normalise(draft.source), ordered[0] if ordered else None),
        "applied": len({s["applied_no"] for s in out if s["applied_no"] is not None}),
        "flagged": sum(len(s["notes"]) for s in out),
        "sections": out,
    }
