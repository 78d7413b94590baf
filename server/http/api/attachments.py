"""A remark sent as multipart with an optional PDF or DOCX, and the download of that file."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiohttp import web

from schema.tables import Remark
from server.auth.principal import Principal
from server.errors import Forbidden, Invalid, NotFound, TooLarge
from server.http.api.common import allow, reader
from server.http.api.roster import MULTIPART_SLACK, read_part
from server.http.parse import form_parts, path_id
from server.keys import settings_key
from server.lookup import in_conference
from server.submissions import attachments
from server.submissions import operations as submissions

# The text fields of a remark form; the body may be a whole paper (200,000 characters of up to 4 UTF-8 bytes).
TEXT_FIELDS = ("title", "body", "agenda_item_id", "participant_id", "idempotency_key")
MAX_FIELD_BYTES = 800_000 + 4096


def _integer(fields: dict[str, Any], name: str) -> None:
    raw = fields.get(name)
    if raw is None or raw.strip() == "":
        fields.pop(name, None)
        return
    try:
        fields[name] = int(raw.strip())
    except ValueError:
        raise Invalid(f"{name} must be an integer", {name: "not an integer"}) from None


@dataclass(frozen=True)
class Upload:
    """A remark's file as received: checked by content, not yet stored."""

    attachment: attachments.Attachment
    data: bytes


async def read_remark_form(request: web.Request) -> tuple[dict[str, Any], Upload | None]:
    """The remark's fields as the JSON form has them, and the file if one was sent (checked, not stored)."""
    limit = request.app[settings_key].max_upload_bytes
    too_large = TooLarge(f"The file is over {limit} bytes", {"limit": limit})
    if (request.content_length or 0) > limit + MAX_FIELD_BYTES + MULTIPART_SLACK:
        raise too_large
    fields: dict[str, Any] = {}
    upload: tuple[bytes, str] | None = None
    async for part in form_parts(request):
        name = part.name or ""
        if name == "file" and upload is None:
            data = await read_part(part, limit, too_large)
            if data or part.filename:
                upload = (data, part.filename or "")
        elif name in TEXT_FIELDS and name not in fields:
            raw = await read_part(part, MAX_FIELD_BYTES, TooLarge(f"{name} is too long", {name: "too long"}))
            try:
                fields[name] = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Invalid(f"{name} is not UTF-8 text", {name: "not UTF-8 text"}) from None
    for name in ("agenda_item_id", "participant_id"):
        _integer(fields, name)
    if upload is None:
        return fields, None
    if not upload[0]:
        raise Invalid("The attached file is empty", {"file": "empty"})
    # Reading a DOCX through is CPU work; it must not stall the other requests.
    return fields, Upload(await asyncio.to_thread(attachments.prepare, *upload), upload[0])


@asynccontextmanager
async def stored(request: web.Request, upload: Upload | None) -> AsyncIterator[None]:
    """The file on disk for the remark's write, and removed again if the write fails or is refused."""
    if upload is None:
        yield
        return

    async def in_use(sha256: str) -> bool:
        async with reader(request) as session:
            return await submissions.attachment_in_use(session, sha256)

    async with request.app[attachments.uploads_key].holding(upload.attachment, upload.data, in_use):
        yield


def _may_download(principal: Principal, participant_id: int) -> bool:
    return principal.is_staff or (principal.role == "delegate" and principal.participant_id == participant_id)


async def download_attachment(request: web.Request) -> web.FileResponse:
    principal, c = allow(request)
    remark_id = path_id(request, "remark_id")
    async with reader(request) as session:
        remark = await in_conference(session, Remark, c, remark_id, "remark", "remark_id")
        author, sha256, name, mime = (
            remark.participant_id,
            remark.attachment_sha256,
            remark.attachment_name,
            remark.attachment_type,
        )
    if not _may_download(principal, author):
        raise Forbidden("Only staff and the author may download an attachment", {"remark_id": remark_id})
    if not sha256 or not name or not mime:
        raise NotFound("This remark has no attachment", {"remark_id": remark_id})
    path = attachments.path_of(request.app[settings_key].data_dir, sha256)
    if not path.exists():
        raise NotFound("The attached file is missing from the server", {"remark_id": remark_id})
    ascii_name = (
        name.encode("ascii", "ignore").decode().replace('"', "") or f"attachment.{attachments.EXTENSIONS[mime]}"
    )
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return web.FileResponse(path, headers={"Content-Disposition": disposition, "Content-Type": mime})
