"""The authenticated caller of a request or socket."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

# A secretary (thư ký) is staff: it sees every comment and every staff event, and drafts answers for the chair.
STAFF_ROLES = frozenset({"admin", "chair", "secretary"})
ROLES = frozenset({"admin", "chair", "secretary", "operator", "delegate", "display"})


@dataclass(frozen=True)
class Principal:
    """A staff user (any conference) or an invitation holder (one conference, maybe one point or person)."""

    role: str
    user_id: int | None = None
    invitation_id: int | None = None
    conference_id: int | None = None
    point_id: int | None = None
    participant_id: int | None = None
    session_id: int | None = None
    csrf_token: str | None = None
    via_cookie: bool = False
    # When the session behind it ends; None for an invitation token used directly.
    expires_at: datetime | None = None
    # When the invitation behind it expires (None for staff, or an invitation made before expiry existed);
    # checked on every use, also of a remembered principal, and it closes the sockets it opened.
    invitation_expires_at: datetime | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def actor(self) -> str:
        """A stable label for audit columns and idempotency scopes."""
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"invitation:{self.invitation_id}"

    def belongs_to(self, conference_id: int) -> bool:
        return self.is_staff or self.conference_id == conference_id


# Set by the authentication middleware on every request; None for an anonymous caller.
principal_key: web.RequestKey[Principal | None] = web.RequestKey("principal")
