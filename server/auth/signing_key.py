"""The signing key's fingerprint in the database: a start with another key is noticed, and the links it hides shown.

An invitation is found by the hash of its token, so a link handed out before the key changed still opens it;
but the link is shown again (admin page, printed sheet, QR code) by deriving it from the nonce under the
current key, and under another key that gives a link that opens nothing. Those invitations are the ones to
reissue, and all of them are if the old key leaked: whoever holds it can derive every old link from the nonces.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import Invitation, SigningKey, utcnow
from server.auth.tokens import invitation_token, token_hash

FINGERPRINT_LABEL = b"diemcau signing key fingerprint"
ROW = 1


def fingerprint(secret: bytes) -> str:
    """Tells two keys apart without storing anything a key could be recovered or tried against offline faster."""
    return hmac.new(secret, FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def link_derivable(secret: bytes, invitation: Invitation) -> bool:
    """Whether this key derives the invitation's own link again, so it can be shown, printed or put in a QR code."""
    return hmac.compare_digest(token_hash(invitation_token(secret, invitation.nonce)), invitation.token_hash)


async def note_signing_key(session: AsyncSession, secret: bytes) -> datetime | None:
    """Record the key this start signs with: the moment of the change when the last start had another, else None."""
    current = fingerprint(secret)
    row = await session.get(SigningKey, ROW)
    if row is None:
        # Processes starting together on a new database: one row wins, and none of them saw a change.
        try:
            async with session.begin_nested():
                session.add(SigningKey(id=ROW, fingerprint=current))
        except IntegrityError:
            pass
        return None
    if row.fingerprint == current:
        return None
    now = utcnow()
    # Compare and set: of processes starting together with the new key, only one records the change and says so.
    changed = await session.execute(
        update(SigningKey)
        .where(SigningKey.id == ROW, SigningKey.fingerprint == row.fingerprint)
        .values(fingerprint=current, changed_at=now)
        .execution_options(synchronize_session=False)
    )
    return now if changed.rowcount == 1 else None  # type: ignore[attr-defined]


async def key_changed_at(session: AsyncSession) -> datetime | None:
    """When the signing key last changed, as far as the database saw it; None when it never did."""
    return await session.scalar(select(SigningKey.changed_at).where(SigningKey.id == ROW))


async def hidden_links(session: AsyncSession, secret: bytes) -> int:
    """How many unrevoked invitations this key cannot show the link of."""
    rows = await session.scalars(select(Invitation).where(Invitation.revoked_at.is_(None)))
    return sum(1 for invitation in rows if not link_derivable(secret, invitation))
