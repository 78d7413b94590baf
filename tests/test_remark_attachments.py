"""A remark may carry one PDF or DOCX: recognised by content, limited in size, stored by hash, and downloadable
by staff and its author only."""
from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from server.simulate.loopback import Server
from tests.support.documents import PDF
from tests.support.http import Call
from tests.support.servers import start_server, stop_server

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml", "<w:document><w:body><w:p><w:r><w:t>Tham luận</w:t></w:r></w:p></w:body></w:document>"
        )
    return buffer.getvalue()


def form(file: bytes | None, filename: str = "tham-luan.pdf", **fields: str) -> aiohttp.FormData:
    # Not percent-encoded: browsers send the UTF-8 file name as it is.
    data = aiohttp.FormData(quote_fields=False)
    data.add_field("title", fields.get("title", "Tham luận của tỉnh Hậu Giang"))
    data.add_field("body", fields.get("body", "Tóm tắt tham luận, toàn văn đính kèm."))
    if "agenda_item_id" in fields:
        data.add_field("agenda_item_id", fields["agenda_item_id"])
    if file is not None:
        data.add_field("file", file, filename=filename, content_type="application/octet-stream")
    return data


def delegate_tokens(server: Server) -> list[str]:
    return list(server.tokens["delegates"].values())


async def test_a_pdf_is_stored_and_the_chair_downloads_the_same_bytes(shared_server: Server, call: Call) -> None:
    s = shared_server
    author = delegate_tokens(s)[0]
    reply = await call("POST", s.api("/remarks"), author, data=form(PDF, "Tham luận Hậu Giang.pdf"))
    assert reply.status == 201, reply.body
    attachment = reply.body["attachment"]
    assert attachment["type"] == "application/pdf" and attachment["size"] == len(PDF)
    assert attachment["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert attachment["name"] == "Tham luận Hậu Giang.pdf"
    stored = s.database.parent / "attachments" / attachment["sha256"]
    assert stored.read_bytes() == PDF

    download = await call("GET", s.base_url + attachment["url"], s.tokens["chair"])
    assert download.status == 200
    assert download.headers["Content-Type"].startswith("application/pdf")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''Tham%20lu%E1%BA%ADn%20H%E1%BA%ADu%20Giang.pdf" in download.headers["Content-Disposition"]
    async with aiohttp.ClientSession() as http:
        async with http.get(
            s.base_url + attachment["url"], headers={"Authorization": f"Bearer {s.tokens['chair']}"}
        ) as response:
            assert await response.read() == PDF
        async with http.get(s.base_url + attachment["url"], headers={"Authorization": f"Bearer {author}"}) as response:
            assert response.status == 200 and await response.read() == PDF

    listed = (await call("GET", s.api("/remarks"), s.tokens["chair"])).body["items"]
    assert next(r for r in listed if r["id"] == reply.body["id"])["attachment"] == attachment


async def test_a_docx_is_accepted_and_a_plain_remark_has_none(shared_server: Server, call: Call) -> None:
    s = shared_server
    author = delegate_tokens(s)[0]
    content = docx_bytes()
    reply = await call("POST", s.api("/remarks"), author, data=form(content, "tham-luan.docx"))
    assert reply.status == 201, reply.body
    assert reply.body["attachment"]["type"] == DOCX_TYPE and reply.body["attachment"]["name"] == "tham-luan.docx"

    plain = await call("POST", s.api("/remarks"), author, json={"title": "Phát biểu", "body": "Nội dung."})
    assert plain.status == 201 and plain.body["attachment"] is None
    none = await call("GET", s.api(f"/remarks/{plain.body['id']}/attachment"), s.tokens["chair"])
    assert none.status == 404


async def test_the_type_comes_from_the_content_not_the_name(shared_server: Server, call: Call) -> None:
    s = shared_server
    author = delegate_tokens(s)[0]
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    reply = await call("POST", s.api("/remarks"), author, data=form(exe, "tham-luan.pdf"))
    assert reply.status == 422 and reply.body["error"]["details"] == {"file": "not a PDF or DOCX"}
    # A zip that is not a Word document is refused too.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    other_zip = await call("POST", s.api("/remarks"), author, data=form(buffer.getvalue(), "tham-luan.docx"))
    assert other_zip.status == 422


async def test_only_staff_and_the_author_download(shared_server: Server, call: Call) -> None:
    s = shared_server
    author, other = delegate_tokens(s)[:2]
    reply = await call("POST", s.api("/remarks"), author, data=form(PDF))
    assert reply.status == 201
    url = s.base_url + reply.body["attachment"]["url"]
    for token in (s.tokens["display"], other, s.tokens["operators"]["HGI"]):
        refused = await call("GET", url, token)
        assert refused.status == 403 and refused.body["error"]["code"] == "forbidden"
    assert (await call("GET", url)).status == 401
    assert (await call("GET", url, s.tokens["admin"])).status == 200


@pytest.fixture
async def small_limit_server(tmp_path: Path) -> AsyncIterator[Server]:
    server = await start_server(tmp_path / "small", {"DIEMCAU_MAX_UPLOAD_BYTES": "4096"})
    yield server
    stop_server(server)


async def test_a_file_over_the_upload_limit_is_413(small_limit_server: Server, call: Call) -> None:
    s = small_limit_server
    author = delegate_tokens(s)[0]
    big = PDF + b"%" + b"x" * 8192
    reply = await call("POST", s.api("/remarks"), author, data=form(big))
    assert reply.status == 413 and reply.body["error"]["code"] == "too_large"
    small = await call("POST", s.api("/remarks"), author, data=form(PDF))
    assert small.status == 201
    assert not list((s.database.parent / "attachments").glob(".incoming-*"))
