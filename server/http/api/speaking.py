"""Requests for the floor: the chair's queue, asking and withdrawing, and the log of who spoke how long."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.agenda import operations as agenda
from server.http import parse
from server.http.api.common import allow, listing, reader, write
from server.http.api.intake import submitter, submitting
from server.http.declaration import body_of, parsed
from server.speaking import operations as speaking
from server.speaking.batch import AskToSpeak


async def list_requests(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        await agenda.list_items(session, c)
        return listing(await speaking.queue_views(session, c))


async def speaking_log(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return web.json_response(await speaking.speaking_log(session, c))


async def ask_to_speak(request: web.Request) -> web.Response:
    principal, c = submitting(request)
    data = await parse.json_body(request)
    participant_id = submitter(principal, data, "A delegate asks to speak for itself")
    topic, agenda_item_id, point_of_order = body_of(request).read(data)
    asked = AskToSpeak(participant_id, topic, agenda_item_id, point_of_order, at_point=principal.point_id)
    return await write(request, c, asked, 201, principal, data)


async def update_request(request: web.Request) -> web.Response:
    _, c = allow(request)
    request_id = parse.path_id(request, "request_id")
    _, (status, position, limit) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        updated = await speaking.update(session, c, request_id, status, position, limit)
        return await speaking.request_dict(session, updated)

    return await write(request, c, op)


async def withdraw_request(request: web.Request) -> web.Response:
    principal, c = allow(request)
    request_id = parse.path_id(request, "request_id")
    # A delegate withdraws its own request; an operator one made for someone at its point.
    participant_id = principal.participant_id if principal.role == "delegate" else None
    at_point = principal.point_id if principal.role == "operator" else None

    async def op(session: AsyncSession) -> dict[str, Any]:
        withdrawn = await speaking.withdraw(session, c, request_id, participant_id, at_point)
        return await speaking.request_dict(session, withdrawn)

    return await write(request, c, op)
