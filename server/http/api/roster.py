"""Roster import from a spreadsheet, roster and attendance exports, and the import template."""
from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiohttp import BodyPartReader, web
from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import Invalid, TooLarge
from server.http.api.common import allow, point_scope, reader, write
from server.http.parse import form_parts, multipart_errors
from server.keys import settings_key
from server.participants import exporting, importing, roster_file

# Room for the multipart boundaries and part headers around a file of exactly the limit.
MULTIPART_SLACK = 64 * 1024
# A title or similar short field beside the file.
MAX_TEXT_FIELD = 4096


def flag(request: web.Request, name: str) -> bool:
    raw = request.query.get(name, "false")
    if raw not in ("true", "false"):
        raise Invalid(f"{name} must be true or false", {name: "not true or false"})
    return raw == "true"


@dataclass(frozen=True)
class Upload:
    """One multipart file field's bytes and file name, with the short text fields sent beside it."""

    data: bytes
    filename: str
    fields: dict[str, str]


async def read_part(part: BodyPartReader, limit: int, too_large: TooLarge) -> bytes:
    """One multipart part, refused as soon as it passes `limit` bytes."""
    data = bytearray()
    with multipart_errors():
        while chunk := await part.read_chunk():
            data += chunk
            if len(data) > limit:
                raise too_large
    return bytes(data)


async def read_form(request: web.Request, field: str = "file", text_fields: tuple[str, ...] = ()) -> Upload:
    """The file field and the named text fields, read until all are in; 413 as soon as the file passes the upload
    limit."""
    limit = request.app[settings_key].max_upload_bytes
    too_large = TooLarge(f"The file is over {limit} bytes", {"limit": limit})
    if (request.content_length or 0) > limit + MULTIPART_SLACK:
        raise too_large
    if not request.content_type.startswith("multipart/"):
        raise Invalid(f"Send the file as a multipart field named {field}", {field: "required"})
    upload: tuple[bytes, str] | None = None
    fields: dict[str, str] = {}
    async for part in form_parts(request):
        name = part.name or ""
        if name == field and upload is None:
            upload = (await read_part(part, limit, too_large), part.filename or "")
        elif name in text_fields:
            raw = await read_part(
                part, MAX_TEXT_FIELD, TooLarge(f"{name} is over {MAX_TEXT_FIELD} bytes", {name: "too long"})
            )
            try:
                fields[name] = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Invalid(f"{name} is not UTF-8 text", {name: "not UTF-8 text"}) from None
        if upload is not None and fields.keys() >= set(text_fields):
            break
    if upload is None:
        raise Invalid(f"Send the file as a multipart field named {field}", {field: "required"})
    return Upload(upload[0], upload[1], fields)


async def read_upload(request: web.Request, field: str = "file") -> bytes:
    """The bytes of one multipart file field, refused with 413 as soon as they pass the upload limit."""
    return (await read_form(request, field)).data


async def import_roster(request: web.Request) -> web.Response:
    principal, c = allow(request)
    dry_run, skip_invalid = flag(request, "dry_run"), flag(request, "skip_invalid")
    raw = await read_upload(request)
    parsed = await asyncio.to_thread(roster_file.parse_upload, raw)
    if dry_run:
        async with reader(request) as session:
            return web.json_response(await importing.import_roster(session, c, parsed, True, skip_invalid))

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await importing.import_roster(session, c, parsed, False, skip_invalid)

    # The idempotency record keeps the file's digest, not the file: a retry sends the same bytes and flag.
    payload = {"sha256": hashlib.sha256(raw).hexdigest(), "skip_invalid": skip_invalid}
    return await write(request, c, op, 201, principal, payload)


async def download(sheet: exporting.Sheet, fmt: str) -> web.Response:
    """The sheet as an attachment: an ASCII filename for old clients, the Vietnamese title in filename*."""
    body = await asyncio.to_thread(exporting.render, sheet, fmt)
    disposition = f"attachment; filename=\"{sheet.stem}.{fmt}\"; filename*=UTF-8''{quote(f'{sheet.title}.{fmt}')}"
    charset = "utf-8" if fmt == "csv" else None
    return web.Response(
        body=body, content_type=exporting.FORMATS[fmt], charset=charset, headers={"Content-Disposition": disposition}
    )


async def export_roster(request: web.Request) -> web.Response:
    principal, c = allow(request)
    point_id = point_scope(request, principal)
    async with reader(request) as session:
        sheet = await exporting.roster_sheet(session, c, point_id)
    return await download(sheet, request.match_info["fmt"])


async def export_attendance(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        sheet = await exporting.attendance_sheet(session, c)
    return await download(sheet, request.match_info["fmt"])


async def import_template(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        sheet = await exporting.template_sheet(session, c)
    return await download(sheet, request.match_info["fmt"])
