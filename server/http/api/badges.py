"""The badge sheet of a point as a PDF to print."""
from __future__ import annotations

import asyncio

from aiohttp import web

from server.badges.operations import badge_sheet
from server.badges.render import render_pdf
from server.http import parse
from server.http.api.common import allow, reader
from server.keys import settings_key


async def badges_pdf(request: web.Request) -> web.Response:
    _, c = allow(request)
    point_id = parse.path_id(request, "point_id")
    async with reader(request) as session:
        sheet = await badge_sheet(session, request.app[settings_key].secret_key, c, point_id)
    # Laying out a few hundred badges takes a while; the event loop keeps serving meanwhile.
    body = await asyncio.to_thread(render_pdf, sheet)
    return web.Response(
        body=body,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="badges-{c}-{point_id}.pdf"'},
    )
