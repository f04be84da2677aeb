"""One pooled connection for all the reads of one request, and reads compiled once that run on it.

Every DataLoader batch and root resolver of a GraphQL request reads through the same pooled
connection, one at a time: a request checks out one connection instead of one per batch, so the pool
is not drained (nor churned through its overflow, where each new connection costs a connect, type
introspection and new prepared statements) when batches run side by side.

The hot reads (`CompiledSelect`, `WholeRows`) run straight on the connection's asyncpg driver
(`ReadConnection`): no SQLAlchemy session, statement compilation, ORM loading or greenlet switch per
statement. Readers that need the ORM get a session on the same connection (`RequestReads.session`).
Both run without a transaction: a read is one round trip.

With read replicas (`inkverse.database.replicas`), an anonymous request's connection goes to one of
them; a statement whose replica connection is lost (or that the standby cancelled for a recovery
conflict) runs again on the primary, and the rest of the request reads there.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from itertools import islice
from typing import Any, Generic, TypeVar

from sqlalchemy import ARRAY, ColumnElement, Enum, Select, Uuid, any_, bindparam, event, inspect, select
from sqlalchemy.engine import Connection, Engine, Result, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapper, ORMExecuteState, QueryableAttribute
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.types import TypeEngine
from sqlalchemy.util import await_, greenlet_spawn

from inkverse.database.base import Base
from inkverse.database.engine import ReadEngine
from inkverse.database.replicas import RECOVERY_CONFLICT, ReadReplicas, Replica, is_closed, sqlstate

ModelT = TypeVar("ModelT", bound=Base)

_ASYNCPG = make_url("postgresql+asyncpg://").get_dialect()()
"""Renders statements as asyncpg runs them (`$1` parameters)."""


FailOver = Callable[[BaseException], Awaitable[tuple[Any, Engine] | None]]
"""After a statement failed: the driver (and its engine) to run it again on, or None to raise."""


class ReadConnection:
    """The asyncpg driver of a pooled connection, for statements compiled once. Each statement still
    reaches the engine's `before_cursor_execute` listeners (statement counters); `connection` is
    None when it runs outside any SQLAlchemy connection."""

    def __init__(
        self,
        driver: Any,
        engine: Engine,
        connection: Connection | None = None,
        *,
        fail_over: FailOver | None = None,
    ) -> None:
        self._driver = driver
        self._events = engine.dispatch
        self._connection = connection
        self._fail_over = fail_over

    @classmethod
    async def of(cls, session: AsyncSession) -> "ReadConnection":
        """The driver under a session's connection (inside the session's transaction, if any)."""
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        if driver is None:
            raise RuntimeError("the session's connection is closed")
        return cls(driver, connection.sync_engine, connection.sync_connection)

    async def fetch(self, sql: str, parameters: Sequence[Any]) -> list[Any]:
        if self._events.before_cursor_execute:
            self._events.before_cursor_execute(self._connection, None, sql, tuple(parameters), None, False)
        try:
            records: list[Any] = await self._driver.fetch(sql, *parameters)
        except Exception as exc:
            if self._fail_over is None or (replacement := await self._fail_over(exc)) is None:
                raise
            self._driver, engine = replacement
            self._events, self._connection, self._fail_over = engine.dispatch, None, None
            return await self.fetch(sql, parameters)
        return records


class RequestReads:
    """The reads of one request (REQUEST scope): one pooled connection, checked out on first use and
    handed to one reader at a time. `close()` returns it to the pool. With `replicas`, the connection
    goes to a replica unless `use_primary()` was called first."""

    def __init__(self, engine: ReadEngine, replicas: ReadReplicas | None = None) -> None:
        self._engine = engine
        self._replicas = replicas or None
        self._replica: Replica | None = None
        """The replica the request's connection goes to (None: the primary)."""
        self._turn = asyncio.Lock()
        self._pooled: PoolProxiedConnection | None = None
        self._reads: ReadConnection | None = None
        self._connection: AsyncConnection | None = None
        self._session: AsyncSession | None = None
        self._retired: list[tuple[AsyncConnection | None, PoolProxiedConnection]] = []

    def use_primary(self) -> None:
        """Read from the primary (a signed-in user reads their own writes); before the first read."""
        self._replicas = None

    @property
    def replica(self) -> Replica | None:
        return self._replica

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[ReadConnection]:
        """The request's connection for compiled reads, to the caller alone until the block ends."""
        async with self._turn:
            if self._reads is None:
                pooled = await self._checkout()
                if self._replica is None:
                    self._reads = ReadConnection(pooled.driver_connection, self._engine.sync_engine)
                else:
                    engine = self._replica.engine.sync_engine
                    self._reads = ReadConnection(pooled.driver_connection, engine, fail_over=self._retry)
            yield self._reads

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """An ORM session on the request's connection (autocommit), to the caller alone until the block
        ends. Rows it loads stay in it for the rest of the request."""
        async with self._turn:
            session = self._session or await self._open_session()
            try:
                yield session
            except BaseException:
                # A failed statement leaves the session unusable until it is rolled back.
                await asyncio.shield(session.rollback())
                raise

    async def close(self) -> None:
        session, connection, pooled = self._session, self._connection, self._pooled
        retired, self._retired = self._retired, []
        self._session = self._connection = self._pooled = self._reads = self._replica = None
        if session is not None:
            await session.close()
        for old_connection, old_pooled in retired:
            await _give_back(old_connection, old_pooled)
        if connection is not None:
            await connection.close()  # returns the pooled connection too
        elif pooled is not None:
            # In a greenlet: a connection the pool does not keep is closed, which awaits the driver.
            await greenlet_spawn(_release, pooled)

    async def _checkout(self) -> PoolProxiedConnection:
        if self._pooled is None:
            if self._replicas is None:
                self._pooled = await self._engine.raw_connection()
            else:
                self._pooled = await self._replica_or_primary(self._replicas)
        return self._pooled

    async def _replica_or_primary(self, replicas: ReadReplicas) -> PoolProxiedConnection:
        found = await replicas.connect()
        if found is None:
            return await self._engine.raw_connection()
        pooled, self._replica = found
        return pooled

    async def _open_session(self) -> AsyncSession:
        pooled = await self._checkout()
        # The engine's AUTOCOMMIT option is applied as the connection is wrapped (its "engine_connect"
        # event), so the session's queries run without BEGIN and ROLLBACK.
        engine = self._engine if self._replica is None else self._replica.engine
        self._connection = AsyncConnection(engine, Connection(engine.sync_engine, connection=pooled))
        self._session = AsyncSession(bind=self._connection, expire_on_commit=False, autoflush=False)
        if self._replica is not None:
            event.listen(self._session.sync_session, "do_orm_execute", self._retry_statement)
        return self._session

    def _retry_statement(self, state: ORMExecuteState) -> Result[Any]:
        """A session statement that failed on the replica runs again on the primary (in the session's
        greenlet, so the switch is awaited with `await_`)."""
        try:
            return state.invoke_statement()
        except DBAPIError as exc:
            if not await_(self._switch_to_primary(exc)):
                raise
            return state.invoke_statement()

    async def _retry(self, error: BaseException) -> tuple[Any, Engine] | None:
        if not await self._switch_to_primary(error) or self._pooled is None:
            return None
        return self._pooled.driver_connection, self._engine.sync_engine

    async def _switch_to_primary(self, error: BaseException) -> bool:
        """After `error` on the replica's connection: move the request's reads to the primary when the
        connection was lost (the replica then cools down) or the standby cancelled the statement."""
        replica, pooled = self._replica, self._pooled
        if replica is None or pooled is None:
            return False
        lost = is_closed(pooled)
        if not lost and sqlstate(error) != RECOVERY_CONFLICT:
            return False
        if lost and self._replicas is not None:
            self._replicas.failed(replica, error)
        primary = await self._engine.raw_connection()
        self._retired.append((self._connection, pooled))
        self._replica, self._pooled, self._connection = None, primary, None
        engine = self._engine
        self._reads = ReadConnection(primary.driver_connection, engine.sync_engine)
        if self._session is not None:
            self._connection = AsyncConnection(engine, Connection(engine.sync_engine, connection=primary))
            self._session.bind = self._connection
            self._session.sync_session.bind = self._connection.sync_connection
        return True


async def _give_back(connection: AsyncConnection | None, pooled: PoolProxiedConnection) -> None:
    """Return a connection the request left for the primary."""
    driver = pooled.driver_connection
    if driver is not None and driver.is_closed():
        pooled.invalidate()  # outside a greenlet: dropped at once, no goodbye to a server that is gone
    if connection is not None:
        await connection.close()
    else:
        await greenlet_spawn(_release, pooled)


def _release(pooled: PoolProxiedConnection) -> None:
    driver = pooled.driver_connection
    if driver is not None and driver.is_closed():
        pooled.invalidate()  # lost while in use: never hand it out again
    pooled.close()


def any_of(column: ColumnElement[Any] | QueryableAttribute[Any], parameter: str) -> ColumnElement[bool]:
    """`column = ANY(:parameter)`, the values bound as one array: unlike an expanding `IN`, the SQL is
    the same whatever the number of values, so it is rendered once and prepared once per connection."""
    return column == any_(bindparam(parameter, type_=ARRAY(column.type)))


class CompiledSelect:
    """A SELECT rendered once as asyncpg runs it, its parameters given by name at each run; each
    record's values converted as the ORM would read the selected columns (uuids as strings, enums
    as members, JSON decoded by the engine's codec)."""

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        compiled = statement.compile(dialect=_ASYNCPG)
        self.sql = str(compiled)
        self._names = list(compiled.positiontup or ())
        self._defaults = {
            name: bind.effective_value for name in self._names if not (bind := compiled.binds[name]).required
        }
        self._bind_processors = {
            name: processor
            for name in self._names
            if (processor := _bind_processor(compiled.binds[name].type)) is not None
        }
        self.converters = [_driver_value(column.type) for column in statement.selected_columns]

    async def fetch(self, reads: ReadConnection, **parameters: Any) -> list[Any]:
        """The records, values not converted (`values` does that)."""
        return await reads.fetch(self.sql, [self._parameter(name, parameters) for name in self._names])

    async def values(self, reads: ReadConnection, **parameters: Any) -> list[list[Any]]:
        converters = self.converters
        return [
            [value if convert is None or value is None else convert(value)
             for convert, value in zip(converters, record, strict=True)]
            for record in await self.fetch(reads, **parameters)
        ]  # fmt: skip

    def _parameter(self, name: str, given: Mapping[str, Any]) -> Any:
        value = given[name] if name in given else self._defaults[name]
        processor = self._bind_processors.get(name)
        return value if processor is None or value is None else processor(value)


class Entity(Generic[ModelT]):
    """Builds transient instances of `model` (no session: read them, never flush them) from every
    column of the model, as `columns` selects them."""

    def __init__(self, model: type[ModelT]) -> None:
        mapper: Mapper[ModelT] = inspect(model)
        self._new_instance = mapper.class_manager.new_instance
        self.columns = [attribute.columns[0] for attribute in mapper.column_attrs]
        self._keys = [attribute.key for attribute in mapper.column_attrs]
        self._conversions = [
            (index, attribute.key, convert)
            for index, attribute in enumerate(mapper.column_attrs)
            if (convert := _driver_value(attribute.columns[0].type)) is not None
        ]

    def row(self, record: Sequence[Any], start: int = 0) -> ModelT:
        """The instance from the record's values from `start` on (the model's columns, in order)."""
        values = dict(zip(self._keys, islice(record, start, None) if start else record, strict=True))
        for index, key, convert in self._conversions:
            value = record[start + index]
            if value is not None:
                values[key] = convert(value)
        # As the ORM's own loading does: the values go straight into the instance's dict, past the
        # instrumented constructor and its per-attribute change events (a third of the cost of a row).
        row = self._new_instance()
        row.__dict__.update(values)
        return row


class WholeRows(Generic[ModelT]):
    """Every column of the rows of `model` whose `key` column is one of some values, read through a
    `ReadConnection` (the DataLoaders' hot reads by key)."""

    def __init__(
        self,
        model: type[ModelT],
        key: str,
        *,
        where: Sequence[ColumnElement[bool]] = (),
        order_by: Sequence[ColumnElement[Any] | QueryableAttribute[Any]] = (),
    ) -> None:
        self._entity = Entity(model)
        table = inspect(model).local_table
        statement = (
            select(*self._entity.columns).where(any_of(table.c[key], "values"), *where).order_by(*order_by)
        )
        self._select = CompiledSelect(statement)
        self.sql = self._select.sql

    async def fetch(self, reads: ReadConnection, values: Sequence[Any]) -> list[ModelT]:
        row = self._entity.row
        return [row(record) for record in await self._select.fetch(reads, values=list(values))]


def _bind_processor(bind_type: TypeEngine[Any]) -> Callable[[Any], Any] | None:
    return bind_type.dialect_impl(_ASYNCPG).bind_processor(_ASYNCPG)


def _driver_value(column_type: TypeEngine[Any]) -> Callable[[Any], Any] | None:
    """How a value asyncpg returns becomes the mapped one (JSON is decoded by the engine's own codec)."""
    if isinstance(column_type, Uuid) and not column_type.as_uuid:
        return str
    if isinstance(column_type, Enum) and column_type.enum_class is not None:
        return column_type.enum_class
    return None
