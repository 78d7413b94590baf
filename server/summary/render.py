"""Render the summary model as Markdown (the frozen, hashed record), HTML (for reading and print) and JSON."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

DRAFT_MARKER = "DỰ THẢO – bản xem trước, chưa chốt"
CHECKSUM_LABEL = "Mã kiểm tra (SHA-256)"
# Everything CommonMark/GFM could read as markup inside a line; '<' and '>' are turned into entities instead.
_MD_INLINE = re.compile(r"([\\`*_\[\]|#~])")
# What starts a block (list, setext underline) or a spreadsheet formula ("=CMD()") when it opens a line or cell.
_MD_LEADING = re.compile(r"^([=+\-@])|^(\d+)([.)])")


def when(value: str | None) -> str:
    """An ISO time from the model, already in the conference's zone, as people write it: "08:05 07/09/2021"."""
    return "" if value is None else datetime.fromisoformat(value).strftime("%H:%M %d/%m/%Y")


def clock(seconds: int | None) -> str:
    """A speech's length as m:ss, the way a timer shows it."""
    return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parents[2] / "web" / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["when"] = when
_env.filters["clock"] = clock


def _line(text: str) -> str:
    """One line of user text as literal Markdown: no HTML, no emphasis, links, tables or blocks."""
    text = text.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LEADING.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def _lines(text: str | None) -> list[str]:
    return [] if text is None else text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _cell(text: Any) -> str:
    """User text inside a table cell, where a row must stay on one line."""
    if text is None:
        return ""
    return "<br>".join(_line(line) for line in _lines(str(text)))


def _paragraphs(text: str | None) -> list[str]:
    """User text as paragraphs: each non-blank line on its own, so no line can continue or retitle another."""
    return [line for line in (_line(raw) for raw in _lines(text)) if line] or ["_(Không có nội dung.)_"]


def _table(header: list[str], rows: list[list[str]], numeric: int = 0) -> list[str]:
    """A GFM table whose last `numeric` columns are right-aligned; cells must already be escaped."""
    align = ["---"] * (len(header) - numeric) + ["---:"] * numeric
    return [f"| {' | '.join(row)} |" for row in (header, align, *rows)] + [""]


def _general(model: dict[str, Any]) -> list[str]:
    c, draft = model["conference"], model["draft"]
    facts = [
        ("Thời gian", when(c["starts_at"])),
        ("Địa điểm", _cell(c["venue"])),
        ("Chủ trì", _cell(c["chair_name"])),
        ("Điểm cầu chính", _cell(c["host_point"])),
        ("Số điểm cầu", f"{c['points_count']} (không kể điểm cầu chính)"),
        ("Dự thảo lấy ý kiến", "" if draft is None else f"{_cell(draft['title'])} (phiên bản {draft['revision']})"),
    ]
    return ["## I. Thông tin chung", "", *(f"- {label}: {value}" for label, value in facts if value), ""]


def _attendance(model: dict[str, Any]) -> list[str]:
    keys = ("expected", "present", "substitutes", "walk_ins")
    rows = [
        [_cell(p["name"]) + (" (điểm cầu chính)" if p["is_host"] else ""), *(str(p[k]) for k in keys)]
        for p in model["attendance"]["points"]
    ]
    totals = model["attendance"]["totals"]
    rows.append(["**Tổng cộng**", *(f"**{totals[k]}**" for k in keys)])
    out = ["## II. Tình hình tham dự", "", *_table(["Điểm cầu", "Dự kiến", "Có mặt", "Dự thay", "Khách mời"], rows, 4)]
    if model["substitutions"]:
        out += ["Đại biểu dự thay:", ""]
        out += [
            f"- {_cell(s['full_name'])} dự thay {_cell(s['substitute_for'])} ({_cell(s['point'])})"
            for s in model["substitutions"]
        ]
        out.append("")
    return out


def _agenda(model: dict[str, Any]) -> list[str]:
    out = ["## III. Chương trình và diễn biến", ""]
    if not model["agenda"]:
        return out + ["Không có.", ""]
    header = ["STT", "Nội dung", "Người trình bày", "Dự kiến (phút)", "Bắt đầu", "Kết thúc", "Thực tế (phút)"]
    rows = []
    for number, item in enumerate(model["agenda"], start=1):
        presenter = ", ".join(_cell(v) for v in (item["presenter"], item["point"]) if v)
        title = _cell(item["title"]) + (" (không thực hiện)" if item["status"] == "skipped" else "")
        actual = "" if item["actual_minutes"] is None else str(item["actual_minutes"])
        rows.append([str(number), title, presenter, str(item["planned_minutes"]),
                     when(item["started_at"]), when(item["finished_at"]), actual])
    return out + _table(header, rows)


def _speakers(model: dict[str, Any]) -> list[str]:
    out = ["## IV. Phát biểu", ""]
    if not model["speakers"]:
        return out + ["Không có.", ""]
    rows = [
        [str(n), _cell(s["full_name"]), _cell(s["point"]), _cell(s["topic"]), when(s["started_at"]), when(s["finished_at"]),
         clock(s["duration_seconds"])]
        for n, s in enumerate(model["speakers"], start=1)
    ]
    return out + _table(["STT", "Người phát biểu", "Điểm cầu", "Nội dung", "Bắt đầu", "Kết thúc", "Thời lượng"], rows)



def _remarks(model: dict[str, Any]) -> list[str]:
    out = ["## V. Tham luận và ý kiến phát biểu", ""]
    if not model["remarks"]:
        return out + ["Không có.", ""]
    for number, remark in enumerate(model["remarks"], start=1):
        out += [f"### {number}. {_cell(remark['title'])}", ""]
        facts = [("Tác giả", remark["author"]), ("Chức vụ", remark["position"]), ("Đơn vị", remark["organization"]),
                 ("Điểm cầu", remark["point"]), ("Mục chương trình", remark["agenda_item"])]
        out += [f"- {label}: {_cell(value)}" for label, value in facts if value]
        out.append("")
        for paragraph in _paragraphs(remark["body"]):
            out += [paragraph, ""]
    return out


def _comments(model: dict[str, Any]) -> list[str]:
    totals = model["comment_totals"]
    out = [
        "## VI. Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý",
        "",
        f"Tổng số {totals['total']} ý kiến của {totals['people']} người tại {totals['points']} điểm cầu.",
        "",
    ]
    header = ["STT", "Điều, khoản", "Nội dung góp ý", "Người góp ý, điểm cầu", "Đề xuất sửa đổi", "Ý kiến tiếp thu, giải trình"]
    for group in model["comments"]:
        out += [f"### {_cell(group['heading'])}", ""]
        rows = []
        for row in group["rows"]:
            who = _cell(row["author"]) + (f" ({_cell(row['organization'])})" if row["organization"] else "")
            ruling = f"**{row['disposition_label']}**" + (f"<br>{_cell(row['response'])}" if row["response"] else "")
            rows.append([str(row["no"]), _cell(row["provision"]), _cell(row["body"]), f"{who}, {_cell(row['point'])}",
                         _cell(row["proposed_text"]), ruling])
        out += _table(header, rows)
    counts = [("Tiếp thu", "accepted"), ("Tiếp thu một phần", "partly_accepted"), ("Ghi nhận", "noted"),
              ("Giải trình, không tiếp thu", "declined"), ("Chưa xử lý", "pending")]
    return out + ["Kết quả xử lý:", "", *(f"- {label}: {totals[key]}" for label, key in counts), ""]


def render_markdown(model: dict[str, Any], *, frozen: bool, sha256: str | None = None) -> str:
    """The summary as Markdown; the frozen record is rendered without `sha256`, and those exact UTF-8 bytes are hashed.

    Given a `sha256`, a blank line and the checksum line follow that record, for copies that must carry it.
    """
    out = [] if frozen else [f"> {DRAFT_MARKER}", ""]
    out += ["# BIÊN BẢN TỔNG HỢP HỘI THẢO", "", f"**{_cell(model['conference']['title'])}**", ""]
    for part in (_general, _attendance, _agenda, _speakers, _remarks, _comments):
        out += part(model)
    text = "\n".join(out)
    return text if sha256 is None else f"{text}\n{CHECKSUM_LABEL}: {sha256}\n"


def render_html(model: dict[str, Any], *, frozen: bool, sha256: str | None, frozen_at: str | None = None) -> str:
    """The summary as a standalone, printable page (A4); Jinja2 escapes every value."""
    if frozen_at is not None:
        # Callers hold the close time in UTC; the page shows every time in the conference's own zone.
        zone = ZoneInfo(model["conference"]["timezone"])
        frozen_at = datetime.fromisoformat(frozen_at).astimezone(zone).isoformat()
    template = _env.get_template("summary/summary.html")
    return template.render(
        model=model, frozen=frozen, sha256=sha256, frozen_at=frozen_at, draft_marker=DRAFT_MARKER,
        checksum_label=CHECKSUM_LABEL,
    )


def render_json(model: dict[str, Any], frozen_at: str | None, sha256: str | None) -> dict[str, Any]:
    """The model with its seal: `sha256` is of the frozen summary.md bytes, both null while it is a preview."""
    return {**model, "frozen": frozen_at is not None, "frozen_at": frozen_at, "sha256": sha256}
