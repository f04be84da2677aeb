"""Readiness probes: each dependency is checked with a short timeout and named when it fails."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkverse.queues.client import QueueClient

PROBE_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class ProbeResult:
    name: str
    ok: bool
    detail: str = "ok"


class ReadinessChecker:
    def __init__(self, engine: AsyncEngine, redis: Redis, queues: QueueClient, queue_name: str) -> None:
        self._probes: dict[str, Callable[[], Awaitable[object]]] = {
            "postgres": lambda: self._postgres(engine),
            "redis": redis.ping,
            "queue": lambda: queues.ping(queue_name),
        }

    @staticmethod
    async def _postgres(engine: AsyncEngine) -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def check(self) -> list[ProbeResult]:
        return list(await asyncio.gather(*(self._run(name, probe) for name, probe in self._probes.items())))

    @staticmethod
    async def _run(name: str, probe: Callable[[], Awaitable[object]]) -> ProbeResult:
        try:
            await asyncio.wait_for(probe(), PROBE_TIMEOUT_SECONDS)
        except TimeoutError:
            return ProbeResult(name, ok=False, detail="timed out")
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the reason is reported
            return ProbeResult(name, ok=False, detail=f"{type(exc).__name__}: {exc}"[:200])
        return ProbeResult(name, ok=True)
