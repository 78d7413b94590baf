"""The draft under consultation: upload (Markdown, plain text or DOCX), a dry-run preview, and reading it back."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.drafts import adopted
from server.drafts import operations as drafts
from server.drafts.files import read_draft_file
from server.drafts.parser import parse_draft
from server.http import parse
from server.http.api.common import allow, listing, reader, write
from server.http.api.roster import flag, read_form
from server.http.body import Body, Field

MAX_DRAFT = 5_000_000
CONTENT = Field.text("content", MAX_DRAFT)
TITLE = Field.name("title", required=False)
# The JSON form; a multipart file's format is the file's own, and its content and title are read as these are.
BODY = Body(Field.choice("format", drafts.FORMATS), CONTENT, TITLE)


@dataclass(frozen=True)
class DraftUpload:
    """A draft as received: its format, text and title, and the body its idempotency key is checked against."""

    fmt: str
    content: str
    title: str
    payload: dict[str, Any]


async def read_draft_upload(request: web.Request) -> DraftUpload:
    """Accept JSON {format, content, title?} or a multipart file (DOCX, Markdown or plain text) with an optional
    title."""
    if request.content_type.startswith("multipart/"):
        form = await read_form(request, "file", ("title",))
        # Unzipping and walking a DOCX is CPU work; it must not stall the other conferences' requests.
        fmt, content = await asyncio.to_thread(read_draft_file, form.data, form.filename)
        data: dict[str, Any] = {"format": fmt, "content": content, "title": form.fields.get("title") or None}
        content, title = CONTENT.of(data), TITLE.of(data)
    else:
        data = await parse.json_body(request)
        fmt, content, title = BODY.read(data)
    return DraftUpload(fmt, content, title or content.strip().splitlines()[0][:200], data)


async def list_drafts(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        rows = await drafts.list_drafts(session, c)
        return listing([await drafts.draft_dict(session, d, with_sections=False) for d in rows])


async def get_draft(request: web.Request) -> web.Response:
    _, c = allow(request)
    draft_id = parse.path_id(request, "draft_id")
    async with reader(request) as session:
        return web.json_response(await drafts.draft_dict(session, await drafts.get_draft(session, c, draft_id)))


async def revised_draft(request: web.Request) -> web.Response:
    """The current draft after every adopted change (PROTOCOL v1.1); empty lists while there is no draft."""
    _, c = allow(request)
    async with reader(request) as session:
        return web.json_response(adopted.answer(await adopted.revision_of(session, c)))


async def publish_draft(request: web.Request) -> web.Response:
    """With ?dry_run=true, answer what publishing would do (outline or refusal) and write nothing."""
    principal, c = allow(request)
    dry_run = flag(request, "dry_run")
    upload = await read_draft_upload(request)
    # Parsed before the state is checked, so an unusable draft is 422 whatever the workshop's state; and in a
    # thread, because a long draft would otherwise hold up every request and the conference's write queue.
    outline = await asyncio.to_thread(parse_draft, upload.content)
    if dry_run:
        async with reader(request) as session:
            await drafts.require_replaceable(session, c)
        return web.json_response(drafts.preview_dict(upload.title, upload.fmt, outline))

    async def op(session: AsyncSession) -> dict[str, Any]:
        draft = await drafts.publish_draft(session, c, upload.title, upload.fmt, upload.content, outline)
        return await drafts.draft_dict(session, draft)

    return await write(request, c, op, 201, principal, upload.payload)
