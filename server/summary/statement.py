"""The chair's closing statement: a draft filled with the workshop's real figures, which the chair may rewrite."""
from __future__ import annotations

from datetime import datetime
from typing import Any


def _date(iso: str) -> str:
    # Administrative documents write days below 10, and the months January and February, with a leading zero.
    moment = datetime.fromisoformat(iso)
    month = f"{moment.month:02d}" if moment.month < 3 else str(moment.month)
    return f"ngày {moment.day:02d} tháng {month} năm {moment.year}"


def attendance_sentence(totals: dict[str, Any], absentees: list[dict[str, Any]]) -> str:
    """Who attended, as a Vietnamese record says it: the invited over the roster, then stand-ins, then the absent."""
    parts = [f"có mặt {totals['invited_present']}/{totals['expected']} đại biểu được triệu tập"]
    if totals["rate"]:
        parts[0] += f" (đạt {totals['rate']})"
    if totals["substitutes"]:
        parts.append(f"{totals['substitutes']} đại biểu dự thay")
    if totals["walk_ins"]:
        parts.append(f"{totals['walk_ins']} khách mời")
    if totals["absent"]:
        excused = sum(1 for person in absentees if person["absence_reason"])
        parts.append(f"vắng {totals['absent']} đại biểu" + (f" (có lý do: {excused})" if excused else ""))
    return "; ".join(parts)


def generated_statement(model: dict[str, Any]) -> str:
    """The conclusion a secretariat would draft for the chair, from the compiled summary (without this statement)."""
    c = model["conference"]
    attendance = model["attendance"]["totals"]
    totals = model["comment_totals"]
    # Absent from a record compiled before the secretariat filed proposals of its own.
    secretariat = totals.get("secretariat", 0)
    speeches = len(model["speakers"])
    host = f"tại {c['host_point']}" if c["host_point"] else "tại điểm cầu chính"
    present = attendance_sentence(attendance, model["absentees"])
    draft = model["draft"]["title"] if model["draft"] else "dự thảo"
    paragraphs = [
        (
            f"Hội thảo \u201c{c['title']}\u201d được tổ chức trực tuyến {_date(c['starts_at'])}, {host}, "
            f"kết nối với {c['points_count']} điểm cầu. Tham dự Hội thảo: {present}."
        ),
        (
            f"Hội thảo đã nghe {len(model['remarks'])} tham luận và {speeches} lượt phát biểu; "
            f"nhận được {totals['total'] - secretariat} ý kiến góp ý vào {draft} của {totals['people']} đại biểu "
            f"tại {totals['points']} điểm cầu."
            # The secretariat's own proposals are no delegate's comment: said apart, and only when there are some.
            + (f" Ban soạn thảo đề xuất thêm {secretariat} nội dung sửa đổi." if secretariat else "")
        ),
        (
            f"Chủ trì Hội thảo đã tiếp thu {totals['accepted']} ý kiến, tiếp thu một phần {totals['partly_accepted']} "
            f"ý kiến, ghi nhận {totals['noted']} ý kiến và giải trình, không tiếp thu {totals['declined']} ý kiến"
            + (f"; còn {totals['pending']} ý kiến chưa xử lý." if totals["pending"] else ".")
        ),
        (
            "Giao cơ quan soạn thảo tiếp thu đầy đủ các ý kiến nêu trên, hoàn thiện dự thảo, "
            "báo cáo cấp có thẩm quyền xem xét, quyết định."
        ),
    ]
    return "\n\n".join(paragraphs)
