"""Health, login and logout, and who the caller is."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import operations as auth
from server.auth.cache import forget_all
from server.auth.throttle import throttle_key
from server.errors import Invalid, Unauthorized
from server.http import parse
from server.http.api.common import reader, write
from server.keys import principal_key, settings_key


async def healthz(request: web.Request) -> web.Response:
    async with reader(request) as session:
        await session.execute(text("SELECT 1"))
    return web.json_response({"status": "ok"})


async def login(request: web.Request) -> web.Response:
    data = await parse.json_body(request)
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise Invalid("username and password are required", {"username": "required", "password": "required"})
    throttle = request.app[throttle_key]
    throttle.check(username, request.remote or "")
    hours = request.app[settings_key].session_hours

    async def op(session: AsyncSession) -> dict[str, Any]:
        token, user = await auth.login(session, username, password, hours)
        return {"token": token, "role": user.role, "username": user.username}

    try:
        return await write(request, None, op)
    except Unauthorized:
        throttle.failed(username, request.remote or "")
        raise


async def logout(request: web.Request) -> web.Response:
    principal = request[principal_key]
    if principal is None or principal.session_id is None:
        raise Unauthorized("No session to end")
    session_id = principal.session_id

    async def op(session: AsyncSession) -> dict[str, Any]:
        await auth.end_session(session, session_id)
        return {"ok": True}

    response = await write(request, None, op)
    forget_all(request.app)
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


