"""Draft import against the real server: DOCX, Markdown and text by content, the dry-run preview, and revisions."""
from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path

import aiohttp
import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from server.drafts.word import MAX_EXPANDED
from server.simulate.loopback import Server
from tests.support.api import assert_error, new_conference
from tests.support.documents import DOCX_TYPE, FIXTURES, docx_bytes, multilevel_draft
from tests.support.http import Call
from tests.support.servers import start_server, stop_server


def form(
    content: bytes, filename: str, content_type: str = "application/octet-stream", title: str | None = None
) -> aiohttp.FormData:
    data = aiohttp.FormData()
    data.add_field("file", content, filename=filename, content_type=content_type)
    if title is not None:
        data.add_field("title", title)
    return data


# The Điều 3 heading arrives decomposed (NFD), as text copied from some PDFs does.
NFD_HEADING = unicodedata.normalize("NFD", "Điều 3. Hiệu lực thi hành")


def sample_docx() -> tuple[bytes, list[str]]:
    """A draft as Word writes it: a header table, Heading styles, split runs; and its paragraphs' texts."""
    document = docx.Document()
    header = document.add_table(rows=1, cols=2)
    header.cell(0, 0).text = "BỘ TƯ PHÁP"
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    document.add_heading("QUY CHẾ PHỐI HỢP", 0)
    document.add_heading("Chương I", 1)
    document.add_paragraph("NHỮNG QUY ĐỊNH CHUNG")
    document.add_heading("Mục 1", 2)
    document.add_paragraph("PHẠM VI VÀ ĐỐI TƯỢNG")
    article = document.add_paragraph()
    article.add_run("Điều 1").bold = True
    article.add_run(". ")
    article.add_run("Phạm vi điều chỉnh").italic = True
    document.add_paragraph("Quy chế này quy định việc phối hợp giữa các cơ quan.")
    document.add_paragraph("")
    document.add_paragraph("Điều 2. Đối tượng áp dụng")
    document.add_paragraph("1. Các cơ quan Trung ương.")
    document.add_paragraph("2. Các địa phương:")
    for letter, text in (
        ("a", "Tỉnh ủy;"),
        ("b", "Thành ủy;"),
        ("c", "Huyện ủy;"),
        ("d", "Đảng ủy khối;"),
        ("đ", "Đảng ủy xã, phường."),
    ):
        document.add_paragraph(f"{letter}) {text}")
    document.add_heading("Chương II", 1)
    document.add_paragraph("ĐIỀU KHOẢN THI HÀNH")
    document.add_heading("Mục 1", 2)
    document.add_paragraph("HIỆU LỰC")
    document.add_paragraph(NFD_HEADING)
    document.add_paragraph("1. Quy chế có hiệu lực kể từ ngày ký.")
    document.add_paragraph("2. Văn phòng\tchủ trì theo dõi, đôn đốc.")
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    return docx_bytes(document), ["BỘ TƯ PHÁP", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", *texts]


SAMPLE_ANCHORS = [
    "mo-dau",
    "chuong-1",
    "chuong-1.muc-1",
    "dieu-1",
    "dieu-2",
    "dieu-2.khoan-1",
    "dieu-2.khoan-2",
    "dieu-2.khoan-2.diem-a",
    "dieu-2.khoan-2.diem-b",
    "dieu-2.khoan-2.diem-c",
    "dieu-2.khoan-2.diem-d",
    "dieu-2.khoan-2.diem-dd",
    "chuong-2",
    "chuong-2.muc-1",
    "dieu-3",
    "dieu-3.khoan-1",
    "dieu-3.khoan-2",
]


async def test_docx_is_split_into_anchored_nfc_sections_without_losing_text(shared_server: Server, call: Call) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    fresh = await new_conference(call, s)
    raw, paragraphs = sample_docx()
    uploaded = await call(
        "POST", fresh.api("/drafts"), admin, data=form(raw, "du-thao.docx", DOCX_TYPE, title="Dự thảo Quy chế")
    )
    assert uploaded.status == 201, uploaded.body
    draft = uploaded.body
    assert (draft["format"], draft["revision"], draft["title"], draft["unmatched"]) == (
        "docx",
        1,
        "Dự thảo Quy chế",
        [],
    )
    sections = {x["anchor"]: x for x in draft["sections"]}
    assert [x["anchor"] for x in draft["sections"]] == SAMPLE_ANCHORS
    assert sections["chuong-1"]["title"] == "NHỮNG QUY ĐỊNH CHUNG"
    assert sections["chuong-2.muc-1"]["title"] == "HIỆU LỰC"
    assert sections["dieu-1"]["title"] == "Phạm vi điều chỉnh"
    assert sections["dieu-3"]["title"] == "Hiệu lực thi hành"
    assert sections["dieu-2.khoan-2.diem-dd"]["number"] == "đ"
    assert all(unicodedata.is_normalized("NFC", x["text"] + x["title"]) for x in draft["sections"])
    # Lossless: the sections put back together are the paragraphs, each exactly as written (in NFC), in order.
    expected = [unicodedata.normalize("NFC", p) for p in paragraphs]
    assert "".join(x["text"] for x in draft["sections"]) == "\n\n".join(expected)
    assert sections["dieu-3.khoan-2"]["text"] == "2. Văn phòng\tchủ trì theo dõi, đôn đốc."
    # The same bytes under any name are still read as DOCX: the content decides.
    again = await call("POST", fresh.api("/drafts?dry_run=true"), admin, data=form(raw, "upload.bin"))
    assert again.status == 200 and again.body["format"] == "docx" and again.body["counts"]["point"] == 5


async def test_a_docx_numbered_by_word_gives_clauses_and_points(shared_server: Server, call: Call) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    fresh = await new_conference(call, s)
    uploaded = await call("POST", fresh.api("/drafts"), admin, data=form(multilevel_draft(), "du-thao.docx", DOCX_TYPE))
    assert uploaded.status == 201, uploaded.body
    sections = {x["anchor"]: x for x in uploaded.body["sections"]}
    assert list(sections)[1:] == ["dieu-1", "dieu-2", "dieu-2.khoan-1", "dieu-2.khoan-2", "dieu-2.khoan-2.diem-a",
                                  "dieu-2.khoan-2.diem-b", "dieu-3", "dieu-3.khoan-1", "dieu-3.khoan-2"]
    assert sections["dieu-2"]["title"] == "Đối tượng áp dụng"
    assert sections["dieu-3.khoan-2"]["text"] == "2. Văn phòng chủ trì theo dõi."
    saved = (FIXTURES / "du-thao-libreoffice.docx").read_bytes()
    preview = await call("POST", fresh.api("/drafts?dry_run=true"), admin, data=form(saved, "du-thao.docx", DOCX_TYPE))
    assert preview.status == 200 and preview.body["unmatched"] == [], preview.body
    assert (preview.body["counts"]["article"], preview.body["counts"]["clause"], preview.body["counts"]["point"]) == (
        4,
        12,
        4,
    )


def tracked_changes_docx() -> bytes:
    """One clause edited with Track Changes on: a word inserted, another deleted."""
    document = docx.Document()
    document.add_paragraph("Điều 1. Tổ chức thực hiện")
    clause = document.add_paragraph("1. Văn phòng ")
    inserted, deleted = OxmlElement("w:ins"), OxmlElement("w:del")
    for mark in (inserted, deleted):
        mark.set(qn("w:id"), "1" if mark is inserted else "2")
        mark.set(qn("w:author"), "Thư ký")
    inserted.append(run := OxmlElement("w:r"))
    run.append(text := OxmlElement("w:t"))
    text.text = "chủ trì"
    deleted.append(old := OxmlElement("w:r"))
    old.append(gone := OxmlElement("w:delText"))
    gone.text = "phối hợp"
    clause._p.append(inserted)
    clause._p.append(deleted)
    clause.add_run(".")
    return docx_bytes(document)


async def test_tracked_changes_read_as_accepted(shared_server: Server, call: Call) -> None:
    fresh = await new_conference(call, shared_server)
    uploaded = await call(
        "POST", fresh.api("/drafts"), shared_server.tokens["admin"], data=form(tracked_changes_docx(), "sua.docx")
    )
    assert uploaded.status == 201, uploaded.body
    assert [x["text"] for x in uploaded.body["sections"]] == ["Điều 1. Tổ chức thực hiện\n\n", "1. Văn phòng chủ trì."]


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


async def test_unusable_files_are_refused_with_a_reason(shared_server: Server, call: Call) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    fresh = await new_conference(call, s)

    async def refused(content: bytes, filename: str, reason: str | None) -> None:
        reply = await call("POST", fresh.api("/drafts"), admin, data=form(content, filename))
        assert_error(reply, 422, "invalid")
        if reason is not None:
            assert reply.body["error"]["details"] == {"file": reason}, reply.body

    await refused(b"PK\x03\x04" + b"garbage" * 40, "du-thao.docx", "unreadable DOCX")
    await refused(
        zip_of({"word/document.xml": b"<w:document><unclosed", "[Content_Types].xml": b"garbage"}),
        "du-thao.docx",
        "unreadable DOCX",
    )
    await refused(zip_of({"xl/workbook.xml": b"<workbook/>"}), "bang.xlsx", "unreadable DOCX")
    await refused(b"Chuong I\n\x00\x01\x02 not text", "du-thao.txt", "binary file")
    await refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "anh.png", "binary file")
    await refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "cu.doc", "binary file")
    # An old Windows-1258 file: ê and ạ written as a base letter and a combining tone mark, not UTF-8.
    legacy = "Đi\u00ea\u0300u 1. Pha\u0323m vi".encode("cp1258")
    await refused(legacy, "du-thao.txt", "not UTF-8 text")
    await refused(b"", "rong.md", None)
    await refused(b" \n\t\n", "trang.md", None)
    await refused("Chỉ là một đoạn văn, không có điều nào.\n".encode(), "van-ban.txt", None)
    empty_docx = docx_bytes(docx.Document())
    await refused(empty_docx, "rong.docx", None)
    assert (await call("GET", fresh.api("/drafts"), admin)).body["total"] == 0


async def test_a_docx_that_would_inflate_past_the_limit_is_413(shared_server: Server, call: Call) -> None:
    fresh = await new_conference(call, shared_server)
    bomb = zip_of({"word/document.xml": b"<" * (MAX_EXPANDED + 1)})
    assert len(bomb) < 1024 * 1024
    reply = await call(
        "POST", fresh.api("/drafts?dry_run=true"), shared_server.tokens["admin"], data=form(bomb, "du-thao.docx")
    )
    assert_error(reply, 413, "too_large")


async def test_markdown_and_text_files_keep_working(shared_server: Server, call: Call) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    fresh = await new_conference(call, s)
    source = "# Dự thảo\n\n## Chương I\n\n**Điều 1.** Phạm vi\n\n1\\. Khoản một.\n"
    markdown = await call(
        "POST", fresh.api("/drafts"), admin, data=form(("\ufeff" + source).encode(), "du-thao.md", "text/markdown")
    )
    assert markdown.status == 201 and markdown.body["format"] == "markdown", markdown.body
    assert [x["anchor"] for x in markdown.body["sections"]] == ["mo-dau", "chuong-1", "dieu-1", "dieu-1.khoan-1"]
    text = await call(
        "POST", fresh.api("/drafts"), admin, data=form("Điều 1. Phạm vi\r\nNội dung.".encode(), "du-thao.txt")
    )
    assert (text.status, text.body["format"], text.body["revision"]) == (201, "text", 2)


async def test_a_retried_upload_publishes_once(shared_server: Server, call: Call) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    fresh = await new_conference(call, s)
    raw, _ = sample_docx()
    key = {"Idempotency-Key": "tai-len-du-thao-1"}
    first = await call("POST", fresh.api("/drafts"), admin, data=form(raw, "du-thao.docx"), headers=key)
    again = await call("POST", fresh.api("/drafts"), admin, data=form(raw, "du-thao.docx"), headers=key)
    assert first.status == 201 and again.body["id"] == first.body["id"] and again.body["revision"] == 1
    other = form("Điều 1. Khác".encode(), "khac.txt")
    assert_error(await call("POST", fresh.api("/drafts"), admin, data=other, headers=key), 409, "idempotency_mismatch")
    assert (await call("GET", fresh.api("/drafts"), admin)).body["total"] == 1


async def test_dry_run_returns_the_outline_and_writes_nothing(shared_server: Server, call: Call) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    fresh = await new_conference(call, s)
    seq = (await call("GET", fresh.api(), admin)).body["seq"]
    raw, _ = sample_docx()
    preview = await call("POST", fresh.api("/drafts?dry_run=true"), admin, data=form(raw, "du-thao.docx", DOCX_TYPE))
    assert preview.status == 200, preview.body
    body = preview.body
    assert body["dry_run"] is True and body["format"] == "docx" and body["title"] == "BỘ TƯ PHÁP"
    assert body["counts"] == {
        "preamble": 1,
        "part": 0,
        "chapter": 2,
        "section": 2,
        "article": 3,
        "clause": 4,
        "point": 5,
    }
    assert [x["anchor"] for x in body["sections"]] == SAMPLE_ANCHORS
    assert all(set(x) == {"anchor", "kind", "number", "title"} for x in body["sections"])
    assert body["unmatched"] == []
    broken = "Điều 1. Phạm vi\n\nĐiều . Thiếu số\n\nĐiều 3. Nhảy số\n"
    flagged = await call(
        "POST", fresh.api("/drafts?dry_run=true"), admin, json={"format": "text", "content": broken, "title": "Thử"}
    )
    assert flagged.status == 200 and flagged.body["unmatched"] == ["Điều . Thiếu số", "Điều 3. Nhảy số"]
    assert (await call("GET", fresh.api(), admin)).body["seq"] == seq
    assert (await call("GET", fresh.api("/drafts"), admin)).body == {"items": [], "total": 0}
    assert (await call("GET", fresh.api(f"/events?after={seq}"), admin)).body["items"] == []
    assert_error(await call("POST", fresh.api("/drafts?dry_run=yes"), admin, json={"content": broken}), 422)
    assert_error(
        await call(
            "POST", fresh.api("/drafts?dry_run=true"), admin, json={"format": "text", "content": "Không có điều."}
        ),
        422,
    )


async def test_revisions_until_the_workshop_opens(shared_server: Server, call: Call) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    assert_error(
        await call("POST", s.api("/drafts"), admin, json={"format": "text", "content": "Điều 1. Mới"}),
        409,
        "conference_open",
    )
    fresh = await new_conference(call, s)
    for n in (1, 2):
        reply = await call(
            "POST", fresh.api("/drafts"), admin, json={"format": "text", "content": f"Điều 1. Bản {n}\n\n1. Khoản."}
        )
        assert reply.status == 201 and reply.body["revision"] == n
    assert (await call("POST", fresh.api("/open"), admin)).status == 200
    late = {"format": "text", "content": "Điều 1. Bản 3"}
    assert_error(await call("POST", fresh.api("/drafts"), admin, json=late), 409, "conference_open")
    assert_error(await call("POST", fresh.api("/drafts?dry_run=true"), admin, json=late), 409, "conference_open")
    comment = await call(
        "POST", fresh.api("/comments"), fresh.delegate, json={"section_anchor": "dieu-1.khoan-1", "body": "Rõ hơn"}
    )
    assert comment.status == 201 and (comment.body["draft_revision"], comment.body["section_anchor"]) == (
        2,
        "dieu-1.khoan-1",
    )
    assert [d["revision"] for d in (await call("GET", fresh.api("/drafts"), admin)).body["items"]] == [2, 1]


async def test_an_open_workshop_without_a_draft_still_takes_its_first(shared_server: Server, call: Call) -> None:
    s, admin = shared_server, shared_server.tokens["admin"]
    fresh = await new_conference(call, s)
    await call("POST", fresh.api("/open"), admin)
    first = await call("POST", fresh.api("/drafts"), admin, json={"format": "text", "content": "Điều 1. Đầu tiên"})
    assert first.status == 201 and first.body["revision"] == 1
    assert_error(
        await call("POST", fresh.api("/drafts"), admin, json={"format": "text", "content": "Điều 1. Thay"}),
        409,
        "conference_open",
    )


async def test_only_the_admin_uploads(shared_server: Server, call: Call) -> None:
    s, t = shared_server, shared_server.tokens
    fresh = await new_conference(call, s)
    raw, _ = sample_docx()
    for token in (t["chair"], t["display"], t["operators"]["HGI"], fresh.delegate):
        for query in ("", "?dry_run=true"):
            assert_error(await call("POST", fresh.api("/drafts" + query), token, data=form(raw, "du-thao.docx")), 403)
    assert_error(await call("POST", fresh.api("/drafts?dry_run=true"), None, data=form(raw, "du-thao.docx")), 401)
    assert (await call("GET", fresh.api("/drafts"), t["admin"])).body["total"] == 0


async def test_a_file_over_the_upload_limit_is_413(tmp_path: Path, call: Call) -> None:
    server = await start_server(tmp_path / "small", extra_env={"DIEMCAU_MAX_UPLOAD_BYTES": "4096"})
    try:
        fresh = await new_conference(call, server)
        admin = server.tokens["admin"]
        big = ("Điều 1. Phạm vi\n\n" + "Nội dung dài. " * 400).encode()
        assert len(big) > 4096
        for query in ("", "?dry_run=true"):
            assert_error(
                await call("POST", fresh.api("/drafts" + query), admin, data=form(big, "du-thao.txt")), 413, "too_large"
            )
        fits = ("Điều 1. Phạm vi\n\n" + "Nội dung. " * 200).encode()
        assert len(fits) < 4096
        assert (await call("POST", fresh.api("/drafts"), admin, data=form(fits, "du-thao.txt"))).status == 201
    finally:
        stop_server(server)
