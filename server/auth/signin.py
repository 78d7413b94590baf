"""A staff login from start to end, shared by the API and the login form: throttle, check, count, open a session."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import record
from server.auth import operations as auth
from server.auth.cache import forget_session
from server.auth.principal import Principal
from server.auth.throttle import throttle_key
from server.errors import Unauthorized
from server.keys import db_key, ender_key, settings_key
from server.settings import Settings
from server.writes import perform


def lockout_of(settings: Settings) -> auth.Lockout:
    return auth.Lockout(
        attempts=settings.login_attempts,
        window=timedelta(seconds=settings.login_window_seconds),
        duration=timedelta(minutes=settings.lockout_minutes),
    )


async def sign_in(app: web.Application, username: str, password: str, address: str) -> dict[str, Any]:
    """A new session's token, role and username; 401 for a wrong password, 429 when locked or throttled.

    A successful sign-in is an entry in the audit trail; failures are counted for the lockout instead.

    The password is checked on a read session, outside the write queue, so the slow hash holds up no
    other write; only the outcome (a failure counted, or a session opened) is written."""
    settings = app[settings_key]
    throttle = app[throttle_key]
    throttle.check(username, address)
    try:
        async with app[db_key].read() as session:
            user_id = (await auth.check_credentials(session, username, password)).id
    except Unauthorized:
        lockout = lockout_of(settings)

        async def count(session: AsyncSession) -> dict[str, Any]:
            return {"known": await auth.count_failed_login(session, username, lockout)}

        _, counted = await perform(app, None, count)
        throttle.failed(address, None if counted["known"] else username)
        raise

    async def start(session: AsyncSession) -> dict[str, Any]:
        token, user = await auth.start_login(session, user_id, settings.session_hours)
        record(session, None, f"user:{user.id}", "session.login", {"username": user.username}, address)
        return {"token": token, "role": user.role, "username": user.username}

    _, result = await perform(app, None, start)
    return result


async def sign_out(app: web.Application, principal: Principal, address: str | None) -> None:
    """End the session on the server at once, and the sockets it opened; a staff member's sign-out is an entry in
    the audit trail."""
    session_id = principal.session_id
    assert session_id is not None

    async def end(session: AsyncSession) -> dict[str, Any]:
        await auth.end_session(session, session_id)
        if principal.is_staff:
            record(session, None, principal.actor, "session.logout", {}, address)
        return {}

    await perform(app, None, end)
    # Forgotten first: a socket told it was logged out and reconnecting at once must be refused.
    forget_session(app, session_id)
    await app[ender_key].log_out(session_id)
