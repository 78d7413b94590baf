"""Conferences: their facts, their state changes, and their audit trail."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from schema.tables import Conference, iso
from server import audit
from server.conferences import operations as conferences
from server.display.operations import display_of
from server.http import parse
from server.http.api.common import allow, allow_any, listing, reader, write
from server.http.declaration import changes, parsed
from server.i18n import language_of
from server.summary import operations as summary


def conference_dict(conference: Conference) -> dict[str, Any]:
    return {
        "id": conference.id,
        "title": conference.title,
        "starts_at": conference.starts_at.isoformat(),
        "venue": conference.venue,
        "chair_name": conference.chair_name,
        "timezone": conference.timezone,
        "status": conference.status,
        "seq": conference.last_seq,
        "opened_at": iso(conference.opened_at),
        "collection_closed_at": iso(conference.collection_closed_at),
        "closed_at": iso(conference.closed_at),
        "summary_sha256": conference.summary_sha256,
        "speaking_quota_seconds": conference.speaking_quota_seconds,
        "premoderation": conference.premoderation,
        "record_header": conference.record_header,
        # What the big screen shows, as display.changed said it last; GET …/display adds the projected section.
        "display": asdict(display_of(conference)),
    }


async def list_conferences(request: web.Request) -> web.Response:
    allow_any(request)
    async with reader(request) as session:
        return listing([conference_dict(c) for c in await conferences.list_conferences(session)])


async def create_conference(request: web.Request) -> web.Response:
    principal, _ = allow_any(request)
    data, (title, starts_at, venue, chair) = await parsed(request)

    async def op(session: Any) -> dict[str, Any]:
        return conference_dict(await conferences.create_conference(session, title, starts_at, venue, chair))

    return await write(request, None, op, 201, principal, data)


async def get_conference(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return web.json_response(conference_dict(await conferences.get_conference(session, c)))


async def update_conference(request: web.Request) -> web.Response:
    _, c = allow(request)
    _, changed = await changes(request)

    async def op(session: Any) -> dict[str, Any]:
        return conference_dict(await conferences.update_conference(session, c, changed))

    return await write(request, c, op)


async def change_state(request: web.Request) -> web.Response:
    _, c = allow(request)
    action = request.match_info["action"]

    async def op(session: Any) -> dict[str, Any]:
        return conference_dict(await summary.change_state(session, c, action))

    return await write(request, c, op)


async def list_audit(request: web.Request) -> web.Response:
    """The audit trail of the URL's conference, or for an admin of everything; filtered by `actor`, `action` and a
    time range `since`..`until` (ISO times), and on the whole trail by `conference_id`."""
    _, c = allow_any(request)
    query = dict(request.query)
    actor = parse.text(query, "actor", 64, required=False)
    action = parse.text(query, "action", 32, required=False)
    since = parse.moment(query, "since", required=False)
    until = parse.moment(query, "until", required=False)
    scope = c if c is not None else parse.query_int(request, "conference_id")
    async with reader(request) as session:
        if c is not None:
            await conferences.get_conference(session, c)
        entries = await audit.list_entries(session, scope, actor, action, since, until)
        names = await audit.actor_names(session, entries)
        lang = language_of(request)
        return listing([audit.entry_dict(e, names, lang) for e in entries])
