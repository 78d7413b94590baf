"""Alembic environment: runs migrations on the async engine, in batch mode for SQLite."""
from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from schema.tables import Base

config = context.config
# Any fixed number will do, as long as nothing else in the database takes the same advisory lock.
MIGRATION_LOCK = 0x6469656D636175  # "diemcau"


def _run(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Several processes may start at once: one migrates, the others wait here and then find nothing to do.
        # A transaction lock, and the whole upgrade runs in this one transaction: it is held until the commit.
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _main() -> None:
    engine = create_async_engine(config.attributes["url"])
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


asyncio.run(_main())
