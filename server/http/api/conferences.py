"""Conferences, their state changes, bridge points and invitations."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from aiohttp import web

from schema.tables import Conference, Invitation, iso, utcnow
from server import audit
from server.auth import operations as auth
from server.auth.signing_key import key_changed_at, link_derivable
from server.auth.tokens import invitation_token
from server.conferences import operations as conferences
from server.display.operations import display_of
from server.http import parse
from server.http.api.common import allow, allow_any, listing, reader, write
from server.i18n import language_of
from server.keys import settings_key
from server.points import operations as points
from server.settings import Settings
from server.summary import operations as summary
from server.summary.document import clean_header


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


def invitation_dict(
    settings: Settings, invitation: Invitation, token: str, key_changed: datetime | None = None
) -> dict[str, Any]:
    # Under a signing key other than the one it was made with, `token` and `url` are not the invitation's own link.
    works = link_derivable(settings.secret_key, invitation)
    return {
        "id": invitation.id,
        "conference_id": invitation.conference_id,
        "role": invitation.role,
        "point_id": invitation.point_id,
        "participant_id": invitation.participant_id,
        "token": token,
        "url": f"{settings.base_url}/join/{token}",
        "revoked": invitation.revoked_at is not None,
        "created_at": invitation.created_at.isoformat(),
        "revoked_at": iso(invitation.revoked_at),
        "expires_at": iso(invitation.expires_at),
        "state": auth.invitation_state(invitation, utcnow()),
        "url_works": works,
        "key_changed_at": None if works else iso(key_changed),
    }


async def list_conferences(request: web.Request) -> web.Response:
    allow_any(request)
    async with reader(request) as session:
        return listing([conference_dict(c) for c in await conferences.list_conferences(session)])


async def create_conference(request: web.Request) -> web.Response:
    principal, _ = allow_any(request)
    data = await parse.json_body(request)
    title = parse.name(data, "title")
    starts_at = parse.moment(data, "starts_at")
    venue = parse.name(data, "venue", required=False)
    chair = parse.name(data, "chair_name", required=False)
    assert title is not None and starts_at is not None

    async def op(session: Any) -> dict[str, Any]:
        return conference_dict(await conferences.create_conference(session, title, starts_at, venue, chair))

    return await write(request, None, op, 201, principal, data)


async def get_conference(request: web.Request) -> web.Response:
    _, c = allow(request)
    async with reader(request) as session:
        return web.json_response(conference_dict(await conferences.get_conference(session, c)))


async def update_conference(request: web.Request) -> web.Response:
    _, c = allow(request)
    data = await parse.json_body(request)
    changes: dict[str, object] = {}
    if "title" in data:
        changes["title"] = parse.name(data, "title")
    if "venue" in data:
        changes["venue"] = parse.name(data, "venue", required=False)
    if "chair_name" in data:
        changes["chair_name"] = parse.name(data, "chair_name", required=False)
    if "starts_at" in data:
        changes["starts_at"] = parse.moment(data, "starts_at")
    if "speaking_quota_seconds" in data:
        changes["speaking_quota_seconds"] = parse.integer(data, "speaking_quota_seconds", required=False, minimum=0)
    if "premoderation" in data:
        changes["premoderation"] = parse.boolean(data, "premoderation")
    if "record_header" in data:
        changes["record_header"] = clean_header(data["record_header"])

    async def op(session: Any) -> dict[str, Any]:
        return conference_dict(await conferences.update_conference(session, c, changes))

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


async def list_invitations(request: web.Request) -> web.Response:
    _, c = allow(request)
    settings = request.app[settings_key]
    async with reader(request) as session:
        rows = await auth.list_invitations(session, c)
        changed = await key_changed_at(session)
        return listing(
            [invitation_dict(settings, i, invitation_token(settings.secret_key, i.nonce), changed) for i in rows]
        )


async def create_invitation(request: web.Request) -> web.Response:
    principal, c = allow(request)
    settings = request.app[settings_key]
    data = await parse.json_body(request)
    role = parse.choice(data, "role", ("operator", "delegate", "display"))
    point_id = parse.integer(data, "point_id", required=False)
    participant_id = parse.integer(data, "participant_id", required=False)
    expires_at = parse.moment(data, "expires_at", required=False)
    assert role is not None

    async def op(session: Any) -> dict[str, Any]:
        invitation, token = await auth.create_invitation(
            session, settings.secret_key, c, role, point_id, participant_id, expires_at=expires_at
        )
        return invitation_dict(settings, invitation, token)

    return await write(request, c, op, 201, principal, data)


async def revoke_invitation(request: web.Request) -> web.Response:
    _, c = allow(request)
    invitation_id = parse.path_id(request, "invitation_id")
    settings = request.app[settings_key]

    async def op(session: Any) -> dict[str, Any]:
        invitation = await auth.revoke_invitation(session, c, invitation_id)
        return invitation_dict(settings, invitation, invitation_token(settings.secret_key, invitation.nonce))

    # The writer drops remembered principals before answering and then closes the invitation's sockets.
    return await write(request, c, op)


async def reissue_invitation(request: web.Request) -> web.Response:
    principal, c = allow(request)
    invitation_id = parse.path_id(request, "invitation_id")
    settings = request.app[settings_key]
    data = await parse.json_body(request)
    expires_at = parse.moment(data, "expires_at", required=False)

    async def op(session: Any) -> dict[str, Any]:
        old, new, token = await auth.reissue_invitation(session, settings.secret_key, c, invitation_id, expires_at)
        return {**invitation_dict(settings, new, token), "reissued_from": old.id}

    return await write(request, c, op, 201, principal, data)
