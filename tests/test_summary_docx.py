"""The closing summary as Word: structure, plain user text, the seal, reproducible bytes and tracked changes."""
from __future__ import annotations

import copy
import io
import zipfile
from datetime import UTC, datetime
from typing import Any

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table

from server.summary.render import CHECKSUM_LABEL, DRAFT_MARKER
from server.summary.word import REVIEWER, TITLE, render_docx, render_revised_docx

SCRIPT = "<script>alert(1)</script>"
FORMULA = "=CMD()"
SHA = "3f" * 32
FROZEN_AT = "2021-09-07T04:30:00+00:00"
ARTICLE_6 = "Điều 6. Trách nhiệm phối hợp\n\nCác cơ quan phối hợp chặt chẽ trong thời hạn 10 ngày.\n\n"
ARTICLE_6_REVISED = (
    "Điều 6. Trách nhiệm phối hợp\n\nCác cơ quan phối hợp chặt chẽ trong thời hạn 07 ngày làm việc.\n\n"
    "Cơ quan chủ trì báo cáo kết quả.\n\n"
)
PREAMBLE = "QUY CHẾ\nPhối hợp giữa các cơ quan trong công tác phòng, chống thiên tai\n\n"
COMMENT_HEADER = ["Số", "Điều, khoản", "Nội dung góp ý", "Người góp ý, điểm cầu", "Đề xuất sửa đổi", "Hình thức xử lý",
                  "Tiếp thu, giải trình"]


def author(name: str, organization: str | None, point: str) -> dict[str, Any]:
    return {"name": name, "organization": organization, "point": point}


def comment(no: int, anchor: str | None, provision: str | None, body: str, authors: list[dict[str, Any]],
            proposed: str | None, disposition: str | None, label: str, response: str | None) -> dict[str, Any]:
    return {"no": no, "id": 100 + no, "anchor": anchor, "provision": provision, "body": body, "authors": authors,
            "proposed_text": proposed, "disposition": disposition, "disposition_label": label, "response": response}


def summary_model() -> dict[str, Any]:
    """A closed workshop by the spec: host and two bridge points, a merged and a partly accepted comment, a change."""
    an = author("Nguyễn Văn An", "Bộ Công an", "Điểm cầu Trung ương")
    binh = author("Lê Thị Bình", "Tỉnh ủy Hậu Giang", "Hậu Giang")
    duc = author("Ngô Văn Đức", "Sở Tư pháp", "Cần Thơ")
    cuong = author("Phạm Văn Cường", None, "Hậu Giang")
    du = author("Võ Thị Dự", "Sở Nội vụ", "Cần Thơ")
    return {
        "conference": {
            "id": 1,
            "title": "Hội thảo góp ý dự thảo Quy chế phối hợp",
            "starts_at": "2021-09-07T08:00:00+07:00",
            "venue": "Hội trường Bộ Công an",
            "chair_name": "Trần Văn Chủ",
            "status": "closed",
            "timezone": "Asia/Ho_Chi_Minh",
            "points_count": 2,
            "host_point": "Điểm cầu Trung ương",
        },
        "draft": {"title": "Quy chế phối hợp", "revision": 2},
        "attendance": {
            "points": [
                {
                    "point_id": 1,
                    "code": "TW",
                    "name": "Điểm cầu Trung ương",
                    "is_host": True,
                    "expected": 3,
                    "invited_present": 1,
                    "represented": 0,
                    "absent": 2,
                    "rate": "33,3%",
                    "substitutes": 0,
                    "walk_ins": 1,
                    "people": 2,
                    "present": 2,
                },
                {
                    "point_id": 3,
                    "code": "CT",
                    "name": "Cần Thơ",
                    "is_host": False,
                    "expected": 2,
                    "invited_present": 1,
                    "represented": 1,
                    "absent": 0,
                    "rate": "50,0%",
                    "substitutes": 1,
                    "walk_ins": 0,
                    "people": 2,
                    "present": 2,
                },
                {
                    "point_id": 2,
                    "code": "HG",
                    "name": "Hậu Giang",
                    "is_host": False,
                    "expected": 0,
                    "invited_present": 0,
                    "represented": 0,
                    "absent": 0,
                    "rate": "",
                    "substitutes": 0,
                    "walk_ins": 0,
                    "people": 0,
                    "present": 0,
                },
            ],
            "totals": {
                "expected": 5,
                "invited_present": 2,
                "represented": 1,
                "absent": 2,
                "rate": "40,0%",
                "substitutes": 1,
                "walk_ins": 1,
                "people": 4,
                "present": 4,
            },
        },
        "absentees": [
            {
                "point": "Điểm cầu Trung ương",
                "full_name": "Lý Văn Một",
                "position": "Vụ phó",
                "organization": None,
                "absence_reason": "Ốm",
            },
            {
                "point": "Điểm cầu Trung ương",
                "full_name": "Trịnh Thị Hai",
                "position": None,
                "organization": None,
                "absence_reason": None,
            },
        ],
        "substitutions": [{"point": "Cần Thơ", "full_name": "Võ Thị Dự", "substitute_for": "Đặng Văn Vắng"}],
        "walk_ins": [{"point": "Điểm cầu Trung ương", "full_name": "Hoàng Thị Khách", "organization": "Báo Nhân Dân"}],
        "agenda": [
            {
                "id": 1,
                "position": 1,
                "title": "Khai mạc",
                "kind": "opening",
                "presenter": "Nguyễn Văn An",
                "point": "Điểm cầu Trung ương",
                "planned_minutes": 15,
                "planned_start": "2021-09-07T08:00:00+07:00",
                "planned_end": "2021-09-07T08:15:00+07:00",
                "status": "done",
                "started_at": "2021-09-07T08:05:00+07:00",
                "finished_at": "2021-09-07T08:25:00+07:00",
                "actual_minutes": 20,
                "overrun_minutes": 5,
            },
            {
                "id": 2,
                "position": 2,
                "title": "Thảo luận",
                "kind": "discussion",
                "presenter": None,
                "point": None,
                "planned_minutes": 30,
                "planned_start": "2021-09-07T08:15:00+07:00",
                "planned_end": "2021-09-07T08:45:00+07:00",
                "status": "skipped",
                "started_at": None,
                "finished_at": None,
                "actual_minutes": None,
                "overrun_minutes": None,
            },
        ],
        "speakers": [
            {
                "full_name": "Lê Thị Bình",
                "point": "Hậu Giang",
                "topic": "Về thời hạn phối hợp",
                "started_at": "2021-09-07T08:30:00+07:00",
                "finished_at": "2021-09-07T08:33:05+07:00",
                "duration_seconds": 185,
            }
        ],
        "remarks": [
            {
                "id": 1,
                "title": "Ý kiến về Điều 6",
                "author": "Lê Thị Bình",
                "position": "Phó Bí thư",
                "organization": "Tỉnh ủy Hậu Giang",
                "point": "Hậu Giang",
                "agenda_item": "Thảo luận",
                "body": "Đoạn thứ nhất.\n\n  Đoạn thứ hai, có <b>thẻ</b>.\n",
                "submitted_at": "2021-09-07T08:20:00+07:00",
            }
        ],
        "comments": [
            {
                "anchor": None,
                "heading": "Góp ý chung",
                "rows": [comment(1, None, None, SCRIPT, [cuong], FORMULA, "noted", "Ghi nhận", "Ghi nhận ý kiến.")],
            },
            {
                "anchor": "dieu-6",
                "heading": "Điều 6. Trách nhiệm phối hợp",
                "rows": [
                    comment(
                        2,
                        "dieu-6",
                        "Điều 6",
                        "Đề nghị rút ngắn thời hạn.\nThời hạn 10 ngày là quá dài.",
                        [binh, duc],
                        ARTICLE_6_REVISED.strip(),
                        "accepted",
                        "Tiếp thu",
                        "Tiếp thu, đã chỉnh lý.",
                    ),
                    comment(
                        3,
                        "dieu-6.khoan-1",
                        "Điều 6, khoản 1",
                        "Cần nêu rõ cơ quan chủ trì.",
                        [an],
                        "1. Bộ Công an chủ trì tổng hợp.",
                        "partly_accepted",
                        "Tiếp thu một phần",
                        "Tiếp thu một phần; cơ quan soạn thảo chỉnh lý.",
                    ),
                ],
            },
            {
                "anchor": "dieu-7",
                "heading": "Điều 7. Chế độ báo cáo",
                "rows": [
                    comment(
                        4,
                        "dieu-7",
                        "Điều 7",
                        "Báo cáo hằng quý.",
                        [an],
                        "Điều 7. Báo cáo hằng quý.",
                        "accepted",
                        "Tiếp thu",
                        None,
                    ),
                    comment(
                        5,
                        "dieu-7",
                        "Điều 7",
                        "Báo cáo sáu tháng.",
                        [du],
                        "Điều 7. Báo cáo sáu tháng.",
                        "accepted",
                        "Tiếp thu",
                        None,
                    ),
                    comment(
                        6, "dieu-7", "Điều 7", "Bổ sung báo cáo đột xuất.", [cuong], None, None, "Chưa xử lý", None
                    ),
                ],
            },
        ],
        "comment_totals": {
            "total": 6,
            "accepted": 3,
            "partly_accepted": 1,
            "noted": 1,
            "declined": 0,
            "pending": 1,
            "people": 5,
            "points": 3,
            "held": 1,
            "rejected": 1,
            "merged": 1,
        },
        "comments_by_point": [
            {
                "point": "Điểm cầu Trung ương",
                "code": "TW",
                "total": 2,
                "accepted": 1,
                "partly_accepted": 1,
                "noted": 0,
                "declined": 0,
                "pending": 0,
            },
            {
                "point": "Cần Thơ",
                "code": "CT",
                "total": 1,
                "accepted": 1,
                "partly_accepted": 0,
                "noted": 0,
                "declined": 0,
                "pending": 0,
            },
            {
                "point": "Hậu Giang",
                "code": "HG",
                "total": 3,
                "accepted": 1,
                "partly_accepted": 0,
                "noted": 1,
                "declined": 0,
                "pending": 1,
            },
        ],
        "revised_draft": {
            "title": "Quy chế phối hợp",
            "revision": 2,
            "preamble": PREAMBLE,
            "applied": 1,
            "flagged": 3,
            "sections": [
                {
                    "anchor": "chuong-1",
                    "kind": "chapter",
                    "number": "1",
                    "title": "Những quy định chung",
                    "text": "Chương I. NHỮNG QUY ĐỊNH CHUNG\n\n",
                    "revised": None,
                    "changes": [],
                    "applied_no": None,
                    "notes": [],
                },
                {
                    "anchor": "dieu-6",
                    "kind": "article",
                    "number": "6",
                    "title": "Trách nhiệm phối hợp",
                    "text": ARTICLE_6,
                    "revised": ARTICLE_6_REVISED,
                    "applied_no": 2,
                    "notes": [],
                    "changes": [
                        {
                            "op": "equal",
                            "text": "Điều 6. Trách nhiệm phối hợp\n\nCác cơ quan phối hợp chặt chẽ trong thời hạn ",
                        },
                        {"op": "delete", "text": "10"},
                        {"op": "insert", "text": "07"},
                        {"op": "equal", "text": " "},
                        {"op": "delete", "text": "ngày."},
                        {"op": "insert", "text": "ngày làm việc.\n\nCơ quan chủ trì báo cáo kết quả."},
                        {"op": "equal", "text": "\n\n"},
                    ],
                },
                {
                    "anchor": "dieu-6.khoan-1",
                    "kind": "clause",
                    "number": "1",
                    "title": None,
                    "text": "1. Cơ quan chủ trì có trách nhiệm tổng hợp.\n\n",
                    "revised": None,
                    "changes": [],
                    "applied_no": None,
                    "notes": [
                        {
                            "no": 3,
                            "reason": "partly_accepted",
                            "authors": "Nguyễn Văn An",
                            "body": "Cần nêu rõ cơ quan chủ trì.",
                            "proposed_text": "1. Bộ Công an chủ trì tổng hợp.",
                            "response": "Tiếp thu một phần; cơ quan soạn thảo chỉnh lý.",
                        }
                    ],
                },
                {
                    "anchor": "dieu-7",
                    "kind": "article",
                    "number": "7",
                    "title": "Chế độ báo cáo",
                    "text": "Điều 7. Chế độ báo cáo\n\nBáo cáo hằng năm.\n\n",
                    "revised": None,
                    "changes": [],
                    "applied_no": None,
                    "notes": [
                        {
                            "no": 4,
                            "reason": "conflict",
                            "authors": "Nguyễn Văn An",
                            "body": "Báo cáo hằng quý.",
                            "proposed_text": "Điều 7. Báo cáo hằng quý.",
                            "response": None,
                        },
                        {
                            "no": 5,
                            "reason": "conflict",
                            "authors": "Võ Thị Dự",
                            "body": "Báo cáo sáu tháng.",
                            "proposed_text": "Điều 7. Báo cáo sáu tháng.",
                            "response": None,
                        },
                    ],
                },
            ],
        },
        "closing_statement": {
            "text": "Hội thảo đã thành công tốt đẹp.\n\nĐề nghị cơ quan soạn thảo tiếp thu.\n",
            "edited": True,
        },
        "audit": [
            {
                "at": "2021-09-07T09:56:00+07:00",
                "actor": "Trần Quốc Tỏ",
                "action": "comment.dispose",
                "sentence": "Tiếp thu góp ý số 7 (Điều 6)",
                "request": "PATCH /api/v1/conferences/1/comments/7",
                "address": "10.0.0.5",
            }
        ],
    }


def read(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def headings(document: Document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def resolved(document: Document, *, accept: bool) -> list[str]:
    """The body's paragraphs as Word shows them after "Accept all" (or "Reject all") changes."""
    gone = "w:del" if accept else "w:ins"
    out, carry = [], ""
    for paragraph in document.element.body.xpath("./w:p"):
        texts = paragraph.xpath(f"(.//w:t | .//w:delText)[not(ancestor::{gone})]")
        carry += "".join(t.text for t in texts)
        # A paragraph whose mark goes away runs on into the next one.
        if paragraph.xpath(f"./w:pPr/w:rPr/{gone}"):
            continue
        out.append(carry)
        carry = ""
    return out


def test_headings_are_word_headings_in_the_record_order() -> None:
    document = read(render_docx(summary_model(), frozen=True, sha256=SHA, frozen_at=FROZEN_AT))
    # The levels of the Markdown record: "#" is Heading 1, "##" Heading 2, "###" Heading 3.
    assert headings(document) == [
        ("Heading 1", TITLE),
        ("Heading 2", "I. Thông tin chung"),
        ("Heading 2", "II. Tình hình tham dự"),
        ("Heading 2", "III. Chương trình và diễn biến"),
        ("Heading 2", "IV. Phát biểu"),
        ("Heading 2", "V. Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý"),
        ("Heading 2", "VI. Kết luận của chủ trì"),
        ("Heading 2", "Phụ lục 1. Toàn văn tham luận"),
        ("Heading 3", "1. Ý kiến về Điều 6"),
        ("Heading 2", "Phụ lục 2. Dự thảo sau tiếp thu"),
        # The draft's chapters and articles are headings under its appendix.
        ("Heading 3", "Chương I. NHỮNG QUY ĐỊNH CHUNG"),
        ("Heading 4", "Điều 6. Trách nhiệm phối hợp"),
        ("Heading 4", "Điều 7. Chế độ báo cáo"),
        ("Heading 2", "Phụ lục 3. Nhật ký thao tác"),
    ]
    audit = document.tables[-1]
    assert [c.text for c in audit.rows[0].cells] == ["STT", "Thời gian", "Người thực hiện", "Nội dung", "Từ địa chỉ"]
    assert [c.text for c in audit.rows[1].cells] == [
        "1", "09:56 07/09/2021", "Trần Quốc Tỏ", "Tiếp thu góp ý số 7 (Điều 6)", "10.0.0.5",
    ]
    assert document.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    appendices = [p for p in document.paragraphs if p.text.startswith("Phụ lục")]
    assert all(p.paragraph_format.page_break_before for p in appendices)
    texts = [p.text for p in document.paragraphs]
    assert texts[1] == "Hội thảo góp ý dự thảo Quy chế phối hợp"
    assert "Dự thảo lấy ý kiến: Quy chế phối hợp (phiên bản 2)" in texts
    assert "Số điểm cầu: 2 (không kể điểm cầu chính)" in texts
    assert texts.index("Hội thảo đã thành công tốt đẹp.") + 1 == texts.index("Đề nghị cơ quan soạn thảo tiếp thu.")


def test_tables_have_grid_style_repeating_headers_and_every_row() -> None:
    document = read(render_docx(summary_model(), frozen=True, sha256=SHA, frozen_at=FROZEN_AT))
    attendance, agenda, speakers, comments, by_point, signatures, _ = document.tables
    for table in (attendance, agenda, speakers, comments, by_point):
        assert table.style.name == "Table Grid"
        repeated = [bool(row._tr.xpath("./w:trPr/w:tblHeader")) for row in table.rows]
        assert repeated == [True] + [False] * (len(table.rows) - 1)

    assert rows(attendance) == [
        ["Điểm cầu", "Triệu tập", "Có mặt", "Tỷ lệ có mặt", "Có người dự thay", "Vắng", "Người dự thay", "Khách mời",
         "Tổng số người dự"],
        ["Điểm cầu Trung ương (điểm cầu chính)", "3", "1", "33,3%", "0", "2", "0", "1", "2"],
        ["Cần Thơ", "2", "1", "50,0%", "1", "0", "1", "0", "2"],
        ["Hậu Giang", "0", "0", "", "0", "0", "0", "0", "0"],
        ["Tổng cộng", "5", "2", "40,0%", "1", "2", "1", "1", "4"],
    ]
    assert all(run.bold for cell in attendance.rows[-1].cells for run in cell.paragraphs[0].runs)
    assert not any(run.bold for run in attendance.rows[1].cells[1].paragraphs[0].runs)
    texts = [p.text for p in document.paragraphs]
    assert "Võ Thị Dự dự thay Đặng Văn Vắng (Cần Thơ)" in texts
    assert "Hoàng Thị Khách, Báo Nhân Dân (Điểm cầu Trung ương)" in texts
    assert "Lý Văn Một, Vụ phó (Điểm cầu Trung ương): Ốm" in texts
    assert "Trịnh Thị Hai (Điểm cầu Trung ương): không rõ lý do" in texts
    assert any(text.startswith("Cách tính: Triệu tập = Có mặt + Có người dự thay + Vắng") for text in texts)

    assert rows(agenda) == [
        ["STT", "Nội dung", "Người trình bày", "Bắt đầu dự kiến", "Dự kiến (phút)", "Bắt đầu", "Kết thúc",
         "Thực tế (phút)", "Vượt (phút)"],
        ["1", "Khai mạc", "Nguyễn Văn An, Điểm cầu Trung ương", "08:00", "15", "08:05", "08:25", "20", "5"],
        ["2", "Thảo luận (không thực hiện)", "", "08:15", "30", "", "", "", ""],
    ]
    assert rows(speakers) == [
        ["STT", "Người phát biểu", "Điểm cầu", "Nội dung", "Bắt đầu", "Kết thúc", "Thời lượng"],
        ["1", "Lê Thị Bình", "Hậu Giang", "Về thời hạn phối hợp", "08:30", "08:33", "3:05"],
    ]
    assert rows(by_point) == [
        [
            "Điểm cầu",
            "Tổng số",
            "Tiếp thu",
            "Tiếp thu một phần",
            "Ghi nhận",
            "Giải trình, không tiếp thu",
            "Chưa xử lý",
        ],
        ["Điểm cầu Trung ương", "2", "1", "1", "0", "0", "0"],
        ["Cần Thơ", "1", "1", "0", "0", "0", "0"],
        ["Hậu Giang", "3", "1", "0", "1", "0", "1"],
    ]
    secretary, chair = signatures.rows[0].cells
    assert [p.text for p in secretary.paragraphs if p.text] == ["THƯ KÝ HỘI THẢO", "(Ký, ghi rõ họ tên)"]
    assert [p.text for p in chair.paragraphs if p.text] == ["CHỦ TRÌ HỘI THẢO", "(Ký, ghi rõ họ tên)", "Trần Văn Chủ"]
    assert [p.text for p in chair.paragraphs].count("") >= 3


def test_comment_table_groups_rows_and_keeps_user_text_literal() -> None:
    data = render_docx(summary_model(), frozen=True, sha256=SHA, frozen_at=FROZEN_AT)
    document = read(data)
    table = document.tables[3]
    assert rows(table)[0] == COMMENT_HEADER
    assert len(table.rows) == 1 + 3 + 6
    groups = [row.cells[0].text for row in table.rows if row._tr.xpath("./w:tc/w:tcPr/w:gridSpan[@w:val='7']")]
    assert groups == ["Góp ý chung", "Điều 6. Trách nhiệm phối hợp", "Điều 7. Chế độ báo cáo"]
    assert rows(table)[2] == ["1", "", SCRIPT, "Phạm Văn Cường, Hậu Giang", FORMULA, "Ghi nhận", "Ghi nhận ý kiến."]
    merged = rows(table)[4]
    assert merged[:4] == ["2", "Điều 6", "Đề nghị rút ngắn thời hạn.\nThời hạn 10 ngày là quá dài.",
                          "Lê Thị Bình (Tỉnh ủy Hậu Giang), Hậu Giang\nNgô Văn Đức (Sở Tư pháp), Cần Thơ"]
    assert merged[5:] == ["Tiếp thu", "Tiếp thu, đã chỉnh lý."]
    # A line break inside a cell is a w:br in one paragraph, so the row stays one row.
    body_cell = table.rows[4].cells[2]
    assert len(body_cell.paragraphs) == 1 and len(body_cell._tc.xpath(".//w:br")) == 1
    assert rows(table)[5][5:] == ["Tiếp thu một phần", "Tiếp thu một phần; cơ quan soạn thảo chỉnh lý."]
    assert rows(table)[9][5] == "Chưa xử lý"

    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml
    assert not document.element.xpath("//*[local-name()='script']")
    texts = [p.text for p in document.paragraphs]
    assert "Tổng số 6 ý kiến của 5 người tại 3 điểm cầu." in texts
    assert texts[texts.index("Kết quả xử lý:") + 1:texts.index("Kết quả xử lý:") + 6] == [
        "Tiếp thu: 3", "Tiếp thu một phần: 1", "Ghi nhận: 1", "Giải trình, không tiếp thu: 0", "Chưa xử lý: 1",
    ]


def test_remarks_keep_their_lines_as_paragraphs() -> None:
    document = read(render_docx(summary_model(), frozen=True, sha256=SHA, frozen_at=FROZEN_AT))
    texts = [p.text for p in document.paragraphs]
    start = texts.index("1. Ý kiến về Điều 6")
    assert texts[start + 1] == (
        "Tác giả: Lê Thị Bình\nChức vụ: Phó Bí thư\nĐơn vị: Tỉnh ủy Hậu Giang\nĐiểm cầu: Hậu Giang\n"
        "Mục chương trình: Thảo luận"
    )
    assert texts[start + 2:start + 4] == ["Đoạn thứ nhất.", "Đoạn thứ hai, có <b>thẻ</b>."]


def test_preview_carries_the_draft_marker_on_top_and_in_every_header() -> None:
    document = read(render_docx(summary_model(), frozen=False, sha256=None, frozen_at=None))
    assert document.paragraphs[0].text == DRAFT_MARKER
    assert DRAFT_MARKER in [p.text for p in document.sections[0].header.paragraphs]
    assert not document.sections[0].header.is_linked_to_previous
    assert all(CHECKSUM_LABEL not in p.text for p in document.paragraphs)
    assert document.sections[0].footer.is_linked_to_previous  # no footer part: nothing to seal yet
    assert document.core_properties.created == datetime(2021, 9, 7, 1, 0, tzinfo=UTC)


def test_frozen_record_carries_the_checksum_in_every_footer_and_at_the_end() -> None:
    data = render_docx(summary_model(), frozen=True, sha256=SHA, frozen_at=FROZEN_AT)
    document = read(data)
    seal = f"{CHECKSUM_LABEL}: {SHA}"
    assert [p.text for p in document.sections[0].footer.paragraphs] == [seal]
    assert [p.text for p in document.paragraphs[-2:]] == ["Chốt lúc: 11:30 07/09/2021", seal]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not any(DRAFT_MARKER.encode() in archive.read(name) for name in archive.namelist())
    properties = document.core_properties
    assert (properties.author, properties.last_modified_by, properties.title) == ("Điểm Cầu", "Điểm Cầu", TITLE)
    moment = datetime(2021, 9, 7, 4, 30, tzinfo=UTC)
    assert properties.created == properties.modified == properties.last_printed == moment


def test_page_and_type_follow_administrative_formatting() -> None:
    document = read(render_docx(summary_model(), frozen=True, sha256=SHA, frozen_at=FROZEN_AT))
    section = document.sections[0]
    assert [round(v.mm) for v in (section.page_width, section.page_height)] == [210, 297]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(v.mm) for v in margins] == [20, 20, 30, 15]
    defaults = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    fonts = defaults.find(qn("w:rFonts"))
    assert dict(fonts.attrib) == {qn(f"w:{n}"): "Times New Roman" for n in ("ascii", "hAnsi", "eastAsia", "cs")}
    assert defaults.find(qn("w:sz")).get(qn("w:val")) == "26"
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        rfonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:asciiTheme")) is None and rfonts.get(qn("w:ascii")) == "Times New Roman"
    assert document.styles["Table Text"].font.size == Pt(11)
    cell = document.tables[0].rows[1].cells[0].paragraphs[0]
    assert cell.style.name == "Table Text"


def administrative(**header: Any) -> dict[str, Any]:
    """The model as compiled since the letterhead and receipts: `document` (changed by `header`) and `receipts`."""
    document = {
        "style": "state", "parent_body": "BỘ CÔNG AN", "issuing_body": "BAN TỔ CHỨC HỘI THẢO", "number": "12/BB-BTC",
        "national_title": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "motto": "Độc lập - Tự do - Hạnh phúc",
        "place": "Hà Nội", "date_text": "Hà Nội, ngày 07 tháng 9 năm 2021", "title": "BIÊN BẢN TỔNG HỢP",
        "subtitle": "Hội thảo góp ý dự thảo Quy chế phối hợp",
        "signatures": [{"role": "THƯ KÝ", "name": "Trần Quốc Tỏ"}, {"role": "CHỦ TRÌ", "name": "Trần Văn Chủ"}],
    }
    return summary_model() | {"document": document | header,
                              "receipts": {"algorithm": "sha256-merkle", "count": 6, "root": "ab" * 32}}


def ruled(cell: Any) -> list[str]:
    """The cell's lines, with "—" for the short line drawn under a heading (an empty paragraph's top border)."""
    return ["—" if p._p.xpath("./w:pPr/w:pBdr/w:top") else p.text for p in cell.paragraphs]


def test_record_is_laid_out_as_an_administrative_document() -> None:
    document = read(render_docx(administrative(), frozen=True, sha256=SHA, frozen_at=FROZEN_AT))
    letterhead, *_, signatures, _ = document.tables
    (issuer, nation), (number, dated) = letterhead.rows[0].cells, letterhead.rows[1].cells
    assert ruled(issuer) == ["BỘ CÔNG AN", "BAN TỔ CHỨC HỘI THẢO", "—"]
    assert ruled(nation) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "—"]
    assert [number.text, dated.text] == ["Số: 12/BB-BTC", "Hà Nội, ngày 07 tháng 9 năm 2021"]
    assert [bool(p.runs[0].bold) for p in issuer.paragraphs[:2] + nation.paragraphs[:2]] == [False, True, True, True]
    assert dated.paragraphs[0].runs[0].italic
    assert {b.get(qn("w:val")) for b in letterhead._tbl.xpath("./w:tblPr/w:tblBorders/*")} == {"nil"}
    assert headings(document)[0] == ("Heading 1", "BIÊN BẢN TỔNG HỢP")
    texts = [p.text for p in document.paragraphs]
    subtitle = document.paragraphs[texts.index("BIÊN BẢN TỔNG HỢP") + 1]
    assert subtitle.text == "Hội thảo góp ý dự thảo Quy chế phối hợp" and subtitle.runs[0].bold
    assert [ruled(cell) for cell in signatures.rows[0].cells] == [
        ["THƯ KÝ", "(Ký, ghi rõ họ tên)", "", "", "", "Trần Quốc Tỏ"],
        ["CHỦ TRÌ", "(Ký, ghi rõ họ tên)", "", "", "", "Trần Văn Chủ"],
    ]
    assert texts[-2:] == [
        f"Mã kiểm chứng các ý kiến (Merkle SHA-256): {'ab' * 32} (6 ý kiến)",
        f"{CHECKSUM_LABEL}: {SHA}",
    ]
    # The page number at the top centre from the second page on; the checksum at the foot of every page.
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert section.header._element.xpath(".//w:fldSimple[@w:instr=' PAGE ']")
    assert not section.first_page_header._element.xpath(".//w:fldSimple")
    assert [p.text for p in section.first_page_footer.paragraphs] == [f"{CHECKSUM_LABEL}: {SHA}"]


def test_party_letterhead_and_an_unnumbered_record_to_sign_by_hand() -> None:
    model = administrative(style="party", parent_body=None, issuing_body="ĐẢNG ỦY CÔNG AN TRUNG ƯƠNG", number=None,
                           national_title="ĐẢNG CỘNG SẢN VIỆT NAM", motto=None,
                           signatures=[{"role": "THƯ KÝ", "name": None}, {"role": "CHỦ TRÌ", "name": "Trần Văn Chủ"}])
    document = read(render_docx(model, frozen=False, sha256=None, frozen_at=None))
    letterhead = document.tables[0]
    assert [[ruled(cell) for cell in row.cells] for row in letterhead.rows] == [
        [["ĐẢNG ỦY CÔNG AN TRUNG ƯƠNG", "*"], ["ĐẢNG CỘNG SẢN VIỆT NAM", "—"]],
        [["Số:      /BB-…"], ["Hà Nội, ngày 07 tháng 9 năm 2021"]],
    ]
    assert document.paragraphs[0].text == DRAFT_MARKER
    # The preview's first page still says what it is, at the top, without a page number.
    assert [p.text for p in document.sections[0].first_page_header.paragraphs] == [DRAFT_MARKER]
    assert [cell.paragraphs[-1].text for cell in document.tables[-2].rows[0].cells] == ["", "Trần Văn Chủ"]
    assert not any(p.text.startswith("Mã kiểm chứng") for p in document.paragraphs)


def test_same_input_gives_the_same_bytes() -> None:
    model = summary_model()
    for render in (render_docx, render_revised_docx):
        first = render(model, frozen=True, sha256=SHA, frozen_at=FROZEN_AT)
        assert render(copy.deepcopy(model), frozen=True, sha256=SHA, frozen_at=FROZEN_AT) == first
        assert render(model, frozen=False, sha256=None, frozen_at=None) == render(model, frozen=False, sha256=None,
                                                                                  frozen_at=None)
        with zipfile.ZipFile(io.BytesIO(first)) as archive:
            entries = archive.infolist()
            assert entries[0].filename == "[Content_Types].xml"
            assert {entry.date_time for entry in entries} == {(1980, 1, 1, 0, 0, 0)}
            assert not any(b"python-docx" in archive.read(entry) for entry in entries)


def test_record_marks_the_revised_draft_without_pending_revisions() -> None:
    document = read(render_docx(summary_model(), frozen=True, sha256=SHA, frozen_at=FROZEN_AT))
    body = document.element.body
    assert not body.xpath(".//w:ins | .//w:del")
    struck = [r.text for r in body.xpath(".//w:r[w:rPr/w:strike]")]
    paragraphs = document.paragraphs
    appendix = [p.text for p in paragraphs].index("Phụ lục 2. Dự thảo sau tiếp thu")
    bold = [r.text for p in paragraphs[appendix:] for r in p.runs if r.bold]
    assert struck == ["10", "ngày."]
    assert bold == ["07", "ngày làm việc.", "Cơ quan chủ trì báo cáo kết quả."]
    texts = [p.text for p in document.paragraphs]
    assert "(Sửa theo ý kiến số 2.)" in texts
    note = ("Ý kiến số 3 (Nguyễn Văn An) – tiếp thu một phần, cơ quan soạn thảo chỉnh lý: "
            "Tiếp thu một phần; cơ quan soạn thảo chỉnh lý.")
    assert note in texts
    highlighted = next(p for p in document.paragraphs if p.text == note).runs[0]
    assert highlighted.font.highlight_color is not None
    assert texts[texts.index("QUY CHẾ") + 1] == "Phối hợp giữa các cơ quan trong công tác phòng, chống thiên tai"


def test_revised_draft_changes_are_real_tracked_changes() -> None:
    document = read(render_revised_docx(summary_model(), frozen=True, sha256=SHA, frozen_at=FROZEN_AT))
    body = document.element.body
    inserted = ["".join(t.text for t in ins.iter(qn("w:t"))) for ins in body.xpath(".//w:r/parent::w:ins")]
    deleted = ["".join(t.text for t in d.iter(qn("w:delText"))) for d in body.xpath(".//w:r/parent::w:del")]
    assert inserted == ["07", "ngày làm việc.", "Cơ quan chủ trì báo cáo kết quả."]
    assert deleted == ["10", "ngày."]
    assert not body.xpath(".//w:del//w:t")
    # The break before the new paragraph is itself an insertion, so rejecting it rejoins the text.
    marks = body.xpath("./w:p[w:pPr/w:rPr/w:ins]")
    assert len(marks) == 1 and marks[0].xpath("string(.)").endswith("ngày làm việc.")

    draft = summary_model()["revised_draft"]
    head = lines(PREAMBLE)
    accepted = head + [line for s in draft["sections"] for line in lines(s["revised"] or s["text"])]
    rejected = head + [line for s in draft["sections"] for line in lines(s["text"])]
    seal = ["Chốt lúc: 11:30 07/09/2021", f"{CHECKSUM_LABEL}: {SHA}"]
    assert resolved(document, accept=True)[2:] == accepted + seal
    assert resolved(document, accept=False)[2:] == rejected + seal

    revisions = body.xpath(".//w:ins | .//w:del")
    assert {r.get(qn("w:author")) for r in revisions} == {REVIEWER}
    assert {r.get(qn("w:date")) for r in revisions} == {"2021-09-07T04:30:00Z"}
    ids = [int(r.get(qn("w:id"))) for r in revisions] + [c.comment_id for c in document.comments]
    assert len(ids) == len(set(ids))


def test_revised_draft_notes_are_word_comments_on_their_sections() -> None:
    document = read(render_revised_docx(summary_model(), frozen=False, sha256=None, frozen_at=None))
    notes = {c.comment_id: "\n".join(p.text for p in c.paragraphs) for c in document.comments}
    partly = (
        "Ý kiến số 3 (Nguyễn Văn An) – tiếp thu một phần, cơ quan soạn thảo chỉnh lý\n"
        "Nội dung góp ý: Cần nêu rõ cơ quan chủ trì.\nĐề xuất sửa đổi: 1. Bộ Công an chủ trì tổng hợp.\n"
        "Tiếp thu, giải trình: Tiếp thu một phần; cơ quan soạn thảo chỉnh lý."
    )
    conflict = "nhiều đề xuất được tiếp thu cho cùng một chỗ, cơ quan soạn thảo chọn"
    assert list(notes.values()) == [
        "Sửa theo ý kiến số 2.",
        partly,
        f"Ý kiến số 4 (Nguyễn Văn An) – {conflict}\nNội dung góp ý: Báo cáo hằng quý.\nĐề xuất sửa đổi: Điều 7. Báo "
        "cáo hằng quý.",
        f"Ý kiến số 5 (Võ Thị Dự) – {conflict}\nNội dung góp ý: Báo cáo sáu tháng.\nĐề xuất sửa đổi: Điều 7. Báo cáo "
        "sáu tháng.",
    ]
    assert {c.author for c in document.comments} == {REVIEWER}
    assert {c.timestamp for c in document.comments} == {datetime.fromisoformat("2021-09-07T01:00:00+00:00")}
    # Each comment spans its whole section: from the section's first paragraph to its last.
    spans = [
        ("Điều 6. Trách nhiệm phối hợp", "Cơ quan chủ trì báo cáo kết quả."),
        ("1. Cơ quan chủ trì có trách nhiệm tổng hợp.", "1. Cơ quan chủ trì có trách nhiệm tổng hợp."),
        ("Điều 7. Chế độ báo cáo", "Báo cáo hằng năm."),
        ("Điều 7. Chế độ báo cáo", "Báo cáo hằng năm."),
    ]
    body = document.element.body
    for comment_id, (first, last) in zip(notes, spans, strict=True):
        start = body.xpath(f".//w:commentRangeStart[@w:id='{comment_id}']/parent::w:p")
        end = body.xpath(f".//w:commentRangeEnd[@w:id='{comment_id}']/parent::w:p")
        assert [start[0].xpath("string(.)"), end[0].xpath("string(.)")] == [first, last]
        assert end[0].xpath(f"./w:r/w:commentReference[@w:id='{comment_id}']")
    assert document.paragraphs[0].text == DRAFT_MARKER
    assert DRAFT_MARKER in [p.text for p in document.sections[0].header.paragraphs]
    heading = next(p for p in document.paragraphs if p.text == "Chương I. NHỮNG QUY ĐỊNH CHUNG")
    assert heading.alignment == WD_ALIGN_PARAGRAPH.CENTER and all(r.bold for r in heading.runs)


def test_any_unicode_renders_and_survives() -> None:
    model = summary_model()
    odd = "Nguyễn Thị Ánh 👩‍💻 e\u0301 שלום \u200d\u200b\ufeff ﷽ 𝔘 tab\there"
    model["comments"][0]["rows"][0]["body"] = odd + "\r\nhàng hai\rhàng ba"
    model["comments"][0]["rows"][0]["response"] = "lạ \uffff \ud800"
    model["revised_draft"]["preamble"] = odd + "\n\n"
    model["closing_statement"]["text"] = ""
    for render in (render_docx, render_revised_docx):
        render(model, frozen=False, sha256=None, frozen_at=None)
    document = read(render_docx(model, frozen=False, sha256=None, frozen_at=None))
    row = rows(document.tables[3])[2]
    assert row[2] == odd + "\nhàng hai\nhàng ba"
    # U+FFFF and a lone surrogate cannot be written in XML at all; they show as U+FFFD rather than fail the export.
    assert row[6] == "lạ \ufffd \ufffd"
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("VI. Kết luận của chủ trì") + 1] == "(Không có nội dung.)"


def test_empty_workshop_renders_every_section() -> None:
    model = summary_model()
    model.update(
        draft=None,
        absentees=[],
        substitutions=[],
        walk_ins=[],
        agenda=[],
        speakers=[],
        remarks=[],
        comments=[],
        comments_by_point=[],
        revised_draft=None,
        audit=[],
    )
    document = read(render_docx(model, frozen=False, sha256=None, frozen_at=None))
    assert [text for _, text in headings(document)] == [
        TITLE, "I. Thông tin chung", "II. Tình hình tham dự", "III. Chương trình và diễn biến", "IV. Phát biểu",
        "V. Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý", "VI. Kết luận của chủ trì",
        "Phụ lục 1. Toàn văn tham luận", "Phụ lục 2. Dự thảo sau tiếp thu", "Phụ lục 3. Nhật ký thao tác",
    ]
    texts = [p.text for p in document.paragraphs]
    assert texts.count("Không có.") == 4 and "Không có dự thảo." in texts
    assert len(document.tables) == 2  # attendance and signatures
    revised = read(render_revised_docx(model, frozen=False, sha256=None, frozen_at=None))
    assert "Không có dự thảo." in [p.text for p in revised.paragraphs]


def test_large_comment_table_keeps_every_row() -> None:
    count = 2_000
    model = summary_model()
    template = model["comments"][1]["rows"][0]
    model["comments"] = [
        {"anchor": f"dieu-{g}", "heading": f"Điều {g}", "rows": [
            {**template, "no": g * 100 + k + 1, "body": f"Ý kiến {g * 100 + k + 1}"} for k in range(count // 20)
        ]}
        for g in range(20)
    ]
    table = read(render_docx(model, frozen=True, sha256=SHA, frozen_at=FROZEN_AT)).tables[3]
    assert len(table.rows) == 1 + 20 + count
    assert table.rows[-1].cells[2].text == f"Ý kiến {count}"
