"""Attendance sheets to print: one point's, or every point's in one PDF, before the workshop or as recorded."""
from __future__ import annotations

import re

from aiohttp import web

from server.http import parse
from server.http.api.common import allow, reader
from server.summary.sheets import Sheets, attendance_sheets, file_name, parse_when


async def point_sheet(request: web.Request) -> web.Response:
    point_id = parse.path_id(request, "point_id")
    _, c = allow(request, point_id=point_id)
    when = parse_when(request.query.get("when"))
    async with reader(request) as session:
        sheets = await attendance_sheets(session, c, when, point_id)
    return await _pdf(sheets, file_name(sheets.data["sheets"][0]["code"], when))


async def all_sheets(request: web.Request) -> web.Response:
    _, c = allow(request)
    when = parse_when(request.query.get("when"))
    async with reader(request) as session:
        sheets = await attendance_sheets(session, c, when)
    return await _pdf(sheets, file_name("diem-cau", when))


async def _pdf(sheets: Sheets, name: str) -> web.Response:
    # Laid out in a child process (server/summary/sheet_printing.py): the event loop keeps serving meanwhile.
    body = await sheets.pdf()
    # A point's code is the admin's text: only what a header's quoted file name safely holds.
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", name)
    return web.Response(
        body=body, content_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{safe}"'}
    )
