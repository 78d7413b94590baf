"""The chair's closing statement: a draft filled with the workshop's real figures, which the chair may rewrite."""
from __future__ import annotations

from datetime import datetime
from typing import Any


def _date(iso: str) -> str:
    # Administrative documents write days below 10, and the months January and February, with a leading zero.
    moment = datetime.fromisoformat(iso)
    month = f"{moment.month:02d}" if moment.month < 3 else str(moment.month)
    return f"ngày {moment.day:02d} tháng {month} năm {moment.year}"


def generated_statement(model: dict[str, Any]) -> str:
    """The conclusion a secretariat would draft for the chair, from the compiled summary (without this statement)."""
    c = model["conference"]
    attendance = model["attendance"]["totals"]
    totals = model["comment_totals"]
    speeches = len(model["speakers"])
    host = f"tại {c['host_point']}" if c["host_point"] else "tại điểm cầu chính"
    present = f"{attendance['present']}/{attendance['expected']} đại biểu được triệu tập"
    if attendance["rate"]:
        present += f" (đạt {attendance['rate']})"
    extras = []
    if attendance["substitutes"]:
        extras.append(f"{attendance['substitutes']} đại biểu dự thay")
    if attendance["walk_ins"]:
        extras.append(f"{attendance['walk_ins']} khách mời")
    if extras:
        present += ", ngoài ra có " + " và ".join(extras)
    draft = model["draft"]["title"] if model["draft"] else "dự thảo"
    paragraphs = [
        (
            f"Hội thảo \u201c{c['title']}\u201d được tổ chức trực tuyến {_date(c['starts_at'])}, {host}, "
            f"kết nối với {c['points_count']} điểm cầu. Tham dự Hội thảo có {present}."
        ),
        (
            f"Hội thảo đã nghe {len(model['remarks'])} tham luận và {speeches} lượt phát biểu; "
            f"nhận được {totals['total']} ý kiến góp ý vào {draft} của {totals['people']} đại biểu "
            f"tại {totals['points']} điểm cầu."
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
