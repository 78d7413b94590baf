"""Staff accounts, logins, invitations and the lookup of a token to its principal."""
from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import (
    AuthSession,
    Conference,
    Invitation,
    Participant,
    Point,
    User,
    utcnow,
)
from server import events
from server.auth.principal import STAFF_ROLES, Principal
from server.auth.tokens import (
    invitation_token,
    new_nonce,
    new_session_token,
    token_hash,
)
from server.errors import Conflict, Invalid, Unauthorized
from server.lookup import in_conference

_hasher = PasswordHasher()
INVITED_ROLES = frozenset({"operator", "delegate", "display"})
MIN_PASSWORD = 10


async def create_user(session: AsyncSession, username: str, password: str, role: str, full_name: str | None = None) -> User:
    if role not in STAFF_ROLES:
        raise Invalid("Staff role must be admin or chair", {"role": "must be admin or chair"})
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"Password must have at least {MIN_PASSWORD} characters", {"password": "too short"})
    if await session.scalar(select(User.id).where(User.username == username)):
        raise Conflict("This username is taken", {"username": username}, code="username_taken")
    digest = await asyncio.to_thread(_hasher.hash, password)
    user = User(username=username, password_hash=digest, role=role, full_name=full_name)
    session.add(user)
    await session.flush()
    return user


async def open_session(
    session: AsyncSession, hours: int, user_id: int | None = None, invitation_id: int | None = None, token: str | None = None
) -> tuple[str, AuthSession]:
    """Start a server-side session; its token goes to the client once, only its hash is kept."""
    token = token or new_session_token()
    row = AuthSession(
        token_hash=token_hash(token),
        user_id=user_id,
        invitation_id=invitation_id,
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(row)
    await session.flush()
    return token, row


async def login(session: AsyncSession, username: str, password: str, hours: int) -> tuple[str, User]:
    user = await session.scalar(select(User).where(User.username == username))
    try:
        if user is None:
            raise VerificationError()
        # Hashing is deliberately slow; keep it off the event loop.
        await asyncio.to_thread(_hasher.verify, user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("Wrong username or password", code="bad_credentials") from None
    token, _ = await open_session(session, hours, user_id=user.id)
    return token, user


async def end_session(session: AsyncSession, session_id: int) -> None:
    row = await session.get(AuthSession, session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


async def create_invitation(
    session: AsyncSession,
    secret: bytes,
    conference_id: int,
    role: str,
    point_id: int | None = None,
    participant_id: int | None = None,
    nonce: str | None = None,
) -> tuple[Invitation, str]:
    if role not in INVITED_ROLES:
        raise Invalid("Invitation role must be operator, delegate or display", {"role": "unknown role"})
    if role == "operator":
        point = await session.get(Point, point_id) if isinstance(point_id, int) else None
        if point is None or point.conference_id != conference_id:
            raise Invalid("An operator invitation needs a bridge point of this conference", {"point_id": "unknown point"})
    if role == "delegate":
        person = await session.get(Participant, participant_id) if isinstance(participant_id, int) else None
        if person is None or person.conference_id != conference_id:
            raise Invalid("A delegate invitation needs a participant of this conference", {"participant_id": "unknown participant"})
        point_id = person.point_id
    nonce = nonce or new_nonce()
    token = invitation_token(secret, nonce)
    invitation = Invitation(
        conference_id=conference_id,
        role=role,
        point_id=point_id if role != "display" else None,
        participant_id=participant_id if role == "delegate" else None,
        nonce=nonce,
        token_hash=token_hash(token),
    )
    session.add(invitation)
    await session.flush()
    await events.append(session, conference_id, "invitation.created", _invitation_event(invitation), events.STAFF)
    return invitation, token


async def list_invitations(session: AsyncSession, conference_id: int) -> list[Invitation]:
    rows = await session.scalars(select(Invitation).where(Invitation.conference_id == conference_id).order_by(Invitation.id))
    return list(rows.all())


def _invitation_event(invitation: Invitation) -> dict[str, object]:
    return {
        "id": invitation.id,
        "role": invitation.role,
        "point_id": invitation.point_id,
        "participant_id": invitation.participant_id,
        "revoked": invitation.revoked_at is not None,
    }


async def revoke_invitation(session: AsyncSession, conference_id: int, invitation_id: int) -> Invitation:
    invitation = await in_conference(session, Invitation, conference_id, invitation_id, "invitation", "invitation_id")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        await events.append(session, conference_id, "invitation.revoked", _invitation_event(invitation), events.STAFF)
    return invitation


def _invitation_principal(invitation: Invitation, **extra: object) -> Principal:
    return Principal(
        role=invitation.role,
        invitation_id=invitation.id,
        conference_id=invitation.conference_id,
        point_id=invitation.point_id,
        participant_id=invitation.participant_id,
        **extra,  # type: ignore[arg-type]
    )


async def resolve(session: AsyncSession, token: str, via_cookie: bool = False) -> Principal | None:
    """The principal a bearer token or session cookie stands for, or None when it is unknown, expired or revoked."""
    digest = token_hash(token)
    row = await session.scalar(select(AuthSession).where(AuthSession.token_hash == digest))
    if row is not None:
        if row.revoked_at is not None or row.expires_at <= utcnow():
            return None
        extra = {"session_id": row.id, "csrf_token": row.csrf_token, "via_cookie": via_cookie}
        if row.user_id is not None:
            user = await session.get(User, row.user_id)
            return Principal(role=user.role, user_id=user.id, **extra) if user else None  # type: ignore[arg-type]
        invitation = await session.get(Invitation, row.invitation_id)
        if invitation is None or invitation.revoked_at is not None:
            return None
        return _invitation_principal(invitation, **extra)
    invitation = await session.scalar(select(Invitation).where(Invitation.token_hash == digest))
    if invitation is None or invitation.revoked_at is not None:
        return None
    conference = await session.get(Conference, invitation.conference_id)
    return _invitation_principal(invitation) if conference else None


async def invitation_for_token(session: AsyncSession, token: str) -> Invitation | None:
    invitation = await session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    return invitation if invitation is not None and invitation.revoked_at is None else None
