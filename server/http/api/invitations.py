"""Invitation links for operators, delegates and displays: made, listed, revoked and reissued."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from schema.tables import Invitation, iso, utcnow
from server.auth import invitations
from server.auth.signing_key import key_changed_at, link_derivable
from server.auth.tokens import invitation_token
from server.http import parse
from server.http.api.common import allow, listing, reader, write
from server.http.declaration import parsed
from server.keys import settings_key
from server.settings import Settings


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
        "state": invitations.invitation_state(invitation, utcnow()),
        "url_works": works,
        "key_changed_at": None if works else iso(key_changed),
    }


async def list_invitations(request: web.Request) -> web.Response:
    _, c = allow(request)
    settings = request.app[settings_key]
    async with reader(request) as session:
        rows = await invitations.list_invitations(session, c)
        changed = await key_changed_at(session)
        return listing(
            [invitation_dict(settings, i, invitation_token(settings.secret_key, i.nonce), changed) for i in rows]
        )


async def create_invitation(request: web.Request) -> web.Response:
    principal, c = allow(request)
    settings = request.app[settings_key]
    data, (role, point_id, participant_id, expires_at) = await parsed(request)

    async def op(session: Any) -> dict[str, Any]:
        invitation, token = await invitations.create_invitation(
            session, settings.secret_key, c, role, point_id, participant_id, expires_at=expires_at
        )
        return invitation_dict(settings, invitation, token)

    return await write(request, c, op, 201, principal, data)


async def revoke_invitation(request: web.Request) -> web.Response:
    _, c = allow(request)
    invitation_id = parse.path_id(request, "invitation_id")
    settings = request.app[settings_key]

    async def op(session: Any) -> dict[str, Any]:
        invitation = await invitations.revoke_invitation(session, c, invitation_id)
        return invitation_dict(settings, invitation, invitation_token(settings.secret_key, invitation.nonce))

    # The writer drops remembered principals before answering and then closes the invitation's sockets.
    return await write(request, c, op)


async def reissue_invitation(request: web.Request) -> web.Response:
    principal, c = allow(request)
    invitation_id = parse.path_id(request, "invitation_id")
    settings = request.app[settings_key]
    data, (expires_at,) = await parsed(request)

    async def op(session: Any) -> dict[str, Any]:
        old, new, token = await invitations.reissue_invitation(
            session, settings.secret_key, c, invitation_id, expires_at
        )
        return {**invitation_dict(settings, new, token), "reissued_from": old.id}

    return await write(request, c, op, 201, principal, data)
