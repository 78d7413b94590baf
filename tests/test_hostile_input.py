"""Six attacks a hostile client tried, each sent exactly as it was: every one is refused in the protocol's shape,
costs the server next to nothing, and changes nothing."""
from __future__ import annotations

import asyncio
import io
import json
import os
import struct
import zipfile
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.http.redirects import local_target
from server.simulate.loopback import Server
from tests.support.accounts import demo_password
from tests.support.api import assert_error, point_ids
from tests.support.documents import PDF
from tests.support.http import Call
from tests.support.servers import start_server, stop_server

MIB = 1024 * 1024
# Inflating 900 MiB takes seconds of one core; refusing the compressed body takes milliseconds.
CPU_BUDGET = 1.0
MEMORY_BUDGET = 128 * MIB


def zeros_deflated(mebibytes: int) -> bytes:
    """A raw deflate stream of that many MiB of zeros, about 1 KiB per MiB: one flushed block repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * mebibytes + b"\x03\x00"


def zeros_crc(mebibytes: int) -> int:
    crc, chunk = 0, bytes(MIB)
    for _ in range(mebibytes):
        crc = zlib.crc32(chunk, crc)
    return crc


def gzip_bomb(mebibytes: int) -> bytes:
    """What the attacker sent: about 0.9 MB that inflates to 900 MiB."""
    trailer = struct.pack("<II", zeros_crc(mebibytes), (mebibytes * MIB) & 0xFFFFFFFF)
    return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + zeros_deflated(mebibytes) + trailer


def lying_zip(member: str, others: dict[str, bytes], mebibytes: int, declared: int = 4096) -> bytes:
    """A zip whose `member` declares `declared` bytes but inflates to `mebibytes` MiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in others.items():
            archive.writestr(name, data)
        # Stored as it is, a deflate stream; then both of its headers are made to say "deflated, `declared` bytes".
        archive.writestr(member, zeros_deflated(mebibytes))
        local = archive.getinfo(member).header_offset
    raw = bytearray(buffer.getvalue())
    central = raw.rindex(member.encode()) - 46
    for header, method in ((local, 8), (central, 10)):
        struct.pack_into("<H", raw, header + method, zipfile.ZIP_DEFLATED)
        struct.pack_into("<I", raw, header + method + 6, zeros_crc(mebibytes))
        struct.pack_into("<I", raw, header + method + 14, declared)
    return bytes(raw)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def strict_json(raw: bytes) -> Any:
    """JSON as a browser's JSON.parse reads it: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(raw, parse_constant=refuse)


@pytest.fixture(scope="module")
async def attacked(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Server]:
    """The demo, with a submission limit the tests can reach."""
    server = await start_server(tmp_path_factory.mktemp("attacked"), {"DIEMCAU_SUBMIT_RATE": "6/600"})
    yield server
    stop_server(server)


async def test_a_deeply_nested_body_is_refused_not_a_crash(attacked: Server, call: Call) -> None:
    s, operator = attacked, attacked.tokens["operators"]["HGI"]
    for depth in (10_000, 950, 100_000):
        for opening, closing in (("[", "]"), ('{"a":', "}")):
            body = '{"participant_id":' + opening * depth + "1" + closing * depth + "}"
            reply = await call(
                "POST", s.api("/checkins"), operator, data=body, headers={"Content-Type": "application/json"}
            )
            assert_error(reply, 422, "invalid")
            assert reply.body["error"]["details"] == {"body": "too deep"}
    assert "RecursionError" not in s.log.read_text()


async def test_nan_and_infinity_are_refused_everywhere_and_never_stored(attacked: Server, call: Call) -> None:
    s, admin = attacked, attacked.tokens["admin"]
    conference = f"{s.base_url}/api/v1/conferences/{s.conference_id}"
    before = (await call("GET", conference, admin)).body
    trail = (await call("GET", s.api("/audit"), admin)).body["total"]
    for body in (
        '{"venue": "Hội trường A", "ghi_chu": NaN, "so": Infinity}',
        '{"venue": "Hội trường A", "so": -Infinity}',
        '{"venue": "Hội trường A", "so": 1e400}',
        '{"venue": "Hội trường A", "x": [{"y": NaN}]}',
    ):
        reply = await call("PATCH", conference, admin, data=body, headers={"Content-Type": "application/json"})
        assert_error(reply, 422, "invalid")
    assert (await call("GET", conference, admin)).body == before
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {admin}"}) as http,
        http.get(s.api("/audit")) as response,
    ):
        audit = strict_json(await response.read())
    assert audit["total"] == trail
    # A finite number in an unknown field is still written to the trail as the standard JSON it was.
    assert (await call("PATCH", conference, admin, json={"venue": "Hội trường A", "so": 1.5e300})).status == 200
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {admin}"}) as http,
        http.get(s.api("/audit")) as response,
    ):
        assert strict_json(await response.read())["total"] == trail + 1


async def test_a_gzip_bomb_is_never_inflated(attacked: Server, call: Call) -> None:
    s = attacked
    bomb = gzip_bomb(900)
    assert len(bomb) < MIB
    spent = cpu_seconds(s.process.pid)

    async def send(url: str, token: str | None = None) -> int:
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with aiohttp.ClientSession() as http, http.post(url, data=bomb, headers=headers) as response:
            return response.status

    anonymous = [s.api("/checkins"), s.api("/checkins"), s.base_url + "/healthz", s.base_url + "/healthz"]
    statuses = await asyncio.gather(*(send(url) for url in anonymous))
    assert all(status in (401, 405, 415) for status in statuses), statuses
    # Signed in, the refusal says why and what to do.
    reply = await call(
        "POST",
        s.api("/checkins"),
        s.tokens["operators"]["HGI"],
        data=bomb,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert_error(reply, 415, "unsupported_encoding")
    assert cpu_seconds(s.process.pid) - spent < CPU_BUDGET
    assert (await call("GET", s.base_url + "/healthz")).status == 200


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example/",
        "/%0a/evil.example/",
        "/%0d%0a/evil.example/",
        "//evil.example/",
        "/%5Cevil.example/",
        "%5C%5Cevil.example",
        "https://evil.example/",
        "javascript:alert(1)",
    ],
)
async def test_no_next_leads_off_the_site(attacked: Server, call: Call, target: str) -> None:
    s = attacked
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{s.base_url}/lang/en?next={target}", allow_redirects=False) as response:
            assert response.status == 302 and response.headers["Location"] == "/"
        form = {"username": "admin", "password": demo_password(s, "admin"), "next": unquote(target)}
        async with http.post(
            f"{s.base_url}/login", data=form, allow_redirects=False, headers={"Origin": s.base_url}
        ) as response:
            assert response.status == 302 and response.headers["Location"] == "/"
        async with http.get(f"{s.base_url}/lang/vi?next=/chair%3Fx%3D1", allow_redirects=False) as response:
            assert response.headers["Location"] == "/chair?x=1"


@given(st.text())
def test_a_redirect_target_is_always_a_path_here(raw: str) -> None:
    """Whatever is asked, a browser that drops tabs and line breaks and reads "\\" as "/" stays on the site."""
    target = local_target(raw)
    as_browser = "".join(c for c in target if c not in "\t\n\r").replace("\\", "/")
    assert as_browser.startswith("/") and not as_browser.startswith("//")


def multipart(name: str, data: bytes, filename: str, **fields: str) -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    for key, value in fields.items():
        form.add_field(key, value)
    # A stream: aiohttp warns about (and the suite fails on) a raw bytes body over 1 MB.
    form.add_field(name, io.BytesIO(data), filename=filename, content_type="application/octet-stream")
    return form


DOCX_PARTS = {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>"}
XLSX_PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}


def attachments_of(server: Server) -> list[Path]:
    folder = server.database.parent / "attachments"
    return sorted(folder.iterdir()) if folder.exists() else []


async def test_an_archive_that_lies_about_its_size_is_refused_without_inflating_it(
    attacked: Server, call: Call
) -> None:
    s, admin = attacked, attacked.tokens["admin"]
    delegate = next(iter(s.tokens["delegates"].values()))
    docx_bomb = lying_zip("word/document.xml", DOCX_PARTS, 1024)
    xlsx_bomb = lying_zip("xl/worksheets/sheet1.xml", XLSX_PARTS, 1024)
    assert len(docx_bomb) < 1.2 * MIB
    memory, spent = peak_memory(s.process.pid), cpu_seconds(s.process.pid)
    draft = await call("POST", s.api("/drafts?dry_run=true"), admin, data=multipart("file", docx_bomb, "du-thao.docx"))
    assert_error(draft, 422, "invalid")
    roster = await call(
        "POST", s.api("/participants/import?dry_run=true"), admin, data=multipart("file", xlsx_bomb, "ds.xlsx")
    )
    # A dry run reports the file's problems as the import report's rows.
    assert roster.body["created"] == 0 and [e["reason"] for e in roster.body["errors"]] == [
        "not a readable XLSX workbook"
    ]
    remark = await call(
        "POST", s.api("/remarks"), delegate, data=multipart("file", docx_bomb, "tham-luan.docx", title="T", body="B")
    )
    assert_error(remark, 422, "invalid")
    assert cpu_seconds(s.process.pid) - spent < CPU_BUDGET
    assert peak_memory(s.process.pid) - memory < MEMORY_BUDGET
    assert attachments_of(s) == []


async def test_a_refused_remark_leaves_no_file_and_counts_against_the_limit(attacked: Server, call: Call) -> None:
    s = attacked
    delegate = list(s.tokens["delegates"].values())[1]
    before = attachments_of(s)
    refusals = [
        multipart("file", PDF, "a.pdf", body="Không có tiêu đề"),
        multipart("file", PDF, "a.pdf", title="   ", body="Tiêu đề trống"),
        multipart("file", PDF, "a.pdf", title="Mục không có", body="x", agenda_item_id="999999"),
        multipart("file", PDF, "a.pdf", title="Người khác", body="x", participant_id="999999"),
    ]
    for form in refusals:
        reply = await call("POST", s.api("/remarks"), delegate, data=form)
        assert reply.status in (404, 422), reply.body
        assert attachments_of(s) == before
    accepted = await call(
        "POST", s.api("/remarks"), delegate, data=multipart("file", PDF, "a.pdf", title="Được", body="x")
    )
    assert accepted.status == 201, accepted.body
    assert [p.name for p in attachments_of(s)] == sorted(
        {p.name for p in before} | {accepted.body["attachment"]["sha256"]}
    )
    # Six submissions a window: four refused, one accepted, one left; then the seventh is refused for the rate.
    assert (
        await call("POST", s.api("/remarks"), delegate, data=multipart("file", PDF, "a.pdf", body="x"))
    ).status == 422
    limited = await call(
        "POST", s.api("/remarks"), delegate, data=multipart("file", PDF, "a.pdf", title="Lại", body="x")
    )
    assert_error(limited, 429, "rate_limited")


async def test_a_refused_write_keeps_a_file_another_remark_uses(attacked: Server, call: Call) -> None:
    s = attacked
    first, second = list(s.tokens["delegates"].values())[2:4]
    shared = PDF + b"% shared\n"
    accepted = await call(
        "POST", s.api("/remarks"), first, data=multipart("file", shared, "a.pdf", title="Có", body="x")
    )
    assert accepted.status == 201, accepted.body
    refused = await call(
        "POST",
        s.api("/remarks"),
        second,
        data=multipart("file", shared, "a.pdf", title="Mục không có", body="x", agenda_item_id="999999"),
    )
    assert refused.status in (404, 422), refused.body
    download = await call("GET", s.base_url + accepted.body["attachment"]["url"], s.tokens["chair"])
    assert download.status == 200


async def test_orphaned_files_are_removed_at_start(tmp_path: Path, call: Call) -> None:
    server = await start_server(tmp_path / "server")
    delegate = next(iter(server.tokens["delegates"].values()))
    kept = await call(
        "POST", server.api("/remarks"), delegate, data=multipart("file", PDF, "a.pdf", title="Giữ", body="x")
    )
    assert kept.status == 201, kept.body
    stop_server(server)
    folder = tmp_path / "server" / "attachments"
    orphans = [folder / ("ab" * 32), folder / ".incoming-x1y2", folder / ("cd" * 32)]
    for orphan in orphans:
        orphan.write_bytes(PDF)
    hour_ago = os.stat(folder).st_mtime - 7200
    for path in [*orphans[:2], folder / kept.body["attachment"]["sha256"]]:
        os.utime(path, (hour_ago, hour_ago))
    server = await start_server(tmp_path / "server")
    try:
        # The fresh one may belong to a write another process has not committed yet.
        assert sorted(p.name for p in folder.iterdir()) == sorted([kept.body["attachment"]["sha256"], "cd" * 32])
        download = await call("GET", server.base_url + kept.body["attachment"]["url"], server.tokens["chair"])
        assert download.status == 200
    finally:
        stop_server(server)


async def test_a_point_list_still_works_after_the_attacks(attacked: Server, call: Call) -> None:
    assert len(await point_ids(call, attacked)) == 8
