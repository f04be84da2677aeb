"""One connection for all the reads of one request.

Every DataLoader batch and root resolver of a GraphQL request reads through the same autocommit
session, one at a time: a request checks out one pooled connection instead of one per batch, so the
pool is not drained (nor churned through its overflow, where each new connection costs a connect, type
introspection and new prepared statements) when batches run side by side.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from inkverse.database.engine import ReadSessionmaker

SessionOpener = Callable[[], AbstractAsyncContextManager[AsyncSession]]
"""What readers call to get a session for a while: a sessionmaker, or `RequestReads.session`."""


class RequestReads:
    def __init__(self, sessionmaker: ReadSessionmaker) -> None:
        self._sessionmaker = sessionmaker
        self._session: AsyncSession | None = None
        self._turn = asyncio.Lock()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """The request's session, to the caller alone until the block ends."""
        async with self._turn:
            if self._session is None:
                self._session = self._sessionmaker()
            try:
                yield self._session
            except BaseException:
                # A failed statement leaves the session unusable until it is rolled back.
                await asyncio.shield(self._session.rollback())
                raise

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()


def any_of(column: ColumnElement[Any] | QueryableAttribute[Any], parameter: str) -> ColumnElement[bool]:
    """`column = ANY(:parameter)`, the values bound as one array: unlike an expanding `IN`, the SQL is
    the same whatever the number of values, so it is rendered once and prepared once per connection."""
    return column == any_(bindparam(parameter, type_=ARRAY(column.type)))
