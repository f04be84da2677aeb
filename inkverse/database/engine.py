"""The async engine and sessionmaker, built from `DatabaseSettings`."""

import json

from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from inkverse.errors import ConfigurationError
from inkverse.settings import DatabaseSettings


def compact_json(value: object) -> str:
    """JSON as the original's driver wrote it (no spaces, UTF-8 kept), so stored text stays identical."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def async_url(url: str) -> URL:
    """Turn a standard `postgresql://` URL (TCP or `?host=/socket/dir`) into an asyncpg one."""
    parsed = make_url(url)
    if parsed.get_backend_name() not in {"postgresql", "postgres"}:
        raise ConfigurationError(f"DATABASE_URL: not a PostgreSQL URL: {parsed.render_as_string()}")
    return parsed.set(drivername="postgresql+asyncpg")


def make_engine(settings: DatabaseSettings, application_name: str = "inkverse") -> AsyncEngine:
    if settings.url is None:
        raise ConfigurationError("DATABASE_URL: not set")
    return create_async_engine(
        async_url(settings.url),
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout_seconds,
        pool_pre_ping=True,
        pool_recycle=1800,
        echo=settings.echo,
        json_serializer=compact_json,
        connect_args={
            "command_timeout": settings.command_timeout_seconds,
            "server_settings": {"application_name": application_name},
        },
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
