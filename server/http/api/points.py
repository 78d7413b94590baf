"""A conference's bridge points, and the link status each point's operator reports."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from server.http import parse
from server.http.api.common import allow, listing, reader, write
from server.http.declaration import parsed
from server.points import operations as points


async def list_points(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return listing([points.point_dict(p) for p in await points.list_points(session, c)])


async def add_point(request: web.Request) -> web.Response:
    principal, c = allow(request)
    data, (code, title, region, is_host) = await parsed(request)

    async def op(session: Any) -> dict[str, Any]:
        return points.point_dict(await points.add_point(session, c, code, title, region, is_host))

    return await write(request, c, op, 201, principal, data)


async def set_point_status(request: web.Request) -> web.Response:
    point_id = parse.path_id(request, "point_id")
    _, c = allow(request, point_id=point_id)
    data, (link, note) = await parsed(request)

    async def op(session: Any) -> dict[str, Any]:
        return points.point_dict(await points.set_link_status(session, c, point_id, link, note))

    return await write(request, c, op)
