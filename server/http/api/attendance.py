"""The roster, check-in and check-out, and the attendance sheet."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import iso
from server.attendance import operations as attendance
from server.attendance.batch import CheckIn, CheckOut
from server.badges import operations as badges
from server.errors import Invalid
from server.http import parse
from server.http.api.common import allow, point_scope, reader, write
from server.keys import settings_key
from server.participants import operations as participants
from server.participants.operations import PersonFields

MAX_PAGE = 1000
ABSENCE_REASON_MAX = 500
STRIKE_REASON_MAX = 500
DEFAULT_PAGE = 500


def person_fields(data: dict[str, Any]) -> PersonFields:
    full_name = parse.name(data, "full_name")
    assert full_name is not None
    return PersonFields(
        full_name=full_name,
        position=parse.name(data, "position", required=False),
        organization=parse.name(data, "organization", required=False),
        role_in_meeting=parse.name(data, "role_in_meeting", required=False),
        email=parse.name(data, "email", required=False),
        phone=parse.name(data, "phone", required=False),
    )


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
    data = await parse.json_body(request)
    fields = person_fields(data)
    point_id = parse.integer(data, "point_id")
    assert point_id is not None

    async def op(session: AsyncSession) -> dict[str, Any]:
        person = await participants.add_participant(session, c, point_id, fields)
        return participants.participant_dict(person, None)

    return await write(request, c, op, 201, principal, data)


async def check_in(request: web.Request) -> web.Response:
    principal, c = allow(request)
    data = await parse.json_body(request)
    participant_id = parse.integer(data, "participant_id", required=False)
    code = parse.name(data, "code", required=False)
    substitute_for = parse.integer(data, "substitute_for", required=False)
    # Exactly one way to name the person: by id, by the code on their badge, or by name (a walk-in).
    ways = {"participant_id": participant_id is not None, "code": code is not None, "full_name": "full_name" in data}
    given = [way for way, used in ways.items() if used]
    if not given:
        raise Invalid("Give participant_id, a badge code, or full_name for a walk-in", {"participant_id": "required"})
    if len(given) > 1:
        raise Invalid(f"Give only one of {' and '.join(given)}", {given[1]: f"not with {given[0]}"})
    walk_in = person_fields(data) if given == ["full_name"] else None
    if substitute_for is not None and walk_in is None:
        raise Invalid("A substitute is checked in by name", {"full_name": "required with substitute_for"})
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


async def note_absence(request: web.Request) -> web.Response:
    principal, c = allow(request)
    participant_id = parse.path_id(request, "participant_id")
    data = await parse.json_body(request)
    if "absence_reason" not in data:
        raise Invalid("Give absence_reason (null clears it)", {"absence_reason": "required"})
    reason = parse.text(data, "absence_reason", ABSENCE_REASON_MAX, required=False)
    at_point = principal.point_id if principal.role == "operator" else None

    async def op(session: AsyncSession) -> dict[str, Any]:
        return await participants.note_absence(session, c, participant_id, reason, at_point)

    return await write(request, c, op, 200, principal, data)


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
    data = await parse.json_body(request)
    reason = parse.text(data, "reason", STRIKE_REASON_MAX)
    assert reason is not None

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


