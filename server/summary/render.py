"""Render the summary model as Markdown (the frozen, hashed record), HTML (for reading and print) and JSON."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from server.summary.revision import applied_line
from server.webdir import WEB

DRAFT_MARKER = "DỰ THẢO – bản xem trước, chưa chốt"
CHECKSUM_LABEL = "Mã kiểm tra (SHA-256)"
RECEIPTS_LABEL = "Mã kiểm chứng các ý kiến (Merkle SHA-256)"
# Everything CommonMark/GFM could read as markup inside a line; '<' and '>' are turned into entities instead.
_MD_INLINE = re.compile(r"([\\`*_\[\]|#~])")
# What starts a block (list, setext underline) or a spreadsheet formula ("=CMD()") when it opens a line or cell.
_MD_LEADING = re.compile(r"^([=+\-@])|^(\d+)([.)])")
# Any character _line changes: most lines have none, and one search costs less than the five passes that change them.
_MD_SPECIAL = re.compile(r"[&<>\\`*_\[\]|#~]")
_MD_OPENERS = frozenset("=+-@0123456789")


def when(value: str | None) -> str:
    """An ISO time from the model, already in the conference's zone, as people write it: "08:05 07/09/2021"."""
    return "" if value is None else datetime.fromisoformat(value).strftime("%H:%M %d/%m/%Y")


def clock(seconds: int | None) -> str:
    """A speech's length as m:ss, the way a timer shows it."""
    return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


def hour(value: str | None) -> str:
    """An ISO time from the model as the clock on the wall read it: "08:05"."""
    return "" if value is None else datetime.fromisoformat(value).strftime("%H:%M")


STYLESHEET = WEB / "static" / "css" / "summary.css"


class _Environment(Environment):
    """Jinja2 reading `row.body` as the dict's key first: every value of the model is a dict's, and Jinja2's own
    order (the attribute, then the key) raises and catches an AttributeError for each, a third of the HTML's time."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


_env = _Environment(
    loader=FileSystemLoader(WEB / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["when"] = when
_env.filters["clock"] = clock
_env.filters["hour"] = hour


def _line(text: str) -> str:
    """One line of user text as literal Markdown: no HTML, no emphasis, links, tables or blocks."""
    text = text.strip()
    if _MD_SPECIAL.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = _MD_INLINE.sub(r"\\\1", text)
    if text and text[0] in _MD_OPENERS:
        return _MD_LEADING.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)
    return text


def _lines(text: str | None) -> list[str]:
    return [] if text is None else text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _cell(text: Any) -> str:
    """User text inside a table cell, where a row must stay on one line."""
    if text is None:
        return ""
    text = str(text)
    if "\n" not in text and "\r" not in text:
        # Most cells are one line: 70,000 of them in a national record.
        return _line(text)
    return "<br>".join(_line(line) for line in _lines(text))


def _paragraphs(text: str | None) -> list[str]:
    """User text as paragraphs: each non-blank line on its own, so no line can continue or retitle another."""
    return [line for line in (_line(raw) for raw in _lines(text)) if line] or ["_(Không có nội dung.)_"]


def _table(header: list[str], rows: list[list[str]], numeric: int = 0) -> list[str]:
    """A GFM table whose last `numeric` columns are right-aligned; cells must already be escaped."""
    align = ["---"] * (len(header) - numeric) + ["---:"] * numeric
    return [f"| {' | '.join(row)} |" for row in (header, align, *rows)] + [""]


def authors(row: dict[str, Any]) -> list[str]:
    """Who made a comment (every author of a merged row): "Name (organisation), point"; "Ban soạn thảo" alone."""
    return [
        a["name"] + (f" ({a['organization']})" if a["organization"] else "") + (f", {a['point']}" if a["point"] else "")
        for a in row["authors"]
    ]


def proposed(row: dict[str, Any]) -> str | None:
    """The "Đề xuất sửa đổi" column: the new wording, a new provision after this one, or its deletion.

    A record frozen before proposals had kinds has none of the newer keys: its rows read as they always did.
    """
    kind = row.get("proposal_kind")
    text: str | None = row["proposed_text"]
    if kind == "delete":
        return "Đề nghị bỏ quy định này."
    if kind == "insert_after" and text:
        return f"Đề nghị bổ sung quy định mới sau quy định này:\n{text}"
    return text


def ruling(row: dict[str, Any]) -> str | None:
    """The "Tiếp thu, giải trình" column: the response, the wording taken in instead, and the author's answer."""
    lines = [row["response"]] if row["response"] else []
    if row.get("adopted_text"):
        lines.append(f"Nội dung tiếp thu:\n{row['adopted_text']}")
    answer = row.get("author_answer")
    if answer is not None:
        said = "đồng ý" if answer["agrees"] else "không đồng ý"
        lines.append(f"Ý kiến của người góp ý: {said}" + (f" – {answer['text']}" if answer["text"] else ""))
    return "\n".join(lines) if lines else None


# Filters rather than globals: Jinja2 calls a global through its context, which costs more than the call itself
# when it is made for each of 9,500 rows; a filter is called directly.
_env.filters.update(authors=authors, proposed=proposed, ruling=ruling)


DISPOSITION_COUNTS = (
    ("Tiếp thu", "accepted"),
    ("Tiếp thu một phần", "partly_accepted"),
    ("Ghi nhận", "noted"),
    ("Giải trình, không tiếp thu", "declined"),
    ("Chưa xử lý", "pending"),
)
NOTE_REASONS = {
    "partly_accepted": "tiếp thu một phần, cơ quan soạn thảo chỉnh lý",
    "conflict": "nhiều đề xuất được tiếp thu cho cùng một chỗ, cơ quan soạn thảo chọn",
}
SIGNERS = ("THƯ KÝ HỘI THẢO", "CHỦ TRÌ HỘI THẢO")
# The attendance table's columns after the point's name, in every format; the legend says how each is counted.
ATTENDANCE_COLUMNS = (
    ("expected", "Triệu tập"),
    ("invited_present", "Có mặt"),
    ("rate", "Tỷ lệ có mặt"),
    ("represented", "Có người dự thay"),
    ("absent", "Vắng"),
    ("substitutes", "Người dự thay"),
    ("walk_ins", "Khách mời"),
    ("people", "Tổng số người dự"),
)
ATTENDANCE_LEGEND = (
    "Cách tính: Triệu tập = Có mặt + Có người dự thay + Vắng; Tỷ lệ có mặt = Có mặt / Triệu tập; "
    "Tổng số người dự = Có mặt + Người dự thay + Khách mời. Mỗi người được tính một lần dù ra vào nhiều lần; "
    "lượt điểm danh đã huỷ hoặc bị gạch khỏi biên bản không được tính."
)
SIGN_HINT = "(Ký, ghi rõ họ tên)"


def revision_legend(draft: dict[str, Any]) -> str:
    """How much of the revised draft changed, and how much is left to the drafting team."""
    return f"Tiếp thu {draft['applied']} đề xuất sửa đổi; {draft['flagged']} ý kiến cần cơ quan soạn thảo chỉnh lý."


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


def absentee_line(person: dict[str, Any]) -> str:
    """One absent roster member as the record lists them: name, position, point, and the reason given."""
    who = ", ".join(v for v in (person["full_name"], person["position"]) if v)
    reason = person["absence_reason"] or "không rõ lý do"
    return f"{who} ({person['point']}): {reason}"


def _attendance(model: dict[str, Any]) -> list[str]:
    keys = [key for key, _ in ATTENDANCE_COLUMNS]
    rows = [
        [_cell(p["name"]) + (" (điểm cầu chính)" if p["is_host"] else ""), *(str(p[k]) for k in keys)]
        for p in model["attendance"]["points"]
    ]
    totals = model["attendance"]["totals"]
    rows.append(["**Tổng cộng**", *(f"**{totals[k]}**" if totals[k] != "" else "" for k in keys)])
    header = ["Điểm cầu", *(label for _, label in ATTENDANCE_COLUMNS)]
    out = ["## II. Tình hình tham dự", "", *_table(header, rows, len(keys)), ATTENDANCE_LEGEND, ""]
    if model["substitutions"]:
        out += ["Đại biểu dự thay:", ""]
        out += [
            f"- {_cell(s['full_name'])} dự thay {_cell(s['substitute_for'])} ({_cell(s['point'])})"
            for s in model["substitutions"]
        ]
        out.append("")
    if model["walk_ins"]:
        out += ["Khách mời, đại biểu không có trong danh sách triệu tập:", ""]
        out += [
            f"- {_cell(w['full_name'])}"
            + (f", {_cell(w['organization'])}" if w["organization"] else "")
            + f" ({_cell(w['point'])})"
            for w in model["walk_ins"]
        ]
        out.append("")
    if model["absentees"]:
        out += ["Đại biểu vắng mặt:", ""]
        out += [f"- {_cell(absentee_line(a))}" for a in model["absentees"]]
        out.append("")
    return out


def _agenda(model: dict[str, Any]) -> list[str]:
    out = ["## III. Chương trình và diễn biến", ""]
    if not model["agenda"]:
        return out + ["Không có.", ""]
    header = ["STT", "Nội dung", "Người trình bày", "Bắt đầu dự kiến", "Dự kiến (phút)", "Bắt đầu", "Kết thúc",
              "Thực tế (phút)", "Vượt (phút)"]
    rows = []
    for number, item in enumerate(model["agenda"], start=1):
        presenter = ", ".join(_cell(v) for v in (item["presenter"], item["point"]) if v)
        title = _cell(item["title"]) + (" (không thực hiện)" if item["status"] == "skipped" else "")
        actual = "" if item["actual_minutes"] is None else str(item["actual_minutes"])
        overrun = "" if not item["overrun_minutes"] else str(item["overrun_minutes"])
        rows.append([str(number), title, presenter, hour(item["planned_start"]), str(item["planned_minutes"]),
                     hour(item["started_at"]), hour(item["finished_at"]), actual, overrun])
    return out + _table(header, rows)


def _speakers(model: dict[str, Any]) -> list[str]:
    out = ["## IV. Phát biểu", ""]
    if not model["speakers"]:
        return out + ["Không có.", ""]
    rows = [
        [
            str(n),
            _cell(s["full_name"]),
            _cell(s["point"]),
            _cell(s["topic"]),
            hour(s["started_at"]),
            hour(s["finished_at"]),
            clock(s["duration_seconds"]),
        ]
        for n, s in enumerate(model["speakers"], start=1)
    ]
    return out + _table(["STT", "Người phát biểu", "Điểm cầu", "Nội dung", "Bắt đầu", "Kết thúc", "Thời lượng"], rows)


def _comments(model: dict[str, Any]) -> list[str]:
    totals = model["comment_totals"]
    out = [
        "## V. Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý",
        "",
        f"Tổng số {totals['total']} ý kiến của {totals['people']} người tại {totals['points']} điểm cầu.",
        "",
    ]
    header = ["Số", "Điều, khoản", "Nội dung góp ý", "Người góp ý, điểm cầu", "Đề xuất sửa đổi", "Hình thức xử lý",
              "Tiếp thu, giải trình"]
    for group in model["comments"]:
        out += [f"### {_cell(group['heading'])}", ""]
        rows = [
            [str(row["no"]), _cell(row["provision"]), _cell(row["body"]), "<br>".join(_cell(a) for a in authors(row)),
             _cell(proposed(row)), row["disposition_label"], _cell(ruling(row))]
            for row in group["rows"]
        ]
        out += _table(header, rows)
    out += ["Kết quả xử lý:", "", *(f"- {label}: {totals[key]}" for label, key in DISPOSITION_COUNTS), ""]
    if model["comments_by_point"]:
        rows = [[_cell(p["point"]), str(p["total"]), *(str(p[key]) for _, key in DISPOSITION_COUNTS)]
                for p in model["comments_by_point"]]
        out += [
            "Theo điểm cầu:",
            "",
            *_table(["Điểm cầu", "Tổng số", *(label for label, _ in DISPOSITION_COUNTS)], rows, 6),
        ]
    return out


def _statement(model: dict[str, Any]) -> list[str]:
    out = ["## VI. Kết luận của chủ trì", ""]
    for paragraph in _paragraphs(model["closing_statement"]["text"]):
        out += [paragraph, ""]
    chair = _cell(model["conference"]["chair_name"])
    return out + _table(list(SIGNERS), [[SIGN_HINT, SIGN_HINT], ["", chair]])


def _remarks(model: dict[str, Any]) -> list[str]:
    out = ["## Phụ lục 1. Toàn văn tham luận", ""]
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


def _marked(changes: list[dict[str, str]]) -> list[str]:
    """A changed section's lines with deletions struck through and insertions in bold; markup never wraps a space."""
    marks = {"equal": "", "delete": "~~", "insert": "**"}
    text = ""
    for change in changes:
        mark = marks[change["op"]]
        for index, piece in enumerate(change["text"].split("\n")):
            if index:
                text += "\n"
            core = piece.strip()
            if not core:
                text += piece
                continue
            lead, trail = piece[: len(piece) - len(piece.lstrip())], piece[len(piece.rstrip()):]
            text += f"{lead}{mark}{_line(core)}{mark}{trail}"
    return [line.strip() for line in text.split("\n") if line.strip()]


def _revised(model: dict[str, Any]) -> list[str]:
    out = ["## Phụ lục 2. Dự thảo sau tiếp thu", ""]
    draft = model["revised_draft"]
    if draft is None:
        return out + ["Không có dự thảo.", ""]
    out += [f"{revision_legend(draft)} Phần bị thay thế được gạch ngang, phần bổ sung in đậm.", ""]
    for paragraph in _paragraphs(draft["preamble"]) if draft["preamble"].strip() else []:
        out += [paragraph, ""]
    for section in draft["sections"]:
        lines = _marked(section["changes"]) if section["revised"] is not None else _paragraphs(section["text"])
        for line in lines:
            out += [line, ""]
        applied = applied_line(section)
        if applied is not None:
            out += [f"_{applied}_", ""]
        for note in section["notes"]:
            response = f": {_cell(note['response'])}" if note["response"] else ""
            out += [
                f"> Ý kiến số {note['no']} ({_cell(note['authors'])}) – {NOTE_REASONS[note['reason']]}{response}",
                "",
            ]
    return out


# Each action as a sentence; the request it came from is in the JSON format only, for whoever investigates.
AUDIT_HEADER = ["STT", "Thời gian", "Người thực hiện", "Nội dung", "Từ địa chỉ"]


def _audit(model: dict[str, Any]) -> list[str]:
    out = ["## Phụ lục 3. Nhật ký thao tác", ""]
    if not model["audit"]:
        return out + ["Không có.", ""]
    rows = [
        [str(n), when(e["at"]), _cell(e["actor"]), _cell(e["sentence"]), _cell(e["address"])]
        for n, e in enumerate(model["audit"], start=1)
    ]
    return out + _table(AUDIT_HEADER, rows)


def receipts_line(model: dict[str, Any]) -> str | None:
    """The seal's line of the Merkle root over the contributions' receipts; None for a record frozen before them."""
    receipts = model.get("receipts")
    if receipts is None:
        return None
    return f"{RECEIPTS_LABEL}: {receipts['root']} ({receipts['count']} ý kiến)"


def render_markdown(model: dict[str, Any], *, frozen: bool, sha256: str | None = None) -> str:
    """The summary as Markdown; the frozen record is rendered without `sha256`, and those exact UTF-8 bytes are hashed.

    Given a `sha256`, a blank line and the checksum line follow that record, for copies that must carry it.
    """
    out = [] if frozen else [f"> {DRAFT_MARKER}", ""]
    out += ["# BIÊN BẢN TỔNG HỢP HỘI THẢO", "", f"**{_cell(model['conference']['title'])}**", ""]
    for part in (_general, _attendance, _agenda, _speakers, _comments, _statement, _remarks, _revised, _audit):
        out += part(model)
    # Inside what the checksum covers, so the record's sha256 seals the root too.
    sealed = receipts_line(model) if frozen else None
    if sealed is not None:
        out += [sealed, ""]
    text = "\n".join(out)
    return text if sha256 is None else sealed_markdown(text, sha256)


def sealed_markdown(record: str, sha256: str) -> str:
    """The frozen record with its checksum line: the sha256 is of everything before that line's blank separator."""
    return f"{record}\n{CHECKSUM_LABEL}: {sha256}\n"


def render_html(
    model: dict[str, Any],
    *,
    frozen: bool,
    sha256: str | None,
    frozen_at: str | None = None,
    standalone: bool = False,
) -> str:
    """The summary as a printable page (A4); Jinja2 escapes every value.

    `standalone` inlines the stylesheet, for a copy read from a file away from the server.
    """
    if frozen_at is not None:
        # Callers hold the close time in UTC; the page shows every time in the conference's own zone.
        zone = ZoneInfo(model["conference"]["timezone"])
        frozen_at = datetime.fromisoformat(frozen_at).astimezone(zone).isoformat()
    template = _env.get_template("summary/summary.html")
    return template.render(
        model=model,
        frozen=frozen,
        sha256=sha256,
        frozen_at=frozen_at,
        draft_marker=DRAFT_MARKER,
        checksum_label=CHECKSUM_LABEL,
        receipts_label=RECEIPTS_LABEL,
        stylesheet=STYLESHEET.read_text(encoding="utf-8") if standalone else None,
        disposition_counts=DISPOSITION_COUNTS,
        note_reasons=NOTE_REASONS,
        signers=SIGNERS,
        sign_hint=SIGN_HINT,
        revision_legend=revision_legend,
        applied_line=applied_line,
        audit_header=AUDIT_HEADER,
        attendance_columns=ATTENDANCE_COLUMNS,
        attendance_legend=ATTENDANCE_LEGEND,
        absentee_line=absentee_line,
    )


def render_json(model: dict[str, Any], frozen_at: str | None, sha256: str | None) -> dict[str, Any]:
    """The model with its seal: `sha256` is of the frozen summary.md bytes, both null while it is a preview."""
    return {**model, "frozen": frozen_at is not None, "frozen_at": frozen_at, "sha256": sha256}
