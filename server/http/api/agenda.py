"""The agenda, its live control, and the speaking queue."""
from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.agenda import operations as agenda
from server.agenda import transfer
from server.agenda.operations import KINDS, ItemFields
from server.auth.submit_rate import submit_rate_key
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow, listing, reader, write
from server.http.api.roster import download, read_upload
from server.lookup import fits
from server.speaking import operations as speaking
from server.speaking.batch import AskToSpeak

MAX_MINUTES = 24 * 60
MAX_SPEECH_SECONDS = 2 * 60 * 60


def item_fields(data: dict[str, Any]) -> ItemFields:
    title = parse.name(data, "title")
    kind = parse.choice(data, "kind", KINDS)
    minutes = parse.integer(data, "planned_minutes", minimum=0)
    assert title is not None and kind is not None and minutes is not None
    if minutes > MAX_MINUTES:
        raise Invalid("planned_minutes is at most a day", {"planned_minutes": "too large"})
    return ItemFields(
        title=title,
        kind=kind,
        planned_minutes=minutes,
        presenter=parse.name(data, "presenter", required=False),
        point_id=parse.integer(data, "point_id", required=False),
        speech_limit_seconds=speech_limit(data),
    )


def speech_limit(data: dict[str, Any]) -> int | None:
    seconds = parse.integer(data, "speech_limit_seconds", required=False, minimum=10)
    if seconds is not None and seconds > MAX_SPEECH_SECONDS:
        raise Invalid("speech_limit_seconds is at most two hours", {"speech_limit_seconds": "too large"})
    return seconds


def expected_current(data: dict[str, Any]) -> int | None:
    """The live item the caller saw; required, and null when it saw none."""
    if "expected_current_id" not in data:
        raise Invalid(
            "expected_current_id is required (null when nothing is live)", {"expected_current_id": "required"}
        )
    return parse.integer(data, "expected_current_id", required=False)


async def list_agenda(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return web.json_response(await agenda.agenda_view(session, c))


async def add_item(request: web.Request) -> web.Response:
    principal, c = allow(request)
    data = await parse.json_body(request)
    fields = item_fields(data)
    position = parse.integer(data, "position", required=False, minimum=0)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return agenda.item_dict(await agenda.add_item(session, c, fields, position))

    return await write(request, c, op, 201, principal, data)


async def reorder(request: web.Request) -> web.Response:
    _, c = allow(request)
    data = await parse.json_body(request)
    order = data.get("order")
    if not isinstance(order, list) or not all(fits(i) for i in order):
        raise Invalid("order must be a list of agenda item ids", {"order": "not a list of integers"})

    async def op(session: AsyncSession) -> dict[str, Any]:
        items = await agenda.reorder(session, c, order)
        return {"items": [agenda.item_dict(i) for i in items], "total": len(items)}

    return await write(request, c, op)


async def update_item(request: web.Request) -> web.Response:
    _, c = allow(request)
    item_id = parse.path_id(request, "item_id")
    data = await parse.json_body(request)
    changes: dict[str, Any] = {}
    if "title" in data:
        changes["title"] = parse.name(data, "title")
    if "kind" in data:
        changes["kind"] = parse.choice(data, "kind", KINDS)
    if "planned_minutes" in data:
        changes["planned_minutes"] = parse.integer(data, "planned_minutes", minimum=0)
    if "presenter" in data:
        changes["presenter"] = parse.name(data, "presenter", required=False)
    if "point_id" in data:
        changes["point_id"] = parse.integer(data, "point_id", required=False)
    if "position" in data:
        changes["position"] = parse.integer(data, "position", minimum=0)
    if "speech_limit_seconds" in data:
        changes["speech_limit_seconds"] = speech_limit(data)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return agenda.item_dict(await agenda.update_item(session, c, item_id, changes))

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
    expected = expected_current(await parse.json_body(request))

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
    expected = expected_current(await parse.json_body(request))

    async def op(session: AsyncSession) -> dict[str, Any]:
        return {"current": agenda.item_dict(await agenda.back(session, c, expected))}

    return await write(request, c, op)


async def extend(request: web.Request) -> web.Response:
    _, c = allow(request)
    item_id = parse.path_id(request, "item_id")
    data = await parse.json_body(request)
    minutes = parse.integer(data, "minutes", minimum=1)
    assert minutes is not None
    if minutes > MAX_MINUTES:
        raise Invalid("minutes is at most a day", {"minutes": "too large"})

    async def op(session: AsyncSession) -> dict[str, Any]:
        return agenda.item_dict(await agenda.extend_item(session, c, item_id, minutes))

    return await write(request, c, op)


async def delete_item(request: web.Request) -> web.Response:
    _, c = allow(request)
    item_id = parse.path_id(request, "item_id")

    async def op(session: AsyncSession) -> dict[str, Any]:
        return agenda.item_dict(await agenda.delete_item(session, c, item_id))

    return await write(request, c, op)


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
    principal, c = allow(request)
    request.app[submit_rate_key].check(principal)
    data = await parse.json_body(request)
    if principal.role == "delegate":
        if data.get("participant_id") not in (None, principal.participant_id):
            raise Invalid("A delegate asks to speak for itself", {"participant_id": "not yours"})
        participant_id = principal.participant_id
    else:
        participant_id = parse.integer(data, "participant_id")
    topic = parse.text(data, "topic", 500, required=False)
    agenda_item_id = parse.integer(data, "agenda_item_id", required=False)
    point_of_order = parse.boolean(data, "point_of_order")
    assert participant_id is not None
    asked = AskToSpeak(participant_id, topic, agenda_item_id, point_of_order, at_point=principal.point_id)
    return await write(request, c, asked, 201, principal, data)


async def update_request(request: web.Request) -> web.Response:
    _, c = allow(request)
    request_id = parse.path_id(request, "request_id")
    data = await parse.json_body(request)
    status = parse.choice(data, "status", speaking.STATUSES, required=False)
    position = parse.integer(data, "position", required=False)
    limit = parse.integer(data, "time_limit_seconds", required=False, minimum=10)
    if limit is not None and limit > MAX_SPEECH_SECONDS:
        raise Invalid("time_limit_seconds is at most two hours", {"time_limit_seconds": "too large"})

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
