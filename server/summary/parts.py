"""Cut a long summary into page documents of bounded size, so a printer lays out each in bounded time and memory."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Units of print work one page document may hold; a comment row is about a third of an A4 page of table, so a part
# is some 250 pages. Measured on a national summary: Chromium's start costs ~1 s a part, and each part's layout holds
# ~3 MiB a page, so 250 units took 74 s, 700 took 32 s (840 MiB per Chromium) and 1500 took 28 s (1.6 GiB).
BUDGET = 700
REMARK = 4
DRAFT_SECTION = 0.3
AUDIT_ROW = 0.3


@dataclass(frozen=True)
class Part:
    """Which pieces of the summary one page document holds; `Part()` is the whole summary."""

    front: bool = True
    rows: tuple[int, int] | None = None
    back: bool = True
    remarks_head: bool = True
    remarks: tuple[int, int] | None = None
    revised_head: bool = True
    revised: tuple[int, int] | None = None
    audit_head: bool = True
    audit: tuple[int, int] | None = None
    seal: bool = True


def _slice(items: list[Any], bounds: tuple[int, int] | None) -> list[Any]:
    return items if bounds is None else items[bounds[0]:bounds[1]]


def comment_groups(model: dict[str, Any], part: Part) -> list[dict[str, Any]]:
    """The comment table's groups with only this part's rows; a group carried over says so in its heading."""
    if part.rows is None:
        return list(model["comments"])
    start, stop = part.rows
    groups, seen = [], 0
    for group in model["comments"]:
        first, rows = seen, group["rows"]
        seen += len(rows)
        kept = rows[max(start - first, 0):max(stop - first, 0)]
        if kept:
            heading = group["heading"] if start <= first else f"{group['heading']} (tiếp theo)"
            groups.append({**group, "heading": heading, "rows": kept})
    return groups


def remarks(model: dict[str, Any], part: Part) -> list[dict[str, Any]]:
    return _slice(model["remarks"], part.remarks)


def revised_sections(model: dict[str, Any], part: Part) -> list[dict[str, Any]]:
    draft = model["revised_draft"]
    return [] if draft is None else _slice(draft["sections"], part.revised)


def audit_rows(model: dict[str, Any], part: Part) -> list[dict[str, Any]]:
    return _slice(model["audit"], part.audit)


def _front_weight(model: dict[str, Any]) -> float:
    # The attendance, agenda and speaking tables: a few lines each per row; the lists of names a line each.
    names = len(model["substitutions"]) + len(model["walk_ins"]) + len(model["absentees"])
    return 10 + len(model["attendance"]["points"]) / 6 + names / 40 + len(model["agenda"]) / 2 + len(model["speakers"]) / 6


def print_parts(model: dict[str, Any]) -> list[Part]:
    """The summary in document order, cut where the running weight passes BUDGET; one part when it is short."""
    pieces: list[tuple[str, int, float]] = [("front", 0, _front_weight(model))]
    rows = sum(len(group["rows"]) for group in model["comments"])
    pieces += [("row", index, 1) for index in range(rows)]
    pieces.append(("back", 0, 5 + len(model["comments_by_point"]) / 6))
    pieces.append(("remarks_head", 0, 1))
    pieces += [("remark", index, REMARK) for index in range(len(model["remarks"]))]
    pieces.append(("revised_head", 0, 1))
    pieces += [("section", index, DRAFT_SECTION) for index in range(len(revised_sections(model, Part())))]
    pieces.append(("audit_head", 0, 1))
    pieces += [("audit", index, AUDIT_ROW) for index in range(len(model["audit"]))]
    batches: list[list[tuple[str, int, float]]] = [[]]
    weight = 0.0
    for piece in pieces:
        if batches[-1] and weight + piece[2] > BUDGET:
            batches.append([])
            weight = 0.0
        batches[-1].append(piece)
        weight += piece[2]
    if len(batches) == 1:
        return [Part()]
    return [_part(batch, last=index == len(batches) - 1) for index, batch in enumerate(batches)]


def _bounds(batch: list[tuple[str, int, float]], kind: str) -> tuple[int, int]:
    indexes = [index for name, index, _ in batch if name == kind]
    return (indexes[0], indexes[-1] + 1) if indexes else (0, 0)


def _part(batch: list[tuple[str, int, float]], last: bool) -> Part:
    kinds = {name for name, _, _ in batch}
    return Part(
        front="front" in kinds,
        rows=_bounds(batch, "row"),
        back="back" in kinds,
        remarks_head="remarks_head" in kinds,
        remarks=_bounds(batch, "remark"),
        revised_head="revised_head" in kinds,
        revised=_bounds(batch, "section"),
        audit_head="audit_head" in kinds,
        audit=_bounds(batch, "audit"),
        seal=last,
    )
