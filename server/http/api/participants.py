"""The roster of a conference: listing and searching it, adding to it, and the reasons of the absent."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import iso
from server.http import parse
from server.http.api.common import allow, point_scope, reader, write
from server.http.body import Body, Field
from server.http.declaration import parsed
from server.participants import operations as participants
from server.participants.operations import PersonFields

MAX_PAGE = 1000
DEFAULT_PAGE = 500
ABSENCE_REASON_MAX = 500


# A person's fields in PersonFields' order, as a new roster member's body and a walk-in's declare them.
PERSON_FIELDS = (
    Field.name("full_name"),
    Field.name("position", required=False),
    Field.name("organization", required=False),
    Field.name("role_in_meeting", required=False),
    Field.name("email", required=False),
    Field.name("phone", required=False),
)

PERSON = Body(*PERSON_FIELDS)


def person_fields(data: dict[str, Any]) -> PersonFields:
    return PersonFields(*PERSON.read(data))


async def list_participants(request: web.Request) -> web.Response:
    principal, c = allow(request)
    point_id = point_scope(request, principal)
    limit = parse.query_int(request, "limit", DEFAULT_PAGE, MAX_PAGE)
    offset = parse.query_int(request, "offset", 0)
    assert limit is not None and offset is not None
    async with reader(request) as session:
        rows, total = await participants.list_participants(session, c, point_id, request.query.get("q"), limit, offset)
    page = [
        {**participants.participant_dict(r.person, r.checked_in_at), "checked_out_at": iso(r.checked_out_at)}
        for r in rows
    ]
    return web.json_response({"items": page, "total": total, "limit": limit, "offset": offset})


async def add_participant(request: web.Request) -> web.Response:
    principal, c = allow(request)
    data, (*person, point_id) = await parsed(request)
    fields = PersonFields(*person)

    async def op(session: AsyncSession) -> dict[str, Any]:
        person = await participants.add_participant(session, c, point_id, fields)
        return participants.participant_dict(person, None)

    return await write(request, c, op, 201, principal, data)


async def note_absence(request: web.Request) -> web.Response:
    principal, c = allow(request)
    participant_id = parse.path_id(request, "participant_id")
    data, (reason,) = await parsed(request)
    at_point = principal.point_id if principal.role == "operator" else None

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await participants.note_absence(session, c, participant_id, reason, at_point)

    return await write(request, c, op, 200, principal, data)
