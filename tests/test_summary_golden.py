"""The demo workshop replayed to its close gives exactly the summary files shown to users under docs/examples."""
from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest

from server.demo.examples import NAMES, write_demo_summary
from tests.rendered import pdf_text, squeezed, tracked_changes

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
REGENERATE = "regenerate with: diemcau demo-summary docs/examples"


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo-summary")
    write_demo_summary(directory)
    return directory


@pytest.mark.parametrize("fmt", ["md", "html", "json", "pdf", "pdfa"])
def test_text_formats_and_the_pdf_match_the_examples_byte_for_byte(replayed: Path, fmt: str) -> None:
    name = NAMES[fmt]
    assert (replayed / name).read_bytes() == (EXAMPLES / name).read_bytes(), REGENERATE


def test_the_golden_markdown_is_the_whole_record(replayed: Path) -> None:
    summary = json.loads((replayed / NAMES["json"]).read_text(encoding="utf-8"))
    markdown = (replayed / NAMES["md"]).read_text(encoding="utf-8")
    assert summary["frozen"] is True and summary["frozen_at"] == "2021-09-07T10:10:00+07:00"
    assert markdown.endswith(f"\nMã kiểm tra (SHA-256): {summary['sha256']}\n")
    totals = summary["attendance"]["totals"]
    figures = ("expected", "invited_present", "represented", "absent", "substitutes", "walk_ins", "people", "rate")
    assert [totals[f] for f in figures] == [89, 84, 2, 3, 2, 1, 87, "94,4%"]
    assert len(summary["absentees"]) == 3
    assert (
        "có mặt 84/89 đại biểu được triệu tập (đạt 94,4%); 2 đại biểu dự thay; 1 khách mời; vắng 3 đại biểu (có lý "
        "do: 2)"
        in markdown
    )
    assert summary["comment_totals"]["total"] == 11 and summary["comment_totals"]["merged"] == 1
    assert summary["comment_totals"]["secretariat"] == 1
    merged = next(r for g in summary["comments"] for r in g["rows"] if len(r["authors"]) == 2)
    assert [a["name"] for a in merged["authors"]] == ["Nguyễn Thị Minh Phượng", "Phạm Văn Đông"]
    revised = summary["revised_draft"]
    # Every kind of adopted change: a point deleted, a counter-wording, replacements, a clause inserted, the
    # secretariat's own proposal; the conflict on khoản 1 Điều 9 was settled by ruling again before the close.
    assert (revised["applied"], revised["flagged"]) == (7, 0)
    assert [(s["anchor"], s["revised_anchor"], s["change"], s["applied_no"]) for s in revised["sections"]
            if s["change"] != "unchanged"] == [
        ("dieu-4.khoan-3.diem-d", None, "deleted", 9),
        ("dieu-6.khoan-1.diem-d", "dieu-6.khoan-1.diem-d", "modified", 4),
        ("dieu-6.khoan-1.diem-dd", "dieu-6.khoan-1.diem-dd", "modified", 2),
        ("dieu-7.khoan-2.diem-c", "dieu-7.khoan-2.diem-c", "modified", 5),
        ("dieu-9.khoan-1", "dieu-9.khoan-1", "modified", 10),
        (None, "dieu-9.khoan-4", "inserted", 8),
        ("dieu-14.khoan-1", "dieu-14.khoan-1", "modified", 12),
    ]
    ruled_again = next(r for g in summary["comments"] for r in g["rows"] if r["no"] == 11)
    assert ruled_again["disposition"] == "noted" and "ý kiến số 10" in ruled_again["response"]
    assert "_(Bổ sung theo ý kiến số 8.)_" in markdown and "_(Bỏ theo ý kiến số 9.)_" in markdown


def test_the_revised_word_draft_tracks_the_inserted_clause_and_the_deleted_point(replayed: Path) -> None:
    inserted, deleted = tracked_changes((replayed / NAMES["revised"]).read_bytes())
    assert "4. Hằng năm, văn phòng tỉnh ủy và Văn phòng Đảng ủy Công an Trung ương phối hợp" in inserted
    assert "d) Tuyên truyền về truyền thống, thành tích của lực lượng Công an nhân dân" in deleted
    assert "(10 ngày làm việc đối với việc kiện toàn giám đốc công an tỉnh)" in inserted


def test_the_word_document_has_real_headings_and_tables(replayed: Path) -> None:
    document = docx.Document(io.BytesIO((replayed / NAMES["docx"]).read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert headings[:6] == [
        "I. Thông tin chung",
        "II. Tình hình tham dự",
        "III. Chương trình và diễn biến",
        "IV. Phát biểu",
        "V. Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý",
        "VI. Kết luận của chủ trì",
    ]
    tables = {table.rows[0].cells[0].text + "|" + table.rows[0].cells[1].text: table for table in document.tables}
    attendance = tables["Điểm cầu|Triệu tập"]
    assert [c.text for c in attendance.rows[-1].cells] == ["Tổng cộng", "89", "84", "94,4%", "2", "3", "2", "1", "87"]
    comments = next(
        t for t in document.tables if [c.text for c in t.rows[0].cells][:3] == ["Số", "Điều, khoản", "Nội dung góp ý"]
    )
    numbered = [row.cells[0].text for row in comments.rows[1:] if row.cells[0].text.isdigit()]
    # Each comment keeps the number it came in with (3 was merged into 2), the number the chair's inbox shows.
    assert numbered == ["1", "9", "4", "2", "5", "6", "10", "11", "8", "7", "12"]
    merged = next(row for row in comments.rows if row.cells[0].text == "2")
    assert "Nguyễn Thị Minh Phượng" in merged.cells[3].text and "Phạm Văn Đông" in merged.cells[3].text


def test_the_pdf_reads_back_in_vietnamese(replayed: Path) -> None:
    text = squeezed(pdf_text(replayed / NAMES["pdf"]))
    for expected in ("BAN TỔ CHỨC HỘI THẢO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BIÊN BẢN TỔNG HỢP",
                     "II. Tình hình tham dự", "Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý",
                     "Lê Thanh Phong dự thay Đinh Văn Lực (Điểm cầu Hậu Giang)", "Tác giả: Nguyễn Thị Thu Hà",
                     "Phụ lục 2. Dự thảo sau tiếp thu", "CHỦ TRÌ", "Trần Quốc Tỏ", "Nguyễn Thị Minh Phượng",
                     "Phạm Văn Đông", "Điểm cầu Sóc Trăng", "Tiếp thu một phần"):
        assert squeezed(expected) in text, expected
