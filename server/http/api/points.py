"""A conference's bridge points, and the link status each point's operator reports."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from server.http import parse
from server.http.api.common import allow, listing, reader, write
from server.points import operations as points


async def list_points(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return listing([points.point_dict(p) for p in await points.list_points(session, c)])


async def add_point(request: web.Request) -> web.Response:
    principal, c = allow(request)
    data = await parse.json_body(request)
    code = parse.name(data, "code")
    title = parse.name(data, "name")
    region = parse.name(data, "region", required=False)
    is_host = parse.boolean(data, "is_host")
    assert code is not None and title is not None

    async def op(session: Any) -> dict[str, Any]:
        return points.point_dict(await points.add_point(session, c, code, title, region, is_host))

    return await write(request, c, op, 201, principal, data)


async def set_point_status(request: web.Request) -> web.Response:
    point_id = parse.path_id(request, "point_id")
    _, c = allow(request, point_id=point_id)
    data = await parse.json_body(request)
    link = parse.choice(data, "link", points.LINK_STATES)
    note = parse.text(data, "note", 500, required=False)
    assert link is not None

    async def op(session: Any) -> dict[str, Any]:
        return points.point_dict(await points.set_link_status(session, c, point_id, link, note))

    return await write(request, c, op)
