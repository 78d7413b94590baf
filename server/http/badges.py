"""Printable codes: a point's badge sheet (HTML with print CSS, one QR code per roster member), reachable by
the point's id or code, and the QR code of an invitation link for the printed invitation sheet."""
from __future__ import annotations

import io

import aiohttp_jinja2
from aiohttp import web

from schema.tables import Invitation
from server.auth.policy import authorize
from server.auth.principal import principal_key
from server.auth.signing_key import link_derivable
from server.auth.tokens import invitation_token
from server.badges.operations import badge_sheet
from server.badges.render import PER_PAGE, qr, qr_data_uri
from server.errors import Forbidden, NotFound
from server.i18n import language_of
from server.keys import db_key, settings_key
from server.lookup import in_conference
from server.points.operations import point_by_code


def _allow(request: web.Request, action: str) -> int:
    """The conference in the URL, once the signed-in caller may take `action` there; a stranger goes to log in."""
    conference_id = int(request.match_info["conference_id"])
    principal = request[principal_key]
    if principal is None:
        raise web.HTTPFound(f"/login?next={request.path}")
    try:
        authorize(principal, action, conference_id)
    except Forbidden:
        raise web.HTTPForbidden(text="Forbidden") from None
    return conference_id


async def badge_sheet_page(request: web.Request) -> web.StreamResponse:
    conference_id = _allow(request, "badges.read")
    point_id = int(request.match_info["point_id"])
    async with request.app[db_key].read() as session:
        try:
            sheet = await badge_sheet(session, request.app[settings_key].secret_key, conference_id, point_id)
        except NotFound:
            raise web.HTTPNotFound(text="No such conference or bridge point") from None
    context = {
        "lang": language_of(request),
        "sheet": sheet,
        "pages": [sheet.badges[i : i + PER_PAGE] for i in range(0, len(sheet.badges), PER_PAGE)],
        "qr": qr_data_uri,
        "pdf_url": str(
            request.app.router["badges_pdf"].url_for(conference_id=str(conference_id), point_id=str(point_id))
        ),
    }
    return aiohttp_jinja2.render_template("badges/sheet.html", request, context)


async def badge_sheet_by_code(request: web.Request) -> web.StreamResponse:
    """The secretariat knows its points by code ("HGI"): the sheet of that point, at its one address."""
    conference_id = _allow(request, "badges.read")
    async with request.app[db_key].read() as session:
        try:
            point = await point_by_code(session, conference_id, request.match_info["code"])
        except NotFound:
            raise web.HTTPNotFound(text="No such conference or bridge point") from None
    raise web.HTTPFound(
        str(request.app.router["badge_sheet"].url_for(conference_id=str(conference_id), point_id=str(point.id)))
    )


async def invitation_qr(request: web.Request) -> web.StreamResponse:
    """The invitation link as a QR code (SVG), to print beside the link: a phone opens it without typing."""
    conference_id = _allow(request, "invitation.manage")
    settings = request.app[settings_key]
    async with request.app[db_key].read() as session:
        try:
            invitation = await in_conference(
                session,
                Invitation,
                conference_id,
                int(request.match_info["invitation_id"]),
                "invitation",
                "invitation_id",
            )
        except NotFound:
            raise web.HTTPNotFound(text="No such invitation") from None
    if not link_derivable(settings.secret_key, invitation):
        raise web.HTTPConflict(
            text="This link was made under an earlier signing key and cannot be shown again: reissue the invitation"
        )
    url = f"{settings.base_url}/join/{invitation_token(settings.secret_key, invitation.nonce)}"
    svg = io.BytesIO()
    qr(url).save(svg, kind="svg", scale=4, omitsize=True, xmldecl=False)
    # The image carries a sign-in token: like the link itself, it must not be kept by a cache.
    return web.Response(body=svg.getvalue(), content_type="image/svg+xml", headers={"Cache-Control": "no-store"})
