"""The typed per-request GraphQL context."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from inkverse.database import tables
from inkverse.database.reads import ReadConnection, RequestReads
from inkverse.graphql.loaders import Loaders

SESSIONS_PER_REQUEST = 4


@dataclass
class Context:
    """One per HTTP request: the request-scoped container, the sessionmaker root resolvers open their
    own short (transactional) sessions from, the request's connection for plain reads, and the
    request's DataLoaders."""

    container: AsyncContainer
    request: Request
    sessionmaker: async_sessionmaker[AsyncSession]
    reads: RequestReads
    loaders: Loaders
    user: tables.User | None = None
    """The signed-in user's row (from the bearer token), or None for an anonymous request."""

    session_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(SESSIONS_PER_REQUEST))

    @property
    def viewer_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A new short-lived session: never share one across concurrently resolving fields. At most
        SESSIONS_PER_REQUEST are open at once, so one request cannot drain the connection pool."""
        async with self.session_slots, self.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """For resolvers that only read: the request's one autocommit session, shared in turn with the
        DataLoaders (no transaction, so one round trip per query). Do not await a DataLoader inside the
        block: the loader waits for the same connection."""
        async with self.reads.session() as session:
            yield session

    @asynccontextmanager
    async def read_connection(self) -> AsyncIterator[ReadConnection]:
        """`read_session` for reads compiled once (`inkverse.database.reads.CompiledSelect`), without
        the ORM; the same rule about DataLoaders."""
        async with self.reads.connection() as reads:
            yield reads
