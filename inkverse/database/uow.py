"""The unit of work: the one place a transaction commits.

Repositories and services take the session from the caller and never commit. A GraphQL mutation, a
webhook delivery or a queue message opens one `UnitOfWork`, which commits on a clean exit and rolls
back on an exception; callbacks registered with `after_commit` (follow-up messages, cache purges) run
only once the commit has succeeded.
"""

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

AfterCommit = Callable[[], Awaitable[None]]


class UnitOfWork:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self._session: AsyncSession | None = None
        self._after_commit: list[AfterCommit] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("UnitOfWork used outside `async with`")
        return self._session

    def after_commit(self, callback: AfterCommit) -> None:
        self._after_commit.append(callback)

    async def __aenter__(self) -> Self:
        self._session = self._sessionmaker()
        self._after_commit = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            if exc_type is None:
                await session.commit()
            else:
                await session.rollback()
        finally:
            await session.close()
        if exc_type is None:
            callbacks, self._after_commit = self._after_commit, []
            for callback in callbacks:
                await callback()
