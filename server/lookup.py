"""Fetch a row by id only if it belongs to the conference in the URL, and tell an id a row could have."""
from __future__ import annotations

from typing import Protocol, TypeGuard, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from server.errors import NotFound


class Owned(Protocol):
    """Any row that belongs to one conference."""

    conference_id: int


T = TypeVar("T", bound=Owned)
# SQLite's INTEGER is 64-bit: no row has an id beyond it, and the driver raises OverflowError on one.
MAX_INT = 2**63 - 1


def fits(value: object) -> TypeGuard[int]:
    """An integer (not a boolean) that the database can store."""
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_INT <= value <= MAX_INT


async def in_conference(
    session: AsyncSession, model: type[T], conference_id: int, row_id: int, what: str, field: str
) -> T:
    """A row of another conference is as absent as one that does not exist."""
    row = await session.get(model, row_id)
    if row is None or row.conference_id != conference_id:
        raise missing(what, field, row_id)
    return row


def missing(what: str, field: str, row_id: int) -> NotFound:
    return NotFound(f"No such {what} in this conference", {field: row_id})
