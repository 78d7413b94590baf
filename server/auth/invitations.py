"""Invitation links: one role in one conference (and one point or person), made, listed, revoked and reissued."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.events import payloads
from schema.tables import Conference, Invitation, Participant, Point, utcnow
from server import events
from server.auth.tokens import invitation_token, new_nonce, token_hash
from server.errors import Conflict, Invalid, NotFound
from server.lookup import in_conference

INVITED_ROLES = frozenset({"operator", "delegate", "display"})
# A link works until a week after the conference starts, and never for less than a week from when it is made,
# so a link sent out for a past or rescheduled workshop is not born expired. An admin may set another time.
INVITATION_DAYS = 7


def default_invitation_expiry(conference: Conference, now: datetime) -> datetime:
    return max(conference.starts_at, now) + timedelta(days=INVITATION_DAYS)


def invitation_state(invitation: Invitation, now: datetime) -> str:
    """`active`, `expired` or `revoked`: only an active invitation (and a session opened from it) lets anyone in."""
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return "expired"
    return "active"


async def create_invitation(
    session: AsyncSession,
    secret: bytes,
    conference_id: int,
    role: str,
    point_id: int | None = None,
    participant_id: int | None = None,
    nonce: str | None = None,
    expires_at: datetime | None = None,
) -> tuple[Invitation, str]:
    """Issue a link for one role in one conference (and one point or person); without `expires_at`, the default rule."""
    if role not in INVITED_ROLES:
        raise Invalid("Invitation role must be operator, delegate or display", {"role": "unknown role"})
    conference = await session.get(Conference, conference_id)
    if conference is None:
        raise NotFound("No such conference", {"conference_id": conference_id})
    now = utcnow()
    if expires_at is None:
        expires_at = default_invitation_expiry(conference, now)
    elif expires_at <= now:
        raise Invalid("expires_at must be in the future", {"expires_at": "not in the future"})
    if role == "operator":
        point = await session.get(Point, point_id) if isinstance(point_id, int) else None
        if point is None or point.conference_id != conference_id:
            raise Invalid(
                "An operator invitation needs a bridge point of this conference", {"point_id": "unknown point"}
            )
    if role == "delegate":
        person = await session.get(Participant, participant_id) if isinstance(participant_id, int) else None
        if person is None or person.conference_id != conference_id:
            raise Invalid(
                "A delegate invitation needs a participant of this conference",
                {"participant_id": "unknown participant"},
            )
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
        expires_at=expires_at,
    )
    session.add(invitation)
    await session.flush()
    await events.append(session, conference_id, payloads.invitation_created(invitation), events.STAFF)
    return invitation, token


async def list_invitations(session: AsyncSession, conference_id: int) -> list[Invitation]:
    rows = await session.scalars(
        select(Invitation).where(Invitation.conference_id == conference_id).order_by(Invitation.id)
    )
    return list(rows.all())


async def revoke_invitation(session: AsyncSession, conference_id: int, invitation_id: int) -> Invitation:
    """Revoke at once: after commit, remembered principals are dropped and the sockets it opened are told and closed."""
    invitation = await in_conference(session, Invitation, conference_id, invitation_id, "invitation", "invitation_id")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        await events.append(session, conference_id, payloads.invitation_revoked(invitation), events.STAFF)
        events.end_invitation(session, invitation.id)
    return invitation


async def reissue_invitation(
    session: AsyncSession, secret: bytes, conference_id: int, invitation_id: int, expires_at: datetime | None = None
) -> tuple[Invitation, Invitation, str]:
    """Replace a leaked or lapsed link: revoke it and issue one for the same role, point and person.

    Without `expires_at`, a deadline the old link still had carries over; a lapsed or missing one
    gets the default rule. A revoked link is not reissued (409), so one leak cannot fork into two
    live links; the admin makes a new invitation instead.
    """
    old = await in_conference(session, Invitation, conference_id, invitation_id, "invitation", "invitation_id")
    if old.revoked_at is not None:
        raise Conflict(
            "This invitation was revoked; make a new one instead",
            {"invitation_id": invitation_id},
            code="invitation_revoked",
        )
    if expires_at is None and invitation_state(old, utcnow()) == "active":
        expires_at = old.expires_at
    await revoke_invitation(session, conference_id, invitation_id)
    new, token = await create_invitation(
        session, secret, conference_id, old.role, old.point_id, old.participant_id, expires_at=expires_at
    )
    return old, new, token
