"""Drafts numbered by Word: the labels of automatic numbering read from numbering.xml and styles, then parsed."""
from __future__ import annotations

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from server.drafts import numbering
from server.drafts.parser import parse_draft
from server.drafts.word import paragraphs, read_text
from tests.support.documents import FIXTURES, WordDraft, level, multilevel_draft

# The python-docx template is Word's Normal.dotm: its "List Number" style counts in numId 5 (abstractNum 7).
LIST_NUMBER_NUM = "5"


def anchors(raw: bytes) -> list[str]:
    return [s.anchor for s in parse_draft(read_text(raw)).sections]


def test_a_multilevel_list_numbers_articles_clauses_and_points_restarting_clauses_per_article() -> None:
    raw = multilevel_draft()
    assert paragraphs(raw) == [
        "QUY CHẾ PHỐI HỢP",
        "Điều 1. Phạm vi điều chỉnh", "Quy chế này quy định việc phối hợp.",
        "Điều 2. Đối tượng áp dụng", "1. Các cơ quan Trung ương.", "2. Các địa phương:", "a) Tỉnh ủy;", "b) Thành ủy.",
        "Điều 3. Hiệu lực thi hành", "1. Quy chế có hiệu lực kể từ ngày ký.", "2. Văn phòng chủ trì theo dõi.",
    ]
    outline = parse_draft(read_text(raw))
    assert [s.anchor for s in outline.sections] == [
        "mo-dau",
        "dieu-1",
        "dieu-2",
        "dieu-2.khoan-1",
        "dieu-2.khoan-2",
        "dieu-2.khoan-2.diem-a",
        "dieu-2.khoan-2.diem-b",
        "dieu-3",
        "dieu-3.khoan-1",
        "dieu-3.khoan-2",
    ]
    assert outline.sections[1].title == "Phạm vi điều chỉnh" and outline.unmatched == []


def test_chapters_in_roman_and_articles_that_never_restart() -> None:
    draft = WordDraft()
    abstract = draft.abstract(level(0, "upperRoman", "Chương %1", suffix="space"),
                              level(1, "decimal", "Điều %2.", restart=0, suffix="space"),
                              level(2, "decimal", "%3."), level(3, "lowerLetter", "%4)"))
    num = draft.num(abstract)
    for ilvl, text in ((0, ""), (None, "NHỮNG QUY ĐỊNH CHUNG"), (1, "Phạm vi"), (2, "Khoản một."), (2, "Khoản hai."),
                       (0, ""), (None, "TỔ CHỨC THỰC HIỆN"), (1, "Hiệu lực"), (2, "Khoản một."), (3, "Điểm a.")):
        draft.add(text, num if ilvl is not None else None, ilvl)
    raw = draft.bytes()
    # A list paragraph with no text still shows its number, as Word shows it.
    assert paragraphs(raw)[:6] == [
        "Chương I",
        "NHỮNG QUY ĐỊNH CHUNG",
        "Điều 1. Phạm vi",
        "1. Khoản một.",
        "2. Khoản hai.",
        "Chương II",
    ]
    assert anchors(raw) == ["chuong-1", "dieu-1", "dieu-1.khoan-1", "dieu-1.khoan-2",
                            "chuong-2", "dieu-2", "dieu-2.khoan-1", "dieu-2.khoan-1.diem-a"]


def test_clauses_in_the_list_number_style_restart_per_article_through_a_new_num() -> None:
    draft = WordDraft()
    draft.add("Điều 1. Phạm vi điều chỉnh")
    draft.add("Quy chế này quy định việc phối hợp.", style="List Number")
    draft.add("Quy chế này không áp dụng cho lực lượng vũ trang.", style="List Number")
    # Word's "Restart at 1": a new num over the same abstract list, with a startOverride, set on the paragraph.
    restart = draft.num("7", {0: 1})
    draft.add("Điều 2. Đối tượng áp dụng")
    draft.add("Các cơ quan Trung ương.", restart, 0, style="List Number")
    draft.add("Các địa phương.", style="List Number")
    # Without a restart the list would go on counting: this paragraph is clause 3 of Điều 2.
    draft.add("Các tổ chức khác.", style="List Number")
    raw = draft.bytes()
    assert paragraphs(raw) == ["Điều 1. Phạm vi điều chỉnh", "1. Quy chế này quy định việc phối hợp.",
                               "2. Quy chế này không áp dụng cho lực lượng vũ trang.", "Điều 2. Đối tượng áp dụng",
                               "1. Các cơ quan Trung ương.", "2. Các địa phương.", "3. Các tổ chức khác."]
    assert anchors(raw) == ["dieu-1", "dieu-1.khoan-1", "dieu-1.khoan-2", "dieu-2", "dieu-2.khoan-1", "dieu-2.khoan-2",
                            "dieu-2.khoan-3"]


def test_a_lettered_list_shows_word_letters_which_skip_dd() -> None:
    draft = WordDraft()
    letters = draft.num(draft.abstract(level(0, "lowerLetter", "%1)", suffix="space")))
    draft.add("Điều 1. Đối tượng áp dụng")
    draft.add("1. Các địa phương:")
    for text in ("Tỉnh ủy;", "Thành ủy;", "Huyện ủy;", "Đảng ủy khối;", "Đảng ủy xã."):
        draft.add(text, letters, 0)
    raw = draft.bytes()
    assert paragraphs(raw)[2:] == ["a) Tỉnh ủy;", "b) Thành ủy;", "c) Huyện ủy;", "d) Đảng ủy khối;", "e) Đảng ủy xã."]
    outline = parse_draft(read_text(raw))
    # What Word showed the ministry, read as written: the fifth point is "e", out of the Vietnamese sequence.
    assert [s.anchor for s in outline.sections][-2:] == ["dieu-1.khoan-1.diem-d", "dieu-1.khoan-1.diem-e"]
    assert outline.unmatched == ["e) Đảng ủy xã."]


def test_a_list_goes_on_counting_after_a_table() -> None:
    draft = WordDraft()
    draft.add("Điều 1. Định mức chi")
    draft.add("Chi hội nghị theo bảng sau:", style="List Number")
    table = draft.document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Nội dung", "Mức chi"
    table.cell(1, 0).text, table.cell(1, 1).text = "Chủ trì", "200.000 đồng"
    draft.add("Chi in ấn tài liệu theo thực tế.", style="List Number")
    draft.add("Chi khác do thủ trưởng quyết định.", style="List Number")
    raw = draft.bytes()
    assert paragraphs(raw) == [
        "Điều 1. Định mức chi",
        "1. Chi hội nghị theo bảng sau:",
        "Nội dung",
        "Mức chi",
        "Chủ trì",
        "200.000 đồng",
        "2. Chi in ấn tài liệu theo thực tế.",
        "3. Chi khác do thủ trưởng quyết định.",
    ]
    assert anchors(raw) == ["dieu-1", "dieu-1.khoan-1", "dieu-1.khoan-2", "dieu-1.khoan-3"]


def test_numbering_removed_with_num_id_zero_leaves_the_paragraph_unnumbered() -> None:
    draft = WordDraft()
    draft.add("Điều 1. Hiệu lực")
    draft.add("Quy chế có hiệu lực kể từ ngày ký.", style="List Number")
    # The style numbers, but the paragraph says numId 0: Word shows no number and the list does not move on.
    draft.add("Trường hợp cần thiết, hai bên trao đổi để thống nhất.", "0", style="List Number")
    draft.add("Văn phòng chủ trì theo dõi.", style="List Number")
    raw = draft.bytes()
    assert paragraphs(raw)[1:] == [
        "1. Quy chế có hiệu lực kể từ ngày ký.",
        "Trường hợp cần thiết, hai bên trao đổi để thống nhất.",
        "2. Văn phòng chủ trì theo dõi.",
    ]
    assert anchors(raw) == ["dieu-1", "dieu-1.khoan-1", "dieu-1.khoan-2"]


def test_formats_legal_numbering_bullets_and_a_list_style_link() -> None:
    """The labels function alone, on hand-made numbering and styles parts."""
    symbol_bullet = level(3, "bullet", "\uf0b7")
    numbering_part = parse_xml(f"""<w:numbering {nsdecls("w")}>
      <w:abstractNum w:abstractNumId="1"><w:styleLink w:val="DieuKhoan"/>
        {level(0, "upperRoman", "%1", suffix="nothing")}{level(1, "decimalZero", "%1.%2", legal=True)}
        {level(2, "upperLetter", "%3.", restart=1)}{symbol_bullet}{level(4, "none", "")}
      </w:abstractNum>
      <w:abstractNum w:abstractNumId="2"><w:numStyleLink w:val="DieuKhoan"/></w:abstractNum>
      <w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>
      <w:num w:numId="2"><w:abstractNumId w:val="2"/></w:num>
    </w:numbering>""")
    styles_part = parse_xml(f"""<w:styles {nsdecls("w")}>
      <w:style w:type="numbering" w:styleId="DieuKhoan"><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
    </w:styles>""")
    levels = [0, 1, 2, 1, 2, 0, 2, 3, 4, 1]
    paragraphs_xml = [parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:numPr><w:ilvl w:val="{k}"/><w:numId w:val="2"/>'
                                "</w:numPr></w:pPr></w:p>") for k in levels]
    # Legal numbering (isLgl) writes the Roman chapter in digits; level 2 restarts only after level 0 (lvlRestart 1),
    # so it runs on under the second level-1 item; numFmt none shows nothing.
    assert numbering.labels(paragraphs_xml, numbering_part, styles_part) == [
        "I", "1.1 ", "A. ", "1.2 ", "B. ", "II", "A. ", "• ", "", "2.1 ",
    ]
    assert [numbering.format_number(n, "decimalZero") for n in (3, 12)] == ["03", "12"]
    assert [numbering.format_number(10**9, fmt) for fmt in ("upperRoman", "lowerLetter")] == ["1000000000"] * 2
    assert [numbering.format_number(n, "lowerLetter") for n in (1, 26, 27, 28)] == ["a", "z", "aa", "bb"]
    assert [numbering.format_number(n, "lowerRoman") for n in (4, 9, 14, 1999)] == ["iv", "ix", "xiv", "mcmxcix"]


def test_a_skipped_level_shows_as_zero() -> None:
    draft = WordDraft()
    num = draft.num(
        draft.abstract(level(0, "decimal", "%1."), level(1, "decimal", "%1.%2."), level(2, "decimal", "%1.%2.%3."))
    )
    for ilvl in (1, 0, 2, 1):
        draft.add("Nội dung.", num, ilvl)
    assert paragraphs(draft.bytes()) == ["0.1. Nội dung.", "1. Nội dung.", "1.0.1. Nội dung.", "1.1. Nội dung."]


def test_a_draft_saved_from_libreoffice() -> None:
    """Articles from an outline ("Điều 1."), clauses and points from a list that starts again in each article.

    The fixture is du-thao-libreoffice.fodt saved as DOCX by LibreOffice Writer 7.4
    (soffice --headless --convert-to docx du-thao-libreoffice.fodt).
    """
    outline = parse_draft(read_text((FIXTURES / "du-thao-libreoffice.docx").read_bytes()))
    assert outline.unmatched == []
    assert outline.counts == {
        "preamble": 1,
        "part": 0,
        "chapter": 2,
        "section": 1,
        "article": 4,
        "clause": 12,
        "point": 4,
    }
    sections = {s.anchor: s for s in outline.sections}
    assert [a for a in sections if a.startswith("dieu-")] == [
        "dieu-1", "dieu-2", "dieu-2.khoan-1", "dieu-2.khoan-2", "dieu-2.khoan-3", "dieu-2.khoan-4",
        "dieu-3", "dieu-3.khoan-1", "dieu-3.khoan-2", "dieu-3.khoan-3", "dieu-3.khoan-4", "dieu-3.khoan-5",
        "dieu-4", "dieu-4.khoan-1", "dieu-4.khoan-2", "dieu-4.khoan-3",
        "dieu-4.khoan-3.diem-a", "dieu-4.khoan-3.diem-b", "dieu-4.khoan-3.diem-c", "dieu-4.khoan-3.diem-d",
    ]
    assert sections["dieu-2"].title == "Đối tượng áp dụng"
    assert sections["dieu-4.khoan-3.diem-d"].text.startswith("d) Tuyên truyền về truyền thống")
    assert sections["chuong-2.muc-1"].title.startswith("PHỐI HỢP LÃNH ĐẠO")
