"""Tests for splitting a Vietnamese legal draft into chapters, sections, articles, clauses and points."""
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.drafts.parser import Outline, normalise, parse_draft
from server.errors import Invalid

SAMPLE = """\
QUY CHẾ
phối hợp công tác

Chương I
NHỮNG QUY ĐỊNH CHUNG

Điều 1. Phạm vi điều chỉnh
Quy chế này quy định việc phối hợp.

Điều 2. Đối tượng áp dụng
1. Các cơ quan Trung ương.
2. Các tỉnh ủy, thành ủy:
a) Ban thường vụ;
b) Văn phòng.

Chương II. NỘI DUNG PHỐI HỢP

Mục 1
PHỐI HỢP LÃNH ĐẠO

Điều 3. Công tác cán bộ
1. Trình tự như sau:
a) Rà soát;
b) Trao đổi;
c) Thẩm định;
d) Cho ý kiến;
đ) Quyết định;
e) Công bố.
2. Bí thư do tỉnh ủy chỉ định.

Mục 2: KIỂM TRA, GIÁM SÁT

Điều 4. Kiểm tra
Hai bên phối hợp kiểm tra.

Chương III
ĐIỀU KHOẢN THI HÀNH

Mục 1
HIỆU LỰC

Điều 5. Hiệu lực thi hành
Quy chế có hiệu lực từ ngày ký.
"""

SAMPLE_ANCHORS = [
    "mo-dau",
    "chuong-1", "dieu-1", "dieu-2", "dieu-2.khoan-1", "dieu-2.khoan-2",
    "dieu-2.khoan-2.diem-a", "dieu-2.khoan-2.diem-b",
    "chuong-2", "chuong-2.muc-1", "dieu-3", "dieu-3.khoan-1",
    "dieu-3.khoan-1.diem-a", "dieu-3.khoan-1.diem-b", "dieu-3.khoan-1.diem-c",
    "dieu-3.khoan-1.diem-d", "dieu-3.khoan-1.diem-dd", "dieu-3.khoan-1.diem-e",
    "dieu-3.khoan-2", "chuong-2.muc-2", "dieu-4",
    "chuong-3", "chuong-3.muc-1", "dieu-5",
]


def by_anchor(outline: Outline) -> dict:
    return {s.anchor: s for s in outline.sections}


def test_sample_anchors_in_order() -> None:
    outline = parse_draft(SAMPLE)
    assert [s.anchor for s in outline.sections] == SAMPLE_ANCHORS
    assert [s.position for s in outline.sections] == list(range(len(SAMPLE_ANCHORS)))
    assert outline.unmatched == []
    assert outline.counts == {"preamble": 1, "part": 0, "chapter": 3, "section": 3,
                              "article": 5, "clause": 4, "point": 8}


def test_sample_fields() -> None:
    s = by_anchor(parse_draft(SAMPLE))
    assert (s["chuong-1"].number, s["chuong-1"].title) == ("I", "NHỮNG QUY ĐỊNH CHUNG")
    assert (s["chuong-2"].number, s["chuong-2"].title) == ("II", "NỘI DUNG PHỐI HỢP")
    assert s["chuong-2.muc-1"].title == "PHỐI HỢP LÃNH ĐẠO"
    assert s["chuong-2.muc-2"].title == "KIỂM TRA, GIÁM SÁT"
    assert (s["dieu-3"].number, s["dieu-3"].title, s["dieu-3"].parent) == ("3", "Công tác cán bộ", "chuong-2.muc-1")
    assert s["dieu-1"].parent == "chuong-1"
    assert s["dieu-3.khoan-1"].parent == "dieu-3"
    assert (s["dieu-3.khoan-1.diem-dd"].number, s["dieu-3.khoan-1.diem-dd"].parent) == ("đ", "dieu-3.khoan-1")
    assert s["chuong-3"].title == "ĐIỀU KHOẢN THI HÀNH"
    assert (s["mo-dau"].kind, s["mo-dau"].title, s["mo-dau"].parent) == ("preamble", "QUY CHẾ", None)


def test_text_runs_from_heading_to_first_child() -> None:
    s = by_anchor(parse_draft(SAMPLE))
    assert s["chuong-1"].text == "Chương I\nNHỮNG QUY ĐỊNH CHUNG\n\n"
    assert s["dieu-2"].text == "Điều 2. Đối tượng áp dụng\n"
    assert s["dieu-2.khoan-2"].text == "2. Các tỉnh ủy, thành ủy:\n"
    assert s["dieu-2.khoan-2.diem-b"].text == "b) Văn phòng.\n\n"
    assert s["dieu-5"].text == "Điều 5. Hiệu lực thi hành\nQuy chế có hiệu lực từ ngày ký.\n"


def test_article_without_clauses_keeps_its_body() -> None:
    s = by_anchor(parse_draft(SAMPLE))
    assert s["dieu-1"].text == "Điều 1. Phạm vi điều chỉnh\nQuy chế này quy định việc phối hợp.\n\n"
    assert not [a for a in s if a.startswith("dieu-1.")]


def test_lossless_on_sample() -> None:
    assert "".join(s.text for s in parse_draft(SAMPLE).sections) == SAMPLE


def test_nfd_input_gives_nfc_output() -> None:
    outline = parse_draft(unicodedata.normalize("NFD", SAMPLE).replace("\n", "\r\n"))
    assert [s.anchor for s in outline.sections] == SAMPLE_ANCHORS
    assert "".join(s.text for s in outline.sections) == SAMPLE
    for section in outline.sections:
        assert unicodedata.is_normalized("NFC", section.text + section.title + section.number)


def test_markdown_headings() -> None:
    md = ("# Luật mẫu\n\n## Chương I\n## QUY ĐỊNH CHUNG\n\n### Mục 1. Phạm vi\n\n"
          "**Điều 1. Phạm vi điều chỉnh**\n\n1. Khoản một.\n\n**Điều 2.** Giải thích từ ngữ\n\n"
          "1\\. Khoản có dấu thoát.\n\n#### ĐIỀU 3: Hiệu lực\n")
    outline = parse_draft(md)
    s = by_anchor(outline)
    assert list(s) == ["mo-dau", "chuong-1", "chuong-1.muc-1", "dieu-1", "dieu-1.khoan-1",
                       "dieu-2", "dieu-2.khoan-1", "dieu-3"]
    assert s["mo-dau"].title == "Luật mẫu"
    assert s["chuong-1"].title == "QUY ĐỊNH CHUNG"
    assert s["chuong-1.muc-1"].title == "Phạm vi"
    assert s["dieu-1"].title == "Phạm vi điều chỉnh"
    assert s["dieu-2"].title == "Giải thích từ ngữ"
    assert s["dieu-3"].title == "Hiệu lực"
    assert "".join(x.text for x in outline.sections) == md


def test_parts_and_section_outside_chapter() -> None:
    text = ("PHẦN THỨ NHẤT\nNHỮNG QUY ĐỊNH CHUNG\nMục 1\nĐiều 1. Một\n"
            "Phần thứ hai - QUY ĐỊNH CỤ THỂ\nChương 1\nĐiều 2. Hai\n")
    s = by_anchor(parse_draft(text))
    assert list(s) == ["phan-1", "muc-1", "dieu-1", "phan-2", "chuong-1", "dieu-2"]
    assert (s["phan-1"].number, s["phan-1"].title) == ("THỨ NHẤT", "NHỮNG QUY ĐỊNH CHUNG")
    assert (s["phan-2"].number, s["phan-2"].title) == ("thứ hai", "QUY ĐỊNH CỤ THỂ")
    assert s["chuong-1"].parent == "phan-2"


def test_leading_blank_lines_stay_with_first_heading() -> None:
    text = "\n\n  \nĐiều 1. Một\nNội dung.\n"
    outline = parse_draft(text)
    assert [s.anchor for s in outline.sections] == ["dieu-1"]
    assert outline.sections[0].text == text


def test_running_text_is_not_structure() -> None:
    text = ("Điều 1. Điều kiện\nĐiều kiện để được cấp phép:\nChương này không áp dụng cho\n"
            "Điều 5 của Luật này.\nMục tiêu của quy định.\nPhần còn lại giữ nguyên.\n")
    outline = parse_draft(text)
    assert [s.anchor for s in outline.sections] == ["dieu-1"]
    assert outline.unmatched == []


def test_duplicates_and_broken_lines_are_reported() -> None:
    text = ("Điều 1. Một\n1. Khoản.\n3. Khoản nhảy số.\nĐiều\n"
            "Điều 3. Ba\na) Điểm thẳng trong điều.\nf) Không có điểm f.\nĐiều 3. Trùng số\nĐiều 4 Thiếu dấu chấm\n")
    outline = parse_draft(text)
    assert [s.anchor for s in outline.sections] == [
        "dieu-1", "dieu-1.khoan-1", "dieu-1.khoan-3", "dieu-3", "dieu-3.diem-a", "dieu-3.diem-f", "dieu-3~2"]
    assert outline.unmatched == [
        "3. Khoản nhảy số.", "Điều", "Điều 3. Ba", "f) Không có điểm f.", "Điều 3. Trùng số", "Điều 4 Thiếu dấu chấm"]
    assert "".join(s.text for s in outline.sections) == text


@pytest.mark.parametrize("text", ["", "   \n\t\r\n"])
def test_empty_draft_is_invalid(text: str) -> None:
    with pytest.raises(Invalid, match="empty"):
        parse_draft(text)


def test_draft_without_article_is_invalid() -> None:
    with pytest.raises(Invalid, match="no article"):
        parse_draft("Chương I\nQUY ĐỊNH CHUNG\n1. Một khoản lạc.\n")


LINES = st.sampled_from([
    "Chương I", "Chương IV. TÊN", "CHƯƠNG 2", "Chương", "Chương IIII", "Mục 1", "Mục 2: Tên", "MỤC",
    "Phần thứ nhất", "Phần II", "Phần", "Điều 1. Tên", "Điều 1. Trùng", "Điều 2", "Điều 10a. Bổ sung",
    "ĐIỀU 3: X", "Điều", "Điều .", "Điều 7 Tên", "## Điều 5.", "**Điều 6.** Tên**", "1. Khoản", "2.",
    "1\\. Khoản", "a) Điểm", "đ) Điểm", "f)", "b)", "", "   ", "Nội dung.", "# Tiêu đề", "\t 3. khoản lệch",
])
DRAFTS = st.one_of(
    st.lists(st.one_of(LINES, st.text(max_size=12)), max_size=30).map("\n".join),
    st.lists(st.one_of(LINES, st.text(max_size=12)), max_size=30).map("\r\n".join),
    st.text(),
)


@settings(max_examples=300, deadline=None)
@given(DRAFTS)
def test_parser_properties(text: str) -> None:
    try:
        outline = parse_draft(text)
    except Invalid:
        return
    assert "".join(s.text for s in outline.sections) == normalise(text)
    anchors = [s.anchor for s in outline.sections]
    assert len(set(anchors)) == len(anchors)
    assert [s.position for s in outline.sections] == list(range(len(anchors)))
    assert outline.counts["article"] >= 1
    known = set()
    for section in outline.sections:
        assert section.parent is None or section.parent in known
        known.add(section.anchor)
