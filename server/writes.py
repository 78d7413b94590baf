"""The single write path: one transaction per change, idempotent retries, events published after commit."""
from __future__ import annotations

import asyncio
import hashlib
import json
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from schema.tables import IdempotencyRecord
from server import events
from server.errors import Conflict, Invalid
from server.keys import db_key, locks_key, publisher_key

Operation = Callable[[AsyncSession], Awaitable[dict[str, Any]]]


class WriteLocks:
    """One lock per conference, so its events are committed and published in seq order."""

    def __init__(self) -> None:
        self._locks: defaultdict[int | None, asyncio.Lock] = defaultdict(asyncio.Lock)

    def __getitem__(self, conference_id: int | None) -> asyncio.Lock:
        return self._locks[conference_id]


@dataclass(frozen=True)
class Idempotency:
    """A client's key for a create, scoped to the caller, with a digest of what it asked."""

    scope: str
    key: str
    request_hash: str

    @classmethod
    def of(cls, scope: str, key: str | None, payload: Any) -> Idempotency | None:
        if key is None:
            return None
        if not isinstance(key, str) or not key.strip() or len(key) > 255:
            raise Invalid("Idempotency-Key must be 1 to 255 characters", {"idempotency_key": "invalid"})
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
        return cls(scope=scope, key=key, request_hash=digest)


async def perform(
    app: web.Application,
    conference_id: int | None,
    operation: Operation,
    status: int = 200,
    idempotency: Idempotency | None = None,
) -> tuple[int, dict[str, Any]]:
    """Run one operation in one transaction and answer only after commit; a failure leaves nothing behind."""
    async with app[locks_key][conference_id]:
        async with app[db_key].write() as session:
            async with session.begin():
                if idempotency is not None:
                    record = await session.scalar(
                        select(IdempotencyRecord).where(
                            IdempotencyRecord.scope == idempotency.scope, IdempotencyRecord.key == idempotency.key
                        )
                    )
                    if record is not None:
                        if record.request_hash != idempotency.request_hash:
                            raise Conflict(
                                "This Idempotency-Key was used with a different request",
                                {"idempotency_key": idempotency.key},
                                code="idempotency_mismatch",
                            )
                        return record.status, record.body
                body = await operation(session)
                if idempotency is not None:
                    session.add(
                        IdempotencyRecord(
                            scope=idempotency.scope,
                            key=idempotency.key,
                            request_hash=idempotency.request_hash,
                            status=status,
                            body=body,
                        )
                    )
            committed = events.take_pending(session)
        await app[publisher_key].publish(committed)
    return status, body
