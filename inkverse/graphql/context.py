"""The typed per-request GraphQL context."""

from dataclasses import dataclass

from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from inkverse.graphql.loaders import Loaders


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

    def session(self) -> AsyncSession:
        """A new short-lived session: never share one across concurrently resolving fields."""
        return self.sessionmaker()
