"""The audit trail: append-only entries for decisions that change what delegates may do."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import AuditEntry, utcnow


async def record(session: AsyncSession, conference_id: int, actor: str, action: str, details: dict[str, Any]) -> AuditEntry:
    """Written in the change's own transaction, so an entry exists exactly when the change does."""
    entry = AuditEntry(conference_id=conference_id, at=utcnow(), actor=actor, action=action, details=details)
    session.add(entry)
    return entry


async def list_entries(session: AsyncSession, conference_id: int) -> list[AuditEntry]:
    rows = await session.scalars(select(AuditEntry).where(AuditEntry.conference_id == conference_id).order_by(AuditEntry.id))
    return list(rows.all())


def entry_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "conference_id": entry.conference_id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "details": entry.details,
    }
