"""The printable badge sheet of a point: HTML with print CSS, one QR code per roster member."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from server.auth.policy import authorize
from server.badges.operations import badge_sheet
from server.badges.render import PER_PAGE, qr_data_uri
from server.errors import Forbidden, NotFound
from server.i18n import language_of
from server.keys import db_key, principal_key, settings_key


async def badge_sheet_page(request: web.Request) -> web.StreamResponse:
    conference_id, point_id = int(request.match_info["c"]), int(request.match_info["p"])
    principal = request[principal_key]
    if principal is None:
        raise web.HTTPFound(f"/login?next={request.path}")
    try:
        authorize(principal, "badges.read", conference_id)
    except Forbidden:
        raise web.HTTPForbidden(text="Forbidden") from None
    async with request.app[db_key].read() as session:
        try:
            sheet = await badge_sheet(session, request.app[settings_key].secret_key, conference_id, point_id)
        except NotFound:
            raise web.HTTPNotFound(text="No such conference or bridge point") from None
    context = {
        "lang": language_of(request),
        "sheet": sheet,
        "pages": [sheet.badges[i:i + PER_PAGE] for i in range(0, len(sheet.badges), PER_PAGE)],
        "qr": qr_data_uri,
        "pdf_url": str(request.app.router["badges_pdf"].url_for(c=str(conference_id), p=str(point_id))),
    }
    return aiohttp_jinja2.render_template("badges/sheet.html", request, context)
