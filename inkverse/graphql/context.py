"""The typed per-request GraphQL context."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from inkverse.graphql.loaders import Loaders

SESSIONS_PER_REQUEST = 4


@dataclass
class Context:
    """One per HTTP request: the request-scoped container, the sessionmaker root resolvers open their
    own short sessions from, and the request's DataLoaders."""

    container: AsyncContainer
    request: Request
    sessionmaker: async_sessionmaker[AsyncSession]
    loaders: Loaders
    viewer_id: int | None = None
    """The signed-in user's id; always None until authentication lands."""

    session_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(SESSIONS_PER_REQUEST))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A new short-lived session: never share one across concurrently resolving fields. At most
        SESSIONS_PER_REQUEST are open at once, so one request cannot drain the connection pool."""
        async with self.session_slots, self.sessionmaker() as session:
            yield session
