"""Staff accounts, logins, and the lookup of a token (a session's or an invitation's) to its principal."""
from __future__ import annotations

import asyncio
import math
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import (
    AuthSession,
    Conference,
    Invitation,
    User,
    utcnow,
)
from server.auth.invitations import invitation_state
from server.auth.passwords import check_password
from server.auth.principal import STAFF_ROLES, Principal
from server.auth.tokens import (
    new_session_token,
    token_hash,
)
from server.errors import Conflict, Invalid, NotFound, RateLimited, Unauthorized

_hasher = PasswordHasher()
MAX_USERNAME = 64


@dataclass(frozen=True)
class Lockout:
    """When failed logins lock an account: `attempts` of them within `window` lock it for `duration`."""

    attempts: int
    window: timedelta
    duration: timedelta


async def create_user(
    session: AsyncSession, username: str, password: str, role: str, full_name: str | None = None
) -> User:
    if role not in STAFF_ROLES:
        raise Invalid("Staff role must be admin, chair or secretary", {"role": "must be admin, chair or secretary"})
    if not username or len(username) > MAX_USERNAME or any(c.isspace() or not c.isprintable() for c in username):
        raise Invalid(f"The username must be 1 to {MAX_USERNAME} characters without spaces", {"username": "invalid"})
    check_password(password, username)
    if await session.scalar(select(User.id).where(User.username == username)):
        raise Conflict("This username is taken", {"username": username}, code="username_taken")
    digest = await asyncio.to_thread(_hasher.hash, password)
    user = User(username=username, password_hash=digest, role=role, full_name=full_name)
    session.add(user)
    await session.flush()
    return user


async def open_session(
    session: AsyncSession,
    hours: int,
    user_id: int | None = None,
    invitation_id: int | None = None,
    token: str | None = None,
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


@cache
def _stand_in_hash() -> str:
    """A hash no password matches, verified against for unknown names so they take as long as known ones."""
    return _hasher.hash(secrets.token_urlsafe(16))


def refuse_if_locked(user: User, now: datetime) -> None:
    """A locked account is refused whatever the password, so guessing on gains nothing."""
    if user.locked_until is not None and user.locked_until > now:
        retry_after = math.ceil((user.locked_until - now).total_seconds())
        raise RateLimited(
            "This account is locked after too many failed logins; try again later or ask an admin to unlock it",
            {"retry_after": retry_after},
            code="locked",
        )


async def check_credentials(session: AsyncSession, username: str, password: str) -> User:
    """Read only: the account this password opens; a locked account is refused before the password is tried."""
    user = await session.scalar(select(User).where(User.username == username))
    if user is not None:
        refuse_if_locked(user, utcnow())
    try:
        # Hashing is deliberately slow; keep it off the event loop.
        await asyncio.to_thread(_hasher.verify, user.password_hash if user else _stand_in_hash(), password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("Wrong username or password", code="bad_credentials") from None
    if user is None:
        raise Unauthorized("Wrong username or password", code="bad_credentials")
    return user


async def start_login(session: AsyncSession, user_id: int, hours: int) -> tuple[str, User]:
    """After the password checked out: forget earlier failures and open a session, unless a lock came in between."""
    user = await session.get(User, user_id)
    if user is None:
        raise Unauthorized("Wrong username or password", code="bad_credentials")
    refuse_if_locked(user, utcnow())
    if user.failed_logins or user.failed_since is not None or user.locked_until is not None:
        user.failed_logins, user.failed_since, user.locked_until = 0, None, None
    token, _ = await open_session(session, hours, user_id=user.id)
    return token, user


async def count_failed_login(session: AsyncSession, username: str, lockout: Lockout) -> bool:
    """Count a failed login against the account, locking it at the limit; False when no account has this name."""
    user = await session.scalar(select(User).where(User.username == username).with_for_update())
    if user is None:
        return False
    now = utcnow()
    if user.locked_until is not None and user.locked_until > now:
        return True
    # Counting restarts after a quiet window, and after a lock ran out: each lock is earned afresh.
    if user.failed_since is None or now - user.failed_since > lockout.window or user.locked_until is not None:
        user.failed_logins, user.failed_since, user.locked_until = 0, now, None
    user.failed_logins += 1
    if user.failed_logins >= lockout.attempts:
        user.locked_until = now + lockout.duration
    return True


async def list_users(session: AsyncSession) -> list[User]:
    return list((await session.scalars(select(User).order_by(User.username))).all())


async def unlock_user(session: AsyncSession, user_id: int) -> User:
    """An admin lifts a lockout: the count and the lock go, sessions are untouched."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user", {"user_id": user_id})
    user.failed_logins, user.failed_since, user.locked_until = 0, None, None
    return user


async def end_session(session: AsyncSession, session_id: int) -> None:
    row = await session.get(AuthSession, session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


async def renew_session(session: AsyncSession, session_id: int, hours: int) -> datetime | None:
    """Slide a live session's end to `hours` from now once less than half of that is left; its end, or None if it ended.

    The check is repeated here because requests that raced past the half-life each ask; the first one writes."""
    row = await session.get(AuthSession, session_id)
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    lifetime = timedelta(hours=hours)
    if row.expires_at - now < lifetime / 2:
        row.expires_at = now + lifetime
    return row.expires_at


def _invitation_principal(invitation: Invitation, **extra: object) -> Principal:
    return Principal(
        role=invitation.role,
        invitation_id=invitation.id,
        conference_id=invitation.conference_id,
        point_id=invitation.point_id,
        participant_id=invitation.participant_id,
        invitation_expires_at=invitation.expires_at,
        **extra,  # type: ignore[arg-type]
    )


Asked = tuple[str, bool]


async def resolve_many(session: AsyncSession, asked: Collection[Asked]) -> dict[Asked, Principal | None]:
    """The principal each (bearer token or session cookie, via_cookie) stands for, or None when it is unknown,
    expired or revoked; four queries however many tokens are asked."""
    digests = {token_hash(token) for token, _ in asked}
    sessions = {
        row.token_hash: row
        for row in await session.scalars(select(AuthSession).where(AuthSession.token_hash.in_(digests)))
    }
    user_ids = {row.user_id for row in sessions.values() if row.user_id is not None}
    users = (
        {user.id: user for user in await session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    )
    through_sessions = {row.invitation_id for row in sessions.values() if row.invitation_id is not None}
    invitations = list(
        await session.scalars(
            select(Invitation).where(
                or_(Invitation.id.in_(through_sessions), Invitation.token_hash.in_(digests - sessions.keys()))
            )
        )
    )
    by_id = {invitation.id: invitation for invitation in invitations}
    by_digest = {invitation.token_hash: invitation for invitation in invitations}
    conference_ids = {invitation.conference_id for invitation in invitations}
    conferences = (
        set(await session.scalars(select(Conference.id).where(Conference.id.in_(conference_ids))))
        if conference_ids
        else set()
    )
    now = utcnow()

    def principal(token: str, via_cookie: bool) -> Principal | None:
        digest = token_hash(token)
        row = sessions.get(digest)
        if row is not None:
            if row.revoked_at is not None or row.expires_at <= now:
                return None
            extra = {
                "session_id": row.id,
                "csrf_token": row.csrf_token,
                "via_cookie": via_cookie,
                "expires_at": row.expires_at,
            }
            if row.user_id is not None:
                user = users.get(row.user_id)
                return Principal(role=user.role, user_id=user.id, **extra) if user else None  # type: ignore[arg-type]
            invitation = by_id.get(row.invitation_id) if row.invitation_id is not None else None
            # A session opened from an invitation ends with it: revoked or expired, whatever the session's own end.
            if invitation is None or invitation_state(invitation, now) != "active":
                return None
            return _invitation_principal(invitation, **extra)
        invitation = by_digest.get(digest)
        if invitation is None or invitation_state(invitation, now) != "active":
            return None
        return _invitation_principal(invitation) if invitation.conference_id in conferences else None

    return {(token, via_cookie): principal(token, via_cookie) for token, via_cookie in asked}


async def invitation_for_token(session: AsyncSession, token: str) -> Invitation | None:
    invitation = await session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
    return invitation if invitation is not None and invitation_state(invitation, utcnow()) == "active" else None
