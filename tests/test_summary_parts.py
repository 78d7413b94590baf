"""A long summary prints in parts: together they hold every piece exactly once, and join into one reproducible PDF."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.summary import parts
from server.summary.compile import compile_summary
from server.summary.parts import Part, print_parts
from server.summary.pdf import print_pdf
from server.summary.render import render_html
from tests.rendered import pdf_text, poppler, squeezed
from tests.test_summary_render import seed, session

# The fixture, used by name.
__all__ = ["session"]

CREATED = datetime(2021, 9, 7, 11, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

def long_model(model: dict[str, Any], copies: int) -> dict[str, Any]:
    """The seeded summary with its comment table and remarks repeated, numbered on."""
    groups, number = [], 0
    for copy in range(copies):
        for group in model["comments"]:
            rows = []
            for row in group["rows"]:
                number += 1
                rows.append({**row, "no": number, "body": f"Góp ý thứ {number}"})
            groups.append({**group, "heading": f"{group['heading']} [{copy}]", "rows": rows})
    remarks = [{**r, "title": f"Tham luận số {n}"} for n, r in enumerate(model["remarks"] * copies, start=1)]
    audit = [{"at": "2021-09-07T09:56:00+07:00", "actor": "Trần Văn Chủ", "action": "comment.dispose",
              "sentence": f"Tiếp thu góp ý số {n} (Điều 6)", "request": f"PATCH /api/v1/conferences/1/comments/{n}",
              "address": "10.0.0.5"}
             for n in range(1, 20 * copies + 1)]
    return {**model, "comments": groups, "remarks": remarks, "audit": audit}

async def test_a_short_summary_is_one_part(session: AsyncSession) -> None:
    model = await compile_summary(session, await seed(session))
    assert print_parts(model) == [Part()]

async def test_parts_hold_every_piece_once_in_order(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "BUDGET", 25)
    model = long_model(await compile_summary(session, await seed(session)), 8)
    pieces = print_parts(model)
    assert len(pieces) > 3
    assert [p.front for p in pieces].count(True) == 1 and pieces[0].front
    assert [p.back for p in pieces].count(True) == 1
    assert [p.seal for p in pieces] == [False] * (len(pieces) - 1) + [True]
    assert [p.remarks_head for p in pieces].count(True) == 1 and [p.revised_head for p in pieces].count(True) == 1
    assert [p.audit_head for p in pieces].count(True) == 1

    pages = [render_html(model, frozen=True, sha256="ab" * 32, part=p) for p in pieces]
    bodies = [b for page in pages for b in re.findall(r"Góp ý thứ (\d+)", page)]
    assert bodies == [str(n) for n in range(1, 57)]
    titles = [t for page in pages for t in re.findall(r"<h3>(\d+)\. Tham luận số (\d+)</h3>", page)]
    assert titles == [(str(n), str(n)) for n in range(1, 17)]
    actions = [n for page in pages for n in re.findall(r"Tiếp thu góp ý số (\d+) ", page)]
    assert actions == [str(n) for n in range(1, 161)]
    joined = "".join(pages)
    for once in ("<h2>V. Bảng tổng hợp", "<h2>VI. Kết luận của chủ trì", "<h2>Phụ lục 1.", "<h2>Phụ lục 2.", "<h2>Phụ lục 3.",
                 "Kết quả xử lý:", "Mã kiểm tra (SHA-256)", "BIÊN BẢN TỔNG HỢP HỘI THẢO</h1>"):
        assert joined.count(once) == 1, once
    assert "Không có.</p>" not in joined
    # A group cut between two parts says so where it carries on.
    assert "(tiếp theo)" in joined

async def test_parts_join_into_one_reproducible_pdf(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "BUDGET", 25)
    model = long_model(await compile_summary(session, await seed(session)), 4)
    pages = [render_html(model, frozen=True, sha256="cd" * 32, standalone=True, part=p) for p in print_parts(model)]
    assert len(pages) >= 3
    first, second = await print_pdf(pages, created=CREATED), await print_pdf(pages, created=CREATED)
    assert first == second and first.startswith(b"%PDF-")
    assert "2021-09-07T11:30:00+07" in poppler("pdfinfo", "-isodates", "-", stdin=first)
    text = pdf_text(first)
    assert [int(n) for n in re.findall(r"Góp\s+ý\s+thứ\s+(\d+)", text)] == list(range(1, 29))
    pieces = ("BIÊN BẢN TỔNG HỢP HỘI THẢO", "Phụ lục 2. Dự thảo sau tiếp thu", "cd" * 32)
    order = [squeezed(text).index(squeezed(piece)) for piece in pieces]
    assert order == sorted(order)
