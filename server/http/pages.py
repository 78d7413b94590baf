"""The consoles as Jinja2 pages; they read and write through the API, live through socket.io."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Participant, Point
from server.auth import operations as auth
from server.auth.cache import lookups_key
from server.auth.principal import Principal, principal_key
from server.auth.signin import sign_in, sign_out
from server.client import SESSION_COOKIE, client_address, origin_allowed
from server.conferences.operations import get_conference, list_conferences
from server.errors import DomainError
from server.http import parse
from server.http.cookies import set_session_cookie
from server.http.redirects import local_target
from server.i18n import LANG_COOKIE, LANGUAGES, catalog, language_of
from server.keys import db_key, settings_key
from server.webdir import WEB
from server.writes import perform

SERVICE_WORKER = WEB / "static" / "js" / "sw.js"
CONSOLE_ROLES = {
    "admin": ("admin",),
    "chair": ("chair", "secretary", "admin"),
    "operator": ("operator",),
    "delegate": ("delegate",),
    "display": ("display", "chair", "admin"),
}


def home_of(principal: Principal) -> str:
    if principal.role == "admin":
        return "/admin"
    if principal.role in ("chair", "secretary"):
        return "/chair"
    return f"/{principal.role}/{principal.conference_id}"


def _context(request: web.Request, console: str, **extra: Any) -> dict[str, Any]:
    principal = request[principal_key]
    lang = language_of(request)
    return {
        "lang": lang,
        "languages": LANGUAGES,
        "console": console,
        "principal": principal,
        "csrf_token": principal.csrf_token if principal else "",
        "messages": catalog(lang),
        "path": request.path_qs,
        **extra,
    }


def _require(request: web.Request, console: str, conference_id: int | None = None) -> Principal:
    principal = request[principal_key]
    if principal is None:
        raise web.HTTPFound(f"/login?{urlencode({'next': request.path_qs})}")
    if principal.role not in CONSOLE_ROLES[console] or (
        conference_id is not None and not principal.belongs_to(conference_id)
    ):
        raise web.HTTPForbidden(text="Forbidden")
    return principal


async def service_worker(request: web.Request) -> web.StreamResponse:
    """The operator console's offline worker, from the root: a worker may only cover paths under its own URL.

    no-cache: no cache between here and the browser may hold back a changed worker."""
    return web.FileResponse(SERVICE_WORKER, headers={"Content-Type": "text/javascript", "Cache-Control": "no-cache"})


async def home(request: web.Request) -> web.StreamResponse:
    principal = request[principal_key]
    raise web.HTTPFound(home_of(principal) if principal else "/login")


async def login_page(request: web.Request) -> web.StreamResponse:
    context = _context(request, "login", error=None, next=local_target(request.query.get("next"), ""), username="")
    return aiohttp_jinja2.render_template("login.html", request, context)


async def login_submit(request: web.Request) -> web.StreamResponse:
    origin = request.headers.get("Origin")
    if origin is not None and not origin_allowed(request, origin):
        raise web.HTTPForbidden(text="Cross-origin login refused")
    form = await parse.form_fields(request)
    username, password, target = form.get("username", ""), form.get("password", ""), local_target(form.get("next"))
    try:
        result = await sign_in(request.app, username, password, client_address(request) or "")
    except DomainError as error:
        context = _context(request, "login", error=error.code, next=target, username=username)
        return aiohttp_jinja2.render_template("login.html", request, context, status=error.status)
    response = web.HTTPFound(target)
    set_session_cookie(response, request, result["token"])
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    principal = request[principal_key]
    if principal is not None and principal.session_id is not None:
        await sign_out(request.app, principal, client_address(request))
    response = web.HTTPFound("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


async def join(request: web.Request) -> web.StreamResponse:
    """Trade an invitation (or staff) token for a browser session of the same role."""
    token = request.match_info["token"]
    hours = request.app[settings_key].session_hours
    # Read now, not remembered: a link revoked a moment ago must not open a session.
    principal = await request.app[lookups_key].ask((token, False))
    if principal is None:
        context = _context(request, "login", error="bad_invitation", next="", username="")
        return aiohttp_jinja2.render_template("login.html", request, context, status=401)

    async def op(session: AsyncSession) -> dict[str, Any]:
        new_token, _ = await auth.open_session(
            session, hours, user_id=principal.user_id, invitation_id=principal.invitation_id
        )
        return {"token": new_token}

    _, result = await perform(request.app, principal.conference_id, op)
    response = web.HTTPFound(home_of(principal))
    set_session_cookie(response, request, result["token"])
    raise response


async def set_language(request: web.Request) -> web.StreamResponse:
    lang = request.match_info["lang"]
    response = web.HTTPFound(local_target(request.query.get("next")))
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, samesite="Lax", max_age=365 * 86400, path="/")
    raise response


async def admin_index(request: web.Request) -> web.StreamResponse:
    _require(request, "admin")
    async with request.app[db_key].read() as session:
        conferences = await list_conferences(session)
    return aiohttp_jinja2.render_template(
        "admin/index.html", request, _context(request, "admin", conferences=conferences)
    )


async def chair_index(request: web.Request) -> web.StreamResponse:
    _require(request, "chair")
    async with request.app[db_key].read() as session:
        conferences = await list_conferences(session)
    return aiohttp_jinja2.render_template(
        "chair/index.html", request, _context(request, "chair", conferences=conferences)
    )


async def verify_page(request: web.Request) -> web.StreamResponse:
    """Anyone may open it: the page asks the API with the session this browser holds, the author's or staff's."""
    principal = request[principal_key]
    asked = request.query.get("c", "")
    # A staff session belongs to no one conference: the delegate console's link names it.
    conference_id = (
        int(asked) if asked.isdigit() and len(asked) < 10 else (principal.conference_id if principal else None)
    )
    context = _context(
        request, "verify", receipt=request.query.get("receipt", "")[:200], verify_conference=conference_id
    )
    return aiohttp_jinja2.render_template("verify.html", request, context)


async def _whoami(session: AsyncSession, principal: Principal) -> dict[str, str] | None:
    """A delegate's name and bridge point, for the page to say who and where it is."""
    if principal.participant_id is None:
        return None
    person = await session.get(Participant, principal.participant_id)
    point = await session.get(Point, person.point_id) if person is not None else None
    return {"name": person.full_name, "point": point.name} if person is not None and point is not None else None


def console(name: str) -> Any:
    """A handler for one console of one conference."""

    async def handler(request: web.Request) -> web.StreamResponse:
        conference_id = int(request.match_info["conference_id"])
        principal = _require(request, name, conference_id)
        async with request.app[db_key].read() as session:
            try:
                conference = await get_conference(session, conference_id)
            except DomainError:
                raise web.HTTPNotFound(text="No such conference") from None
            me = await _whoami(session, principal)
        context = _context(request, name, conference=conference, me=me)
        return aiohttp_jinja2.render_template(f"{name}/console.html", request, context)

    handler.__name__ = f"{name}_console"
    return handler
