"""Read replicas (`DATABASE_READ_URL`) for the public GraphQL reads, with the primary as their fallback.

`ReadReplicas` (APP scope) holds one AUTOCOMMIT engine per replica and hands out their connections in
turn. A replica that could not be reached (refused, timed out, login refused) or whose connection was
lost is skipped for `DATABASE_READ_COOLDOWN_SECONDS`, so requests do not each wait on it; when none is
available the reads go to the primary. `RequestReads` (`inkverse.database.reads`) uses it per request.
"""

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import structlog
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.engine import make_url
from sqlalchemy.pool import PoolProxiedConnection, QueuePool

from inkverse.database.engine import ReadEngine, make_engine, make_read_engine
from inkverse.settings import DatabaseSettings

log = structlog.get_logger(__name__)

RECOVERY_CONFLICT = "40001"
"""SQLSTATE of a query a hot standby cancelled because replaying the primary's changes needed its rows
(`canceling statement due to conflict with recovery`): the primary answers it."""


@dataclass(eq=False)
class Replica:
    name: str
    """`host:port/database`, without credentials (logs, `/readyz`, `/metrics`)."""
    engine: ReadEngine
    down_until: float = 0.0
    failing: bool = False


class NoReplicaConnectionError(Exception):
    """Every connection the replica's pool handed out was closed and no new one could be opened."""


class ReadReplicas:
    def __init__(
        self,
        primary: ReadEngine,
        replicas: Sequence[Replica],
        *,
        cooldown_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.replicas = list(replicas)
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._next = 0

    @classmethod
    def from_settings(
        cls, settings: DatabaseSettings, primary: ReadEngine, application_name: str
    ) -> "ReadReplicas":
        replicas = [
            Replica(
                server_name(url),
                make_read_engine(
                    make_engine(
                        settings,
                        application_name,
                        url=url,
                        connect_timeout_seconds=settings.read_connect_timeout_seconds,
                    )
                ),
            )
            for url in settings.read_urls
        ]
        return cls(primary, replicas, cooldown_seconds=settings.read_cooldown_seconds)

    def __bool__(self) -> bool:
        return bool(self.replicas)

    async def connect(self) -> tuple[PoolProxiedConnection, Replica] | None:
        """A live connection to the next available replica, or None when none is available."""
        count = len(self.replicas)
        if not count:
            return None
        start, self._next = self._next, (self._next + 1) % count
        now = self._clock()
        for offset in range(count):
            replica = self.replicas[(start + offset) % count]
            if replica.down_until > now:
                continue
            try:
                pooled = await _live_connection(replica.engine)
            except Exception as exc:  # noqa: BLE001 - whatever keeps a replica from answering sends reads to the primary
                self.failed(replica, exc)
                continue
            if replica.failing:
                replica.failing = False
                log.info("database.replica_up", replica=replica.name)
            return pooled, replica
        return None

    def failed(self, replica: Replica, error: BaseException) -> None:
        """Leave `replica` alone for the cool-down (a connection to it failed or was lost)."""
        replica.down_until = self._clock() + self._cooldown
        if not replica.failing:
            replica.failing = True
            log.warning(
                "database.replica_down",
                replica=replica.name,
                error=f"{type(error).__name__}: {error}"[:200],
                retry_in_seconds=self._cooldown,
            )

    def available(self, replica: Replica) -> bool:
        return replica.down_until <= self._clock()

    async def dispose(self) -> None:
        for replica in self.replicas:
            await replica.engine.dispose()


async def _live_connection(engine: ReadEngine) -> PoolProxiedConnection:
    """A pooled connection whose server has not closed it: a replica that restarted or failed over
    leaves closed connections in the pool, found here without a round trip."""
    pool = engine.pool
    attempts = (pool.size() + 1) if isinstance(pool, QueuePool) else 1
    for _ in range(attempts):
        pooled = await engine.raw_connection()
        if not is_closed(pooled):
            return pooled
        discard(pooled)
    raise NoReplicaConnectionError("every pooled connection was closed")


def is_closed(pooled: PoolProxiedConnection) -> bool:
    driver = pooled.driver_connection
    return driver is None or bool(driver.is_closed())


def discard(pooled: PoolProxiedConnection) -> None:
    """Drop a connection from its pool. Outside a greenlet SQLAlchemy closes the driver at once,
    without waiting on a server that may be gone."""
    if pooled.dbapi_connection is not None:
        pooled.invalidate()
    pooled.close()


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of an asyncpg error, raw or wrapped by SQLAlchemy."""
    for candidate in (error, getattr(error, "orig", None), error.__cause__):
        state = getattr(candidate, "sqlstate", None)
        if isinstance(state, str):
            return state
    return None


def server_name(url: str) -> str:
    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host", "localhost"))
    return f"{host}:{parsed.port or 5432}/{parsed.database or ''}"


class PoolGauges(Collector):
    """The connection pools of the primary and of each replica, read when `/metrics` is scraped."""

    def __init__(self, primary_name: str, replicas: ReadReplicas) -> None:
        self._primary_name = primary_name
        self._replicas = replicas

    def collect(self) -> Iterator[GaugeMetricFamily]:
        labels = ["pool", "server"]
        size = GaugeMetricFamily(
            "inkverse_database_pool_size", "Connections a pool keeps open (without overflow).", labels=labels
        )
        connections = GaugeMetricFamily(
            "inkverse_database_pool_connections",
            "Open connections of a pool: in_use (checked out), idle, overflow (beyond the pool size).",
            labels=[*labels, "state"],
        )
        available = GaugeMetricFamily(
            "inkverse_database_replica_available",
            "1 while a replica takes reads, 0 during the cool-down after a failure.",
            labels=["server"],
        )
        pools = [("primary", self._primary_name, self._replicas.primary)]
        pools += [("replica", replica.name, replica.engine) for replica in self._replicas.replicas]
        for role, name, engine in pools:
            pool = engine.pool
            if not isinstance(pool, QueuePool):
                continue
            size.add_metric([role, name], pool.size())
            connections.add_metric([role, name, "in_use"], pool.checkedout())
            connections.add_metric([role, name, "idle"], pool.checkedin())
            connections.add_metric([role, name, "overflow"], max(pool.overflow(), 0))
        for replica in self._replicas.replicas:
            available.add_metric([replica.name], 1 if self._replicas.available(replica) else 0)
        yield size
        yield connections
        if self._replicas.replicas:
            yield available
