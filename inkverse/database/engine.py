"""The async engine and sessionmaker, built from `DatabaseSettings`."""

import json
from typing import NewType

import orjson
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from inkverse.errors import ConfigurationError
from inkverse.settings import DatabaseSettings


def compact_json(value: object) -> str:
    """JSON as the original's driver wrote it (no spaces, UTF-8 kept), so stored text stays identical."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def parse_json(text: str | bytes) -> object:
    """orjson, several times faster on the catalog's image and link columns; the standard parser for
    what orjson refuses (integers beyond 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def async_url(url: str) -> URL:
    """Turn a standard `postgresql://` URL (TCP or `?host=/socket/dir`) into an asyncpg one."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in {"postgresql", "postgres"}:
        raise ConfigurationError(f"DATABASE_URL: not a PostgreSQL URL: {parsed.render_as_string()}")
    return parsed.set(drivername="postgresql+asyncpg")


def make_engine(
    settings: DatabaseSettings,
    application_name: str = "inkverse",
    *,
    url: str | None = None,
    connect_timeout_seconds: float | None = None,
) -> AsyncEngine:
    """The primary's engine, or with `url` a replica's (same pool settings)."""
    url = url or settings.url
    if url is None:
        raise ConfigurationError("DATABASE_URL: not set")
    connect_timeout = {} if connect_timeout_seconds is None else {"timeout": connect_timeout_seconds}
    return create_async_engine(
        async_url(url),
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout_seconds,
        # No ping per checkout (one round trip each): a connection that died is dropped from the pool
        # when it fails, and pool_recycle retires old ones before a proxy or server would.
        pool_pre_ping=settings.pool_pre_ping,
        pool_recycle=1800,
        echo=settings.echo,
        json_serializer=compact_json,
        json_deserializer=parse_json,
        connect_args={
            "command_timeout": settings.command_timeout_seconds,
            "server_settings": {"application_name": application_name},
            **connect_timeout,
        },
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


ReadEngine = NewType("ReadEngine", AsyncEngine)
"""The engine's AUTOCOMMIT variant (same pool), for plain reads: a query is one round trip, without
BEGIN and ROLLBACK."""


def make_read_engine(engine: AsyncEngine) -> ReadEngine:
    return ReadEngine(engine.execution_options(isolation_level="AUTOCOMMIT"))
