"""Readiness probes: each dependency is checked with a short timeout and named when it fails.

Only PostgreSQL (the primary) is essential: without it no request can be answered. Redis (every read
falls back to the database), the queue (only webhook intake needs it, and answers 503 itself) and the
read replicas (their reads fall back to the primary) make the process degraded, not unready, so a load
balancer keeps serving through their outages.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkverse.cache.redis import RedisClient
from inkverse.queues.client import QueueClient

PROBE_TIMEOUT_SECONDS = 2.0
ESSENTIAL = frozenset({"postgres"})


@dataclass(frozen=True)
class ProbeResult:
    name: str
    ok: bool
    detail: str = "ok"

    @property
    def essential(self) -> bool:
        return self.name in ESSENTIAL


@dataclass(frozen=True)
class Readiness:
    results: list[ProbeResult]

    @property
    def status(self) -> str:
        failing = [result for result in self.results if not result.ok]
        if any(result.essential for result in failing):
            return "unavailable"
        return "degraded" if failing else "ready"

    @property
    def failing(self) -> list[str]:
        return [result.name for result in self.results if not result.ok]


class ReadinessChecker:
    def __init__(
        self,
        engine: AsyncEngine,
        redis: RedisClient,
        queues: QueueClient,
        queue_name: str,
        *,
        replicas: Sequence[AsyncEngine] = (),
        detailed: bool = True,
    ) -> None:
        """`replicas` are reported as `postgres_replica` (several: `postgres_replica_1`, ...)."""
        self._detailed = detailed
        self._probes: dict[str, Callable[[], Awaitable[object]]] = {
            "postgres": lambda: self._postgres(engine),
            "redis": redis.ping,
            "queue": lambda: queues.ping(queue_name),
        }
        for number, replica in enumerate(replicas, start=1):
            name = "postgres_replica" if len(replicas) == 1 else f"postgres_replica_{number}"
            self._probes[name] = partial(self._postgres, replica)

    @staticmethod
    async def _postgres(engine: AsyncEngine) -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def check(self) -> Readiness:
        results = await asyncio.gather(*(self._run(name, probe) for name, probe in self._probes.items()))
        return Readiness(list(results))

    async def _run(self, name: str, probe: Callable[[], Awaitable[object]]) -> ProbeResult:
        try:
            await asyncio.wait_for(probe(), PROBE_TIMEOUT_SECONDS)
        except TimeoutError:
            return ProbeResult(name, ok=False, detail="timed out")
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the reason is reported
            # In production only the kind of failure is shown: messages can name hosts and users.
            detail = f"{type(exc).__name__}: {exc}"[:200] if self._detailed else type(exc).__name__
            return ProbeResult(name, ok=False, detail=detail)
        return ProbeResult(name, ok=True)
