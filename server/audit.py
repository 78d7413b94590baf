"""The audit trail: an append-only entry for every staff action, written in the action's own transaction."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import AuditEntry, User, utcnow
from server.i18n import DEFAULT
from server.sentences import sentence
from server.writes import Operation

Describe = Callable[[AsyncSession, Any], Awaitable[dict[str, Any] | None]]
# Values that must never be kept, and how much of any one text is worth keeping.
SECRETS = frozenset({"password", "new_password", "token", "secret"})
MAX_TEXT = 300


def redacted(payload: Any) -> Any:
    """A request body as the trail keeps it: secrets masked, long texts cut, nesting kept."""
    if isinstance(payload, dict):
        return {key: "***" if key in SECRETS else redacted(value) for key, value in payload.items()}
    if isinstance(payload, list):
        return [redacted(value) for value in payload]
    if isinstance(payload, str) and len(payload) > MAX_TEXT:
        return payload[:MAX_TEXT] + "…"
    return payload


def record(
    session: AsyncSession, conference_id: int | None, actor: str, action: str, details: dict[str, Any],
    address: str | None = None,
) -> AuditEntry:
    """Written in the change's own transaction, so an entry exists exactly when the change does."""
    entry = AuditEntry(
        conference_id=conference_id, at=utcnow(), actor=actor, action=action, details=details, address=address
    )
    session.add(entry)
    return entry


def audited(
    operation: Operation,
    conference_id: int | None,
    actor: str,
    action: str,
    details: dict[str, Any],
    address: str | None,
    describe: Describe | None = None,
) -> Operation:
    """The operation, recording itself once it has succeeded; a refused or failed one leaves no entry.

    `describe` reads what the operation acted on from its answer, in the same transaction: the entry's `subject`,
    which the trail reads as a sentence (server/sentences.py).
    """

    async def run(session: AsyncSession) -> Any:
        result = await operation(session)
        subject = await describe(session, result) if describe is not None else None
        record(
            session,
            conference_id,
            actor,
            action,
            details if subject is None else {**details, "subject": subject},
            address,
        )
        return result

    return run


def _filtered(
    query: Select[Any], actor: str | None, action: str | None, since: datetime | None, until: datetime | None
) -> Select[Any]:
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return query


async def list_entries(
    session: AsyncSession,
    conference_id: int | None,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditEntry]:
    """One conference's entries, or with `conference_id` None every entry, sign-ins and new conferences included."""
    query = select(AuditEntry)
    if conference_id is not None:
        query = query.where(AuditEntry.conference_id == conference_id)
    query = _filtered(query, actor, action, since, until)
    return list((await session.scalars(query.order_by(AuditEntry.id))).all())


async def actor_names(session: AsyncSession, entries: list[AuditEntry]) -> dict[str, str]:
    """Staff accounts as people know them: "user:2" is the chair's full name."""
    ids = {int(e.actor[5:]) for e in entries if e.actor.startswith("user:") and e.actor[5:].isdigit()}
    rows = await session.execute(select(User.id, User.full_name, User.username).where(User.id.in_(ids)))
    return {f"user:{row[0]}": row[1] or row[2] for row in rows.all()}


def entry_dict(entry: AuditEntry, names: dict[str, str] | None = None, lang: str = DEFAULT) -> dict[str, Any]:
    """The entry as the API gives it: the request in `details` for investigators, `sentence` for people."""
    return {
        "id": entry.id,
        "conference_id": entry.conference_id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "actor_name": (names or {}).get(entry.actor, entry.actor),
        "action": entry.action,
        "sentence": sentence(entry.action, entry.details, lang),
        "details": entry.details,
        "address": entry.address,
    }
