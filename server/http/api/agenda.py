"""The agenda and its live control."""
from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.agenda import operations as agenda
from server.agenda import transfer
from server.agenda.operations import ItemFields
from server.http import parse
from server.http.api.common import allow, reader, write
from server.http.api.roster import download, read_upload
from server.http.declaration import changes, parsed

MAX_MINUTES = 24 * 60
# The longest speech an item or a request may allow.
MAX_SPEECH_SECONDS = 2 * 60 * 60


async def list_agenda(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return web.json_response(await agenda.agenda_view(session, c))


async def add_item(request: web.Request) -> web.Response:
    principal, c = allow(request)
    data, (title, kind, minutes, presenter, point_id, speech_limit, position) = await parsed(request)
    fields = ItemFields(
        title=title,
        kind=kind,
        planned_minutes=minutes,
        presenter=presenter,
        point_id=point_id,
        speech_limit_seconds=speech_limit,
    )

    async def op(session: AsyncSession) -> dict[str, Any]:
        return agenda.item_dict(await agenda.add_item(session, c, fields, position))

    return await write(request, c, op, 201, principal, data)


async def reorder(request: web.Request) -> web.Response:
    _, c = allow(request)
    _, (order,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        items = await agenda.reorder(session, c, order)
        return {"items": [agenda.item_dict(i) for i in items], "total": len(items)}

    return await write(request, c, op)


async def update_item(request: web.Request) -> web.Response:
    _, c = allow(request)
    item_id = parse.path_id(request, "item_id")
    _, changed = await changes(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return agenda.item_dict(await agenda.update_item(session, c, item_id, changed))

    return await write(request, c, op)


ITEM_ACTIONS = {"start": agenda.start_item, "finish": agenda.finish_item, "skip": agenda.skip_item}


async def control_item(request: web.Request) -> web.Response:
    _, c = allow(request)
    item_id = parse.path_id(request, "item_id")
    action = ITEM_ACTIONS[request.match_info["action"]]

    async def op(session: AsyncSession) -> dict[str, Any]:
        return agenda.item_dict(await action(session, c, item_id))

    return await write(request, c, op)


async def next_item(request: web.Request) -> web.Response:
    _, c = allow(request)
    _, (expected,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        started = await agenda.next_item(session, c, expected)
        return {"current": agenda.item_dict(started) if started else None}

    return await write(request, c, op)


async def export_agenda(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        sheet = await transfer.agenda_sheet(session, c)
    return await download(sheet, request.match_info["fmt"])


async def import_agenda(request: web.Request) -> web.Response:
    principal, c = allow(request)
    raw = await read_upload(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await transfer.import_agenda(session, c, raw)

    return await write(request, c, op, 201, principal, {"sha256": hashlib.sha256(raw).hexdigest()})


async def back(request: web.Request) -> web.Response:
    _, c = allow(request)
    _, (expected,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return {"current": agenda.item_dict(await agenda.back(session, c, expected))}

    return await write(request, c, op)


async def extend(request: web.Request) -> web.Response:
    _, c = allow(request)
    item_id = parse.path_id(request, "item_id")
    _, (minutes,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return agenda.item_dict(await agenda.extend_item(session, c, item_id, minutes))

    return await write(request, c, op)


async def delete_item(request: web.Request) -> web.Response:
    _, c = allow(request)
    item_id = parse.path_id(request, "item_id")

    async def op(session: AsyncSession) -> dict[str, Any]:
        return agenda.item_dict(await agenda.delete_item(session, c, item_id))

    return await write(request, c, op)
