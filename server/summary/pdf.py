"""The record as PDF: the summary model typeset by Typst (server/typst/record.typ) as an administrative document."""
from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

from server.errors import Unavailable
from server.summary.document import document_part
from server.summary.render import (
    ATTENDANCE_COLUMNS,
    ATTENDANCE_LEGEND,
    AUDIT_HEADER,
    CHECKSUM_LABEL,
    DISPOSITION_COUNTS,
    DRAFT_MARKER,
    NOTE_REASONS,
    SIGN_HINT,
    absentee_line,
    authors,
    clock,
    hour,
    proposed,
    revision_legend,
    ruling,
    when,
)
from server.summary.revision import applied_line
from server.typeset import typeset, typeset_apart

if TYPE_CHECKING:
    from typst import PDFStandard

TIMEOUT = 120
# PDF/UA-1 for every copy; the archival copy is PDF/A-2b as well (Typst writes both in one file).
STANDARDS: tuple[PDFStandard, ...] = ("ua-1",)
ARCHIVAL: tuple[PDFStandard, ...] = ("a-2b", "ua-1")
# A word longer than a narrow column gets a break opportunity every so many letters: Typst never breaks inside a
# word by itself, and an unbroken hash or address would run into the margin.
_LONG_WORD = re.compile(r"\S{31,}")
_BREAK_EVERY = 24
# The structural levels of a draft, outermost first; an appendix heading is level 1.
_HEADED = ("part", "chapter", "section", "article")
_RUN = {"equal": "e", "insert": "i", "delete": "d"}
# A comment table longer than this (some sixty pages) starts each provision's rows on a page of its own. Typst lays out
# the runs of pages between explicit page breaks on threads of their own, and one table is one run: a national
# workshop's 2,300 pages took 25 s of one core, and 16 s on two with a page per provision.
GROUP_PAGES_ROWS = 300
COMMENT_HEAD = ["Số", "Điều, khoản", "Nội dung góp ý", "Người góp ý, điểm cầu", "Đề xuất sửa đổi", "Hình thức xử lý",
                "Tiếp thu, giải trình"]
AGENDA_HEAD = ["STT", "Nội dung", "Người trình bày", "Bắt đầu dự kiến", "Dự kiến (phút)", "Bắt đầu", "Kết thúc",
               "Thực tế (phút)", "Vượt (phút)"]
SPEAKERS_HEAD = ["STT", "Người phát biểu", "Điểm cầu", "Nội dung", "Bắt đầu", "Kết thúc", "Thời lượng"]
RECEIPTS_LABEL = "Mã kiểm chứng các ý kiến (Merkle SHA-256)"


def _breakable(word: re.Match[str]) -> str:
    text = word[0]
    return "\u200b".join(text[i:i + _BREAK_EVERY] for i in range(0, len(text), _BREAK_EVERY))


def cell(value: Any) -> str:
    """User text for a table cell: as it is, with a break opportunity inside any overlong word."""
    if value is None:
        return ""
    text = str(value)
    return _LONG_WORD.sub(_breakable, text) if len(text) > 30 else text


def paragraphs(text: str | None) -> list[str]:
    """User text as paragraphs, one per non-blank line, as the other formats read it."""
    lines = [cell(line.strip()) for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return [line for line in lines if line] or ["(Không có nội dung.)"]


def _attendance(model: dict[str, Any]) -> dict[str, Any]:
    keys = [key for key, _ in ATTENDANCE_COLUMNS]
    cells: list[str] = []
    for p in model["attendance"]["points"]:
        cells.append(cell(p["name"]) + (" (điểm cầu chính)" if p["is_host"] else ""))
        cells += [str(p[key]) for key in keys]
    totals = model["attendance"]["totals"]
    cells += ["Tổng cộng", *(str(totals[key]) for key in keys)]
    return {
        "head": ["Điểm cầu", *(label for _, label in ATTENDANCE_COLUMNS)],
        "cells": cells,
        "legend": ATTENDANCE_LEGEND,
    }


def _lists(model: dict[str, Any]) -> list[dict[str, Any]]:
    lists = [
        (
            "Đại biểu dự thay:",
            [f"{s['full_name']} dự thay {s['substitute_for']} ({s['point']})" for s in model["substitutions"]],
        ),
        (
            "Khách mời, đại biểu không có trong danh sách triệu tập:",
            [
                f"{w['full_name']}" + (f", {w['organization']}" if w["organization"] else "") + f" ({w['point']})"
                for w in model["walk_ins"]
            ],
        ),
        ("Đại biểu vắng mặt:", [absentee_line(a) for a in model["absentees"]]),
    ]
    return [{"label": label, "items": [cell(item) for item in items]} for label, items in lists if items]


def _facts(model: dict[str, Any]) -> list[list[str]]:
    c, draft = model["conference"], model["draft"]
    facts = [
        ("Thời gian", when(c["starts_at"])),
        ("Địa điểm", c["venue"]),
        ("Chủ trì", c["chair_name"]),
        ("Điểm cầu chính", c["host_point"]),
        ("Số điểm cầu", f"{c['points_count']} (không kể điểm cầu chính)"),
        ("Dự thảo lấy ý kiến", None if draft is None else f"{draft['title']} (phiên bản {draft['revision']})"),
    ]
    return [[label, cell(value)] for label, value in facts if value]


def _agenda(model: dict[str, Any]) -> list[str]:
    cells: list[str] = []
    for number, item in enumerate(model["agenda"], start=1):
        cells += [
            str(number),
            cell(item["title"]) + (" (không thực hiện)" if item["status"] == "skipped" else ""),
            cell(", ".join(v for v in (item["presenter"], item["point"]) if v)),
            hour(item["planned_start"]),
            str(item["planned_minutes"]),
            hour(item["started_at"]),
            hour(item["finished_at"]),
            "" if item["actual_minutes"] is None else str(item["actual_minutes"]),
            str(item["overrun_minutes"] or ""),
        ]
    return cells


def _speakers(model: dict[str, Any]) -> list[str]:
    cells: list[str] = []
    for number, s in enumerate(model["speakers"], start=1):
        cells += [str(number), cell(s["full_name"]), cell(s["point"]), cell(s["topic"]), hour(s["started_at"]),
                  hour(s["finished_at"]), clock(s["duration_seconds"])]
    return cells


def _groups(model: dict[str, Any]) -> list[dict[str, Any]]:
    groups = []
    for group in model["comments"]:
        cells: list[str] = []
        for row in group["rows"]:
            cells += [str(row["no"]), cell(row["provision"]), cell(row["body"]), cell("\n".join(authors(row))),
                      cell(proposed(row)), row["disposition_label"], cell(ruling(row))]
        groups.append({"heading": cell(group["heading"]), "cells": cells})
    return groups


def _by_point(model: dict[str, Any]) -> list[str]:
    cells: list[str] = []
    for p in model["comments_by_point"]:
        cells += [cell(p["point"]), str(p["total"]), *(str(p[key]) for _, key in DISPOSITION_COUNTS)]
    return cells


def _remarks(model: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for number, r in enumerate(model["remarks"], start=1):
        facts = [("Tác giả", r["author"]), ("Chức vụ", r["position"]), ("Đơn vị", r["organization"]),
                 ("Điểm cầu", r["point"]), ("Mục chương trình", r["agenda_item"])]
        out.append({
            "heading": f"{number}. {cell(r['title'])}",
            "facts": [f"{label}: {cell(value)}" for label, value in facts if value],
            "body": paragraphs(r["body"]),
        })
    return out


def _lines_of(runs: list[list[str]]) -> list[list[list[str]]]:
    """Runs [mark, text] cut into paragraphs at the text's line breaks; blank paragraphs dropped."""
    out: list[list[list[str]]] = [[]]
    for mark, text in runs:
        for index, piece in enumerate(text.split("\n")):
            if index:
                out.append([])
            if piece:
                out[-1].append([mark, cell(piece)])
    return [line for line in out if any(text.strip() for _, text in line)]


def _revised(model: dict[str, Any]) -> dict[str, Any] | None:
    draft = model["revised_draft"]
    if draft is None:
        return None
    present = [kind for kind in _HEADED if any(s["kind"] == kind for s in draft["sections"])]
    natural = {kind: 2 + index for index, kind in enumerate(present)}
    sections, level = [], 1
    for section in draft["sections"]:
        if section["revised"] is None:
            runs = [["e", section["text"]]]
        else:
            runs = [[_RUN[change["op"]], change["text"]] for change in section["changes"]]
        lines = _lines_of(runs)
        head = None
        if section["kind"] in natural and lines:
            # A heading never skips a level (PDF/UA): an article straight under an appendix is level 2.
            level = min(natural[section["kind"]], level + 1)
            # A chapter's number and name stand on two lines: one heading.
            take = 2 if section["kind"] in ("part", "chapter", "section") and len(lines) > 1 else 1
            head = [run for line in lines[:take] for run in (*line, ["e", "\n"])][:-1]
            lines = lines[take:]
        sections.append({
            "level": level if head else None,
            "head": head,
            "paras": lines,
            "applied": applied_line(section),
            "notes": [
                cell(f"Ý kiến số {note['no']} ({note['authors']}) – {NOTE_REASONS[note['reason']]}"
                     + (f": {note['response']}" if note["response"] else ""))
                for note in section["notes"]
            ],
        })
    return {
        "legend": f"{revision_legend(draft)} Phần bị thay thế được gạch ngang, phần bổ sung in đậm.",
        "preamble": paragraphs(draft["preamble"]) if draft["preamble"].strip() else [],
        "sections": sections,
    }


def _audit(model: dict[str, Any]) -> list[str]:
    cells: list[str] = []
    for number, e in enumerate(model["audit"], start=1):
        cells += [str(number), when(e["at"]), cell(e["actor"]), cell(e["sentence"]), cell(e["address"])]
    return cells


def _seal(model: dict[str, Any], frozen: bool, sha256: str | None, frozen_at: str | None) -> list[str]:
    lines = []
    if frozen and frozen_at is not None:
        lines.append(f"Chốt lúc: {when(frozen_at)}")
    if frozen and sha256 is not None:
        lines.append(f"{CHECKSUM_LABEL}: {sha256}")
    receipts = model.get("receipts")
    if receipts is not None:
        lines.append(f"{RECEIPTS_LABEL}: {receipts['root']} ({receipts['count']} ý kiến)")
    return lines


def record_data(model: dict[str, Any], *, frozen: bool, sha256: str | None, frozen_at: str | None,
                dated: datetime) -> dict[str, Any]:
    """Everything record.typ prints, as texts ready to lay out; `dated` dates a record frozen before it had a
    letterhead."""
    c = model["conference"]
    document = model.get("document") or document_part(None, title=c["title"], chair_name=c["chair_name"], dated=dated)
    totals = model["comment_totals"]
    keywords = [f"diemcau-conference-{c['id']}"] + ([f"diemcau-sha256-{sha256}"] if frozen and sha256 else [])
    return {
        "title": f"Biên bản tổng hợp – {c['title']}" + ("" if frozen else " (dự thảo)"),
        "keywords": keywords,
        "preview": not frozen,
        "marker": DRAFT_MARKER,
        "doc": {**document, "subtitle": cell(document["subtitle"])},
        "sign_hint": SIGN_HINT,
        "facts": _facts(model),
        "attendance": _attendance(model),
        "lists": _lists(model),
        "agenda_head": AGENDA_HEAD,
        "agenda": _agenda(model),
        "speakers_head": SPEAKERS_HEAD,
        "speakers": _speakers(model),
        "comments_intro": f"Tổng số {totals['total']} ý kiến của {totals['people']} người tại {totals['points']} điểm "
            "cầu.",
        "comments_head": COMMENT_HEAD,
        "groups": _groups(model),
        "group_pages": sum(len(group["rows"]) for group in model["comments"]) > GROUP_PAGES_ROWS,
        "counts": [f"{label}: {totals[key]}" for label, key in DISPOSITION_COUNTS],
        "by_point_head": ["Điểm cầu", "Tổng số", *(label for label, _ in DISPOSITION_COUNTS)],
        "by_point": _by_point(model),
        "statement": paragraphs(model["closing_statement"]["text"]),
        "remarks": _remarks(model),
        "revised": _revised(model),
        "audit_head": AUDIT_HEADER,
        "audit": _audit(model),
        "seal": _seal(model, frozen, sha256, frozen_at),
    }


def render_pdf(model: dict[str, Any], *, frozen: bool, sha256: str | None, frozen_at: str | None, dated: datetime,
               archival: bool = False) -> bytes:
    """The record as a tagged PDF (PDF/UA-1; `archival` adds PDF/A-2b), dated `dated`: the same bytes anywhere."""
    data = record_data(model, frozen=frozen, sha256=sha256, frozen_at=frozen_at, dated=dated)
    return typeset("record", data, created=dated, standards=ARCHIVAL if archival else STANDARDS)


class PdfUnavailable(Unavailable):
    """Typesetting failed or took too long; the other formats still stand."""


async def print_pdf(model: dict[str, Any], *, frozen: bool, sha256: str | None, frozen_at: str | None,
                    dated: datetime, archival: bool = False, timeout: float = TIMEOUT) -> bytes:
    """render_pdf in a process of its own, stopped after `timeout` seconds (server.typeset.typeset_apart).

    Measured on the national workshop (2,300 pages): Typst needs about 2.8 GiB and 16–25 s for it and holds every
    page until it writes the file; the server keeps none of that once the child exits.
    """
    job = {"model": model, "frozen": frozen, "sha256": sha256, "frozen_at": frozen_at, "dated": dated.isoformat(),
           "archival": archival}
    return await typeset_apart("server.summary.pdf", job, timeout=timeout, what="The PDF", unavailable=PdfUnavailable)


def _main() -> None:
    """One record read as JSON from stdin, its PDF written to stdout: print_pdf's child."""
    job = json.load(sys.stdin.buffer)
    pdf = render_pdf(job["model"], frozen=job["frozen"], sha256=job["sha256"], frozen_at=job["frozen_at"],
                     dated=datetime.fromisoformat(job["dated"]), archival=job["archival"])
    sys.stdout.buffer.write(pdf)


if __name__ == "__main__":
    _main()
