"""The summary as files over HTTP: previews marked as drafts, the chair's statement, a frozen, reproducible record."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import aiohttp
import docx

from server.simulate.loopback import Server
from tests.event_schemas import validate_event
from tests.rendered import pdf_text, poppler, squeezed
from tests.support.api import assert_error, seq
from tests.support.http import Call
from tests.support.realtime import Listener

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STATEMENT = "Hội thảo đã thành công tốt đẹp.\n\nGiao Cục Công tác Đảng hoàn thiện dự thảo trước ngày 30/9/2021."


async def download(
    http: aiohttp.ClientSession, server: Server, path: str, token: str
) -> tuple[int, dict[str, str], bytes]:
    async with http.get(server.api(path), headers={"Authorization": f"Bearer {token}"}) as response:
        return response.status, dict(response.headers), await response.read()


def docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


async def test_the_chair_edits_the_closing_statement(demo_server: Server, call: Call, listen: Any) -> None:
    s, t = demo_server, demo_server.tokens
    staff: Listener = await listen(s, t["admin"])
    generated = (await call("GET", s.api("/closing-statement"), t["chair"])).body
    assert generated["edited"] is False and generated["text"] == generated["generated"]
    assert "kết nối với 7 điểm cầu" in generated["text"] and "0/89 đại biểu" in generated["text"]

    before = await seq(call, s)
    delegate = next(iter(t["delegates"].values()))
    for token in (delegate, t["operators"]["HGI"], t["display"]):
        assert_error(await call("PUT", s.api("/closing-statement"), token, json={"text": STATEMENT}), 403)
    assert_error(await call("PUT", s.api("/closing-statement"), None, json={"text": STATEMENT}), 401)
    for body in ({}, {"text": 5}, {"text": ""}, {"text": "   "}, {"text": "x" * 20_001}, {"text": "a\x00b"}):
        assert_error(await call("PUT", s.api("/closing-statement"), t["chair"], json=body), 422)
    assert await seq(call, s) == before

    saved = await call("PUT", s.api("/closing-statement"), t["chair"], json={"text": STATEMENT})
    assert saved.status == 200 and saved.body["edited"] is True and saved.body["text"] == STATEMENT
    assert saved.body["generated"] == generated["generated"]
    changed = await staff.wait_for("summary.statement_changed")
    assert changed[0]["data"]["edited"] is True
    validate_event(changed[0])
    preview = (await call("GET", s.api("/summary.json"), t["chair"])).body
    assert preview["closing_statement"] == {"text": STATEMENT, "edited": True}
    markdown = (await call("GET", s.api("/summary.md"), t["chair"])).body
    assert "Giao Cục Công tác Đảng hoàn thiện dự thảo trước ngày 30/9/2021." in markdown

    back = await call("PUT", s.api("/closing-statement"), t["admin"], json={"text": None})
    assert back.body["edited"] is False and back.body["text"] == generated["generated"]
    await call("PUT", s.api("/closing-statement"), t["chair"], json={"text": STATEMENT})

    assert (await call("POST", s.api("/close"), t["chair"])).status == 200
    late = await call("PUT", s.api("/closing-statement"), t["chair"], json={"text": "Sửa sau khi chốt."})
    assert_error(late, 409)
    frozen = (await call("GET", s.api("/summary.json"), t["chair"])).body
    assert frozen["closing_statement"]["text"] == STATEMENT


async def test_previews_are_drafts_and_the_frozen_record_is_reproducible(
    demo_server: Server, call: Call, http: aiohttp.ClientSession
) -> None:
    s, t = demo_server, demo_server.tokens
    status, headers, body = await download(http, s, "/summary.docx", t["chair"])
    assert status == 200 and headers["Content-Type"] == DOCX
    assert headers["Content-Disposition"].startswith('attachment; filename="bien-ban-tong-hop-')
    assert "-du-thao.docx" in headers["Content-Disposition"]
    assert "DỰ THẢO" in docx_text(body)
    status, headers, body = await download(http, s, "/summary.pdf", t["chair"])
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
    preview_text = squeezed(pdf_text(body))
    assert "DỰTHẢO" in preview_text and squeezed("BIÊN BẢN TỔNG HỢP") in preview_text
    assert squeezed("BAN TỔ CHỨC HỘI THẢO") in preview_text
    for token in (t["operators"]["HGI"], t["display"], next(iter(t["delegates"].values()))):
        assert (await download(http, s, "/summary.pdf", token))[0] == 403
        assert (await download(http, s, "/revised-draft.docx", token))[0] == 403

    # The letterhead: refused whole when any field is wrong, taken by the record when right.
    before = await seq(call, s)
    for header in ([], {"style": "ministry"}, {"number": 12}, {"place": "Hà\nNội"}, {"seal": "x"}):
        assert_error(await call("PATCH", s.api(), t["admin"], json={"record_header": header}), 422)
    assert await seq(call, s) == before and (await call("GET", s.api(), t["admin"])).body["record_header"] is None
    header = {"style": "state", "parent_body": "Bộ Công an", "issuing_body": "Cục Công tác Đảng", "number": "12/BB-CTĐ",
              "national_title": None, "motto": "", "place": "Hà Nội", "secretary_name": "Lê Thị Hoa"}
    set_header = await call("PATCH", s.api(), t["chair"], json={"record_header": header})
    assert set_header.status == 200 and set_header.body["record_header"] == {**header, "motto": None}

    assert (await call("POST", s.api("/close"), t["chair"])).status == 200
    sha = (await call("GET", s.api("/summary.json"), t["chair"])).body["sha256"]
    files = {}
    for name in ("summary.md", "summary.html", "summary.json", "summary.docx", "summary.pdf", "summary.pdfa",
                 "revised-draft.docx"):
        first, second = await download(http, s, f"/{name}", t["chair"]), await download(http, s, f"/{name}", t["chair"])
        assert first[0] == 200 and first[2] == second[2], name
        files[name] = first[2]
    record = files["summary.md"].decode()
    seal = f"\nMã kiểm tra (SHA-256): {sha}\n"
    assert record.endswith(seal) and hashlib.sha256(record[: -len(seal)].encode()).hexdigest() == sha
    assert sha in files["summary.html"].decode() and sha in files["summary.json"].decode()
    assert sha in docx_text(files["summary.docx"]) and "DỰ THẢO" not in docx_text(files["summary.docx"])
    frozen_text = squeezed(pdf_text(files["summary.pdf"]))
    assert sha in frozen_text and "DỰTHẢO" not in frozen_text
    for words in ("BỘ CÔNG AN", "CỤC CÔNG TÁC ĐẢNG", "Số: 12/BB-CTĐ", "Độc lập - Tự do - Hạnh phúc", "Lê Thị Hoa"):
        assert squeezed(words) in frozen_text, words
    assert f"diemcau-sha256-{sha}" in poppler("pdfinfo", "-", stdin=files["summary.pdf"])
    assert "pdfaid:part" in poppler("pdfinfo", "-meta", "-", stdin=files["summary.pdfa"])
    assert squeezed(pdf_text(files["summary.pdfa"])) == frozen_text
    status, headers, _ = await download(http, s, "/summary.pdfa", t["chair"])
    assert status == 200 and headers["Content-Disposition"].endswith("-pdfa.pdf")
    assert "Dự thảo Quy chế phối hợp" in docx_text(files["revised-draft.docx"])
