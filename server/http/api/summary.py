"""The closing summary in its formats, the revised draft, and the chair's closing statement."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.http.api.common import allow, reader, write
from server.http.declaration import parsed
from server.keys import settings_key
from server.summary import operations as summaries
from server.summary.exports import (
    Export,
    export_revised_draft,
    export_summary,
    summary_record,
)

MAX_STATEMENT = 20_000
# Pages and text open in the browser; documents are saved.
INLINE = ("md", "html", "json")


def _response(export: Export, inline: bool) -> web.Response:
    headers = {"Content-Type": export.content_type}
    if not inline:
        ascii_name = export.filename.encode("ascii", "ignore").decode()
        headers["Content-Disposition"] = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(export.filename)}"
        )
    return web.Response(body=export.body, headers=headers)


async def summary(request: web.Request) -> web.Response:
    """Live preview before close; after close, the frozen record and its checksum, in any format."""
    _, c = allow(request)
    fmt = request.match_info.get("fmt") or "json"
    async with reader(request) as session:
        record = await summary_record(session, c)
    return _response(await export_summary(record, fmt, request.app[settings_key]), fmt in INLINE)


async def revised_draft(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        record = await summary_record(session, c)
    return _response(export_revised_draft(record), inline=False)


async def get_closing_statement(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return web.json_response(await summaries.closing_statement(session, c))


async def set_closing_statement(request: web.Request) -> web.Response:
    """`{"text": "..."}` stores the chair's wording; `{"text": null}` goes back to the generated draft."""
    principal, c = allow(request)
    _, (text,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await summaries.set_closing_statement(session, c, text, principal.actor)

    return await write(request, c, op)
