"""Alembic environment: async (asyncpg), URL from the caller or the project settings."""

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from inkverse.database import tables
from inkverse.database.base import Base
from inkverse.database.engine import async_url
from inkverse.database.migrations import KNEX_TABLES
from inkverse.errors import ConfigurationError
from inkverse.settings import load_settings

config = context.config
assert tables.__all__, "importing the tables package registers every model on Base.metadata"
target_metadata = Base.metadata


def _database_url() -> str:
    url: str | None = config.attributes.get("database_url") or load_settings().database.url
    if url is None:
        raise ConfigurationError("DATABASE_URL: not set")
    return url


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        # An adopted database keeps the original's knex bookkeeping tables; they are not ours to manage.
        include_name=lambda name, kind, _: kind != "table" or name not in KNEX_TABLES,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_async_engine(async_url(_database_url()), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=async_url(_database_url()), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
