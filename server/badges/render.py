"""Badge sheets as QR images for the HTML page and as an A4 PDF, eight badges to a page."""
from __future__ import annotations

import io
from typing import TYPE_CHECKING

import segno

from server.badges.fonts import vietnamese_font
from server.badges.operations import Badge, Sheet

if TYPE_CHECKING:
    from fpdf import FPDF

PER_PAGE = 8
COLUMNS = 2
# A4 in millimetres; 2 x 4 cells of 95 x 69 mm, each holding a 90 x 65 mm badge inside dashed cut lines.
PAGE_W, PAGE_H = 210.0, 297.0
CELL_W, CELL_H = 95.0, 69.0
BADGE_W, BADGE_H = 90.0, 65.0
MARGIN_X, MARGIN_Y = (PAGE_W - COLUMNS * CELL_W) / 2, (PAGE_H - PER_PAGE // COLUMNS * CELL_H) / 2
QR_SIZE = 28.0
PT_TO_MM = 25.4 / 72
GREY = (90, 90, 90)


def qr(code: str) -> segno.QRCode:
    """Never a Micro QR: many scanners cannot read those; level M survives a scuffed badge."""
    return segno.make_qr(code, error="m")


def qr_data_uri(code: str) -> str:
    return str(qr(code).svg_data_uri(scale=4, omitsize=True))


def _qr_png(code: str) -> io.BytesIO:
    buffer = io.BytesIO()
    qr(code).save(buffer, kind="png", scale=10)
    buffer.seek(0)
    return buffer


def _lines(pdf: FPDF, width: float, text: str) -> list[str]:
    """The lines multi_cell would write the text in: fpdf2 types its answer as any output's, LINES gives a list."""
    lines = pdf.multi_cell(width, 1, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return lines


def _box(
    pdf: FPDF,
    text: str,
    x: float,
    y: float,
    width: float,
    lines: int,
    size: float,
    style: str = "",
    align: str = "L",
    shrink: float = 0.8,
) -> float:
    """Write text in at most `lines` lines, shrinking the font down to `shrink` times its size, then cutting with
    "…"; returns the bottom."""
    minimum = size * shrink
    pdf.set_font("Sans", style, size)
    wrapped = _lines(pdf, width, text)
    while len(wrapped) > lines and size > minimum:
        size -= 0.5
        pdf.set_font_size(size)
        wrapped = _lines(pdf, width, text)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        while wrapped[-1] and pdf.get_string_width(wrapped[-1] + "…") > width:
            wrapped[-1] = wrapped[-1][:-1]
        wrapped[-1] = wrapped[-1].rstrip() + "…"
    line_height = size * PT_TO_MM * 1.2
    for index, line in enumerate(wrapped):
        pdf.set_xy(x, y + index * line_height)
        pdf.cell(width, line_height, line, align=align)
    return y + len(wrapped) * line_height


def _badge(pdf: FPDF, sheet: Sheet, badge: Badge, x: float, y: float) -> None:
    pdf.set_draw_color(160, 160, 160)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.rect(x, y, BADGE_W, BADGE_H)
    pdf.set_dash_pattern()
    inner, left = BADGE_W - 8, x + 4
    # Position and organisation share the left column with the point name; the QR takes the right.
    column = BADGE_W - QR_SIZE - 10
    pdf.set_text_color(*GREY)
    _box(pdf, sheet.conference_title, left, y + 3, inner, 2, 7, align="C", shrink=1)
    pdf.set_text_color(0, 0, 0)
    bottom = _box(pdf, badge.full_name, left, y + 11, inner, 2, 15, "B", align="C")
    top = max(y + 26, bottom + 1.5)
    if badge.position:
        top = _box(pdf, badge.position, left, top, column, 2, 9) + 1
    if badge.organization:
        _box(pdf, badge.organization, left, top, column, 3, 9)
    _box(pdf, sheet.point_name, left, y + BADGE_H - 13, column, 2, 9, "B")
    pdf.image(_qr_png(badge.code), x + BADGE_W - QR_SIZE - 3, y + 26, QR_SIZE, QR_SIZE)
    _box(pdf, badge.code, left, y + BADGE_H - 6, inner, 1, 6.5, align="R")


def render_pdf(sheet: Sheet) -> bytes:
    """The same sheet as the page, with fixed metadata so the same roster gives the same bytes."""
    # fpdf2 is imported by the first badge sheet, not by every start of the server.
    from fpdf import FPDF

    font = vietnamese_font()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font("Sans", "", str(font.regular))
    pdf.add_font("Sans", "B", str(font.bold))
    pdf.set_creation_date(sheet.created_at)
    pdf.set_title(f"Thẻ đại biểu – {sheet.point_name}")
    pdf.set_subject(sheet.conference_title)
    pdf.set_creator("Điểm Cầu")
    pdf.set_lang("vi")
    for index, badge in enumerate(sheet.badges):
        slot = index % PER_PAGE
        if slot == 0:
            pdf.add_page()
        x = MARGIN_X + (slot % COLUMNS) * CELL_W + (CELL_W - BADGE_W) / 2
        y = MARGIN_Y + (slot // COLUMNS) * CELL_H + (CELL_H - BADGE_H) / 2
        _badge(pdf, sheet, badge, x, y)
    if not sheet.badges:
        pdf.add_page()
    return bytes(pdf.output())
