"""Insert a batch's rows in one statement and give each row its new id."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_rows(
    session: AsyncSession, table: Table, rows: list[dict[str, Any]], telling: tuple[str, ...]
) -> list[int]:
    """The new ids, in the order of `rows`, told apart by the columns `telling`.

    Not by SQLAlchemy's `sort_by_parameter_order`, which SQLite honours only by inserting one row per statement.
    Rows alike in every telling column are alike in all the caller cares about, so which of their ids goes to
    which does not matter; the earlier row gets the smaller.
    """
    made = await session.execute(insert(table).returning(table.c.id, *(table.c[name] for name in telling)), rows)
    ids: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for new_id, *values in sorted(made.all(), reverse=True):
        ids[tuple(values)].append(new_id)
    return [ids[tuple(row[name] for name in telling)].pop() for row in rows]
