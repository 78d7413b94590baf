"""Check-in and check-out at a point, their corrections, and the attendance sheet."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from server.attendance import operations as attendance
from server.attendance.batch import CheckIn, CheckOut
from server.badges import operations as badges
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow, point_scope, reader, write
from server.http.api.participants import PERSON_FIELDS, person_fields
from server.http.body import Body, Field
from server.http.declaration import parsed
from server.http.openapi_schemas import ID
from server.keys import settings_key
from server.participants import operations as participants

STRIKE_REASON_MAX = 500


def _one_way(data: dict[str, Any], values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Exactly one way to name the person: by id, by the code on their badge, or by name (a walk-in, who may be a
    substitute)."""
    participant_id, code, substitute_for = values
    ways = {"participant_id": participant_id is not None, "code": code is not None, "full_name": "full_name" in data}
    given = [way for way, used in ways.items() if used]
    if not given:
        raise Invalid("Give participant_id, a badge code, or full_name for a walk-in", {"participant_id": "required"})
    if len(given) > 1:
        raise Invalid(f"Give only one of {' and '.join(given)}", {given[1]: f"not with {given[0]}"})
    walk_in = person_fields(data) if given == ["full_name"] else None
    if substitute_for is not None and walk_in is None:
        raise Invalid("A substitute is checked in by name", {"full_name": "required with substitute_for"})
    return participant_id, code, substitute_for, walk_in


CHECK_IN = Body(
    Field.integer("participant_id", required=False, schema=ID),
    Field.name("code", required=False),
    Field.integer("substitute_for", required=False, schema=ID),
    *(field.deferred() for field in PERSON_FIELDS),
    rule=_one_way,
)


async def check_in(request: web.Request) -> web.Response:
    principal, c = allow(request)
    data, (participant_id, code, substitute_for, walk_in) = await parsed(request)
    point_id = principal.point_id
    assert point_id is not None
    if walk_in is None:
        by_code = code is not None
        person_id = (
            participant_id
            if code is None
            else badges.participant_of_code(request.app[settings_key].secret_key, c, code)
        )
        assert person_id is not None
        return await write(request, c, CheckIn(point_id, person_id, principal.actor, by_code), 201, principal, data)

    async def op(session: AsyncSession) -> dict[str, Any]:
        stay, person = await attendance.check_in(session, c, point_id, principal.actor, None, walk_in, substitute_for)
        return {**attendance.checked_in(person, stay).data, "participant_id": person.id}

    return await write(request, c, op, 201, principal, data)


async def check_out(request: web.Request) -> web.Response:
    principal, c = allow(request)
    participant_id = parse.path_id(request, "participant_id")
    assert principal.point_id is not None
    return await write(request, c, CheckOut(principal.point_id, participant_id, principal.actor))


async def undo_check_in(request: web.Request) -> web.Response:
    """The operator takes back a check-in made at its point in the last five minutes."""
    principal, c = allow(request)
    participant_id = parse.path_id(request, "participant_id")
    point_id = principal.point_id
    assert point_id is not None

    async def op(session: AsyncSession) -> dict[str, Any]:
        person = await attendance.undo_check_in(session, c, point_id, participant_id, principal.actor)
        return participants.participant_dict(person, None)

    return await write(request, c, op)


async def list_stays(request: web.Request) -> web.Response:
    principal, c = allow(request)
    point_id = point_scope(request, principal)
    if point_id is None:
        raise Invalid("Give the point_id whose stays to list", {"point_id": "required"})
    async with reader(request) as session:
        items = await attendance.stays(session, c, point_id)
    return web.json_response({"items": items, "total": len(items)})


async def strike_stay(request: web.Request) -> web.Response:
    principal, c = allow(request)
    checkin_id = parse.path_id(request, "checkin_id")
    data, (reason,) = await parsed(request)

    async def op(session: AsyncSession) -> dict[str, Any]:
        return attendance.stay_dict(await attendance.strike_stay(session, c, checkin_id, principal.actor, reason))

    return await write(request, c, op, 200, principal, data)


async def movements(request: web.Request) -> web.Response:
    principal, c = allow(request)
    participant_id = parse.path_id(request, "participant_id")
    at_point = principal.point_id if principal.role == "operator" else None
    async with reader(request) as session:
        items = await attendance.movements(session, c, participant_id, at_point)
    return web.json_response({"items": items, "total": len(items)})


async def attendance_sheet(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return web.json_response(await attendance.attendance(session, c))


