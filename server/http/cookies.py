"""The browser session cookie: its flags, and its renewal while the session is in use."""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from aiohttp import hdrs, web
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import utcnow
from server.auth import operations as auth
from server.auth.cache import remember
from server.auth.principal import Principal
from server.client import SESSION_COOKIE, is_secure
from server.keys import settings_key
from server.writes import perform

renewed_key: web.RequestKey[tuple[str, datetime]] = web.RequestKey("renewed_session")


def set_session_cookie(
    response: web.StreamResponse, request: web.Request, token: str, expires_at: datetime | None = None
) -> None:
    """HttpOnly: no script reads it. SameSite=Strict: no other site's page sends it, a second wall besides
    the CSRF token. Secure when the browser came over https (through a trusted proxy's X-Forwarded-Proto too), or
    when told so (DIEMCAU_SECURE_COOKIES, or an https DIEMCAU_PUBLIC_URL)."""
    settings = request.app[settings_key]
    lifetime = (expires_at - utcnow()).total_seconds() if expires_at is not None else settings.session_hours * 3600
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=is_secure(request) or settings.secure_cookies,
        max_age=max(math.floor(lifetime), 0),
        path="/",
    )


async def renew_if_due(request: web.Request, token: str, principal: Principal) -> Principal | None:
    """Slide a cookie session in use forward once less than half its life is left; writes at most once per half-life."""
    hours = request.app[settings_key].session_hours
    session_id, expires_at = principal.session_id, principal.expires_at
    if session_id is None or expires_at is None or expires_at - utcnow() >= timedelta(hours=hours) / 2:
        return principal

    async def renew(session: AsyncSession) -> dict[str, Any]:
        return {"expires_at": await auth.renew_session(session, session_id, hours)}

    _, result = await perform(request.app, None, renew)
    until: datetime | None = result["expires_at"]
    if until is None:
        return None
    renewed = replace(principal, expires_at=until)
    remember(request.app, token, renewed)
    request[renewed_key] = (token, until)
    return renewed


async def send_renewed_cookie(request: web.Request, response: web.StreamResponse) -> None:
    """Send the cookie again with its new Max-Age, on any response, unless the handler set or removed it itself.

    A signal, not the middleware, so that redirects and errors raised past the middleware carry it too. aiohttp
    has turned the response's cookies into headers by the time this runs, so the cookie goes in as a header."""
    renewed = request.get(renewed_key)
    if renewed is not None and SESSION_COOKIE not in response.cookies:
        scratch = web.StreamResponse()
        set_session_cookie(scratch, request, *renewed)
        response.headers.add(hdrs.SET_COOKIE, scratch.cookies[SESSION_COOKIE].OutputString())
