"""Staff accounts as the admin sees them, and the lifting of login lockouts."""
from __future__ import annotations

import ipaddress
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import User, utcnow
from server.auth import operations as auth
from server.auth.throttle import throttle_key
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow_any, listing, reader, write
from server.http.body import Body, Field
from server.http.declaration import parsed


def user_dict(user: User, now: datetime) -> dict[str, Any]:
    locked = user.locked_until is not None and user.locked_until > now
    return {
        "id": user.id,
        "username": user.username,
        "role": user.role,
        "full_name": user.full_name,
        "failed_logins": user.failed_logins,
        # A lock that ran out is no lock; the admin sees only the ones in force.
        "locked_until": user.locked_until.isoformat() if locked and user.locked_until else None,
    }


async def list_users(request: web.Request) -> web.Response:
    allow_any(request)
    async with reader(request) as session:
        users = await auth.list_users(session)
    now = utcnow()
    return listing([user_dict(u, now) for u in users])


async def unlock_user(request: web.Request) -> web.Response:
    allow_any(request)
    user_id = parse.path_id(request, "user_id")
    throttle = request.app[throttle_key]

    async def op(session: AsyncSession) -> dict[str, Any]:
        user = await auth.unlock_user(session, user_id)
        # This process's count for the name goes too; lifting early is harmless if the commit then fails.
        throttle.lift_name(user.username)
        return user_dict(user, utcnow())

    return await write(request, None, op)


def _address(data: dict[str, Any]) -> str:
    """An IPv4 or IPv6 address, as the throttle spells it."""
    raw = data.get("address")
    try:
        address = str(ipaddress.ip_address(raw.strip())) if isinstance(raw, str) else None
    except ValueError:
        address = None
    if address is None:
        raise Invalid("address must be an IPv4 or IPv6 address", {"address": "not an IP address"})
    return address


ADDRESS = Body(
    Field.custom(
        "address",
        {"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]},
        _address,
        required=True,
    )
)


async def lift_address(request: web.Request) -> web.Response:
    allow_any(request)
    _, (address,) = await parsed(request)
    throttle = request.app[throttle_key]

    # Nothing in the database changes, but through the write path the lift is in the audit trail like any staff act.
    async def op(session: AsyncSession) -> dict[str, Any]:
        return {"address": address, "lifted": throttle.lift_address(address)}

    return await write(request, None, op)
