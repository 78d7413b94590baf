"""Health, login and logout, and who the caller is."""
from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web
from sqlalchemy import text

from server import metrics as counters
from server.auth.principal import principal_key
from server.auth.signin import sign_in, sign_out
from server.client import SESSION_COOKIE, client_address
from server.errors import Invalid, NotFound, Unauthorized, Unavailable
from server.http.api.common import reader
from server.http.body import Body, Field
from server.http.declaration import parsed
from server.http.openapi_schemas import STRING
from server.keys import settings_key, writers_key


async def healthz(request: web.Request) -> web.Response:
    # A load balancer stops sending traffic here as soon as shutdown begins.
    if request.app[writers_key].closing:
        raise Unavailable("The server is shutting down", code="shutting_down")
    async with reader(request) as session:
        await session.execute(text("SELECT 1"))
    return web.json_response({"status": "ok"})


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition, for the scraper holding DIEMCAU_METRICS_TOKEN."""
    token = request.app[settings_key].metrics_token
    # Without a token this listener has no /metrics at all (a 404, not a 403 that a credential could lift): the
    # counts say how many consoles are live and how busy the server is, which is not the public's to watch.
    if token is None:
        raise NotFound(
            "/metrics is off here: set DIEMCAU_METRICS_TOKEN, or DIEMCAU_METRICS_LISTEN for an address of its own",
            code="metrics_off",
        )
    header = request.headers.get("Authorization", "")
    given = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise Unauthorized(
            "/metrics needs Authorization: Bearer and the token set in DIEMCAU_METRICS_TOKEN", code="metrics_token"
        )
    return await exposition(request)


async def exposition(request: web.Request) -> web.Response:
    """The counters as Prometheus text, with no check: the handler of DIEMCAU_METRICS_LISTEN's address of its own."""
    return web.Response(body=counters.METRICS.render().encode(), headers={"Content-Type": counters.CONTENT_TYPE})


def _credentials(data: dict[str, Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Both or neither: which one is missing is not said, as a wrong one is not."""
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise Invalid("username and password are required", {"username": "required", "password": "required"})
    return username, password


CREDENTIALS = Body(
    Field.by_hand("username", STRING, required=True),
    Field.by_hand("password", STRING, required=True),
    rule=_credentials,
)


async def login(request: web.Request) -> web.Response:
    _, (username, password) = await parsed(request)
    return web.json_response(await sign_in(request.app, username, password, client_address(request) or ""))


async def logout(request: web.Request) -> web.Response:
    principal = request[principal_key]
    if principal is None or principal.session_id is None:
        raise Unauthorized("No session to end")
    await sign_out(request.app, principal, client_address(request))
    response = web.json_response({"ok": True})
    if principal.via_cookie:
        response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    principal = request[principal_key]
    if principal is None:
        raise Unauthorized("Sign in or send a valid token")
    return web.json_response(
        {
            "role": principal.role,
            "conference_id": principal.conference_id,
            "point_id": principal.point_id,
            "participant_id": principal.participant_id,
        }
    )


