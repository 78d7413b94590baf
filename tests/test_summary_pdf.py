"""The summary PDF: Debian's headless Chromium prints our page with every Vietnamese letter, byte-for-byte reproducibly."""
from __future__ import annotations

import asyncio
import html
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from server.settings import Settings
from server.summary.pdf import PdfUnavailable, pdf_date, render_pdf
from tests.rendered import pdf_text, poppler, squeezed

ROOT = Path(__file__).resolve().parents[1]
CREATED = datetime(2021, 9, 7, 11, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
VIETNAMESE = ["BIÊN BẢN TỔNG HỢP HỘI THẢO", "Nguyễn Thị Minh Phượng", "Điểm cầu Hậu Giang", "Tiếp thu một phần"]
HOSTILE = ["<script>alert(1)</script>", "=CMD()"]


def page(header: list[str], rows: list[list[str]]) -> str:
    """A self-contained page in the summary's own stylesheet, every value escaped as the template does."""
    css = (ROOT / "web" / "static" / "css" / "summary.css").read_text(encoding="utf-8")
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "\n".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return (
        f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Biên bản tổng hợp</title>'
        f'<style>{css}</style></head><body class="summary"><h1>BIÊN BẢN TỔNG HỢP HỘI THẢO</h1>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>"
    )


def small_page() -> str:
    """Two wide columns, so that no cell wraps inside the strings the tests look for."""
    return page(["STT", "Nội dung"], [
        ["1", "Nguyễn Thị Minh Phượng, Điểm cầu Hậu Giang"],
        ["2", "Tiếp thu một phần"],
        ["3", HOSTILE[0]],
        ["4", HOSTILE[1]],
    ])


def xref_points_at_objects(pdf: bytes) -> bool:
    """Every in-use entry of the cross-reference table gives the offset where its object starts."""
    trailer = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", pdf)
    assert trailer is not None
    table = re.compile(rb"xref\s+(\d+) (\d+)\s+").match(pdf, int(trailer[1]))
    assert table is not None
    first, count = int(table[1]), int(table[2])
    entries = re.findall(rb"(\d{10}) (\d{5}) ([nf])", pdf[table.end():trailer.start()])
    return len(entries) == count and all(
        pdf.startswith(f"{first + number} {int(generation)} obj".encode(), int(offset))
        for number, (offset, generation, kind) in enumerate(entries) if kind == b"n"
    )


def stylesheet_families() -> list[str]:
    """The families the summary's stylesheet asks for, as PDF font names spell them (no spaces)."""
    css = (ROOT / "web" / "static" / "css" / "summary.css").read_text(encoding="utf-8")
    stack = re.search(r"body\.summary \{[^}]*font-family: ([^;]+);", css)
    assert stack is not None
    return [name.strip().strip('"').replace(" ", "") for name in stack[1].split(",")]


async def test_every_vietnamese_letter_and_hostile_text_come_out_as_text() -> None:
    pdf = await render_pdf(small_page(), created=CREATED)
    text = squeezed(pdf_text(pdf))
    for expected in VIETNAMESE + HOSTILE:
        assert squeezed(expected) in text
    # One family for every letter, so no word is patched together from a fallback font; Type 3 fonts show as [none].
    # Which family depends on the machine's fonts (Liberation Serif 2 where Times New Roman is not installed).
    fonts = poppler("pdffonts", "-", stdin=pdf).splitlines()[2:]
    families = {line.split()[0].split("+")[-1].split("-")[0] for line in fonts}
    assert len(families) == 1, f"one family should set every letter, not {families} (scripts/test installs fonts-liberation2)"
    (family,) = families
    assert any(family.startswith(name) for name in stylesheet_families()[:-1]), f"{family} is not in the stylesheet"


async def test_the_same_page_prints_to_the_same_bytes() -> None:
    first = await render_pdf(small_page(), created=CREATED)
    # Chromium stamps the wall clock to the second; make sure the second run sees another one.
    await asyncio.sleep(1)
    second = await render_pdf(small_page(), created=CREATED)
    assert first == second
    assert xref_points_at_objects(first)
    assert re.findall(rb"/(?:CreationDate|ModDate) \((D:[^)]*)\)", first) == [b"D:20210907113000+07'00'"] * 2
    assert "2021-09-07T11:30:00+07" in poppler("pdfinfo", "-isodates", "-", stdin=first)


@pytest.mark.parametrize(("moment", "expected"), [
    (CREATED, b"D:20210907113000+07'00'"),
    (datetime(2021, 9, 7, 4, 30, 5, tzinfo=UTC), b"D:20210907043005+00'00'"),
    (datetime(2021, 9, 7, 1, 0, tzinfo=timezone(-timedelta(hours=3, minutes=30))), b"D:20210907010000-03'30'"),
])
def test_pdf_dates_keep_the_length_chromium_writes(moment: datetime, expected: bytes) -> None:
    assert pdf_date(moment) == expected


async def test_a_missing_chromium_is_a_503(tmp_path: Path) -> None:
    with pytest.raises(PdfUnavailable) as caught:
        await render_pdf(small_page(), created=CREATED, chromium=str(tmp_path / "no-chromium"))
    assert caught.value.status == 503
    assert caught.value.to_dict()["error"]["code"] == "unavailable"


async def test_a_chromium_that_writes_nothing_is_a_503(tmp_path: Path) -> None:
    silent = tmp_path / "chromium"
    silent.write_text("#!/bin/sh\nexit 0\n")
    silent.chmod(0o755)
    with pytest.raises(PdfUnavailable):
        await render_pdf(small_page(), created=CREATED, chromium=str(silent))


async def test_a_hung_chromium_is_killed_with_its_children(tmp_path: Path) -> None:
    hung = tmp_path / "chromium"
    hung.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {tmp_path / 'child'}\nwait\n")
    hung.chmod(0o755)
    with pytest.raises(PdfUnavailable):
        await render_pdf(small_page(), created=CREATED, chromium=str(hung), timeout=1)
    child = int((tmp_path / "child").read_text())
    await asyncio.sleep(0.1)
    stat = Path(f"/proc/{child}/stat")
    # Killed, and at most a zombie waiting for an init that does not reap it.
    assert not stat.exists() or stat.read_text().split()[2] == "Z"


def test_the_server_runs_the_browser_not_its_desktop_launcher() -> None:
    """Debian's /usr/bin/chromium is a shell script whose /dev/shm probe fails where /dev/shm is mounted twice."""
    assert Path(Settings.chromium).read_bytes()[:4] == b"\x7fELF", f"{Settings.chromium} is not Chromium's binary"
