"""Purges repeated once read replicas have caught up.

A write commits on the primary and purges the caches at once, but a replica replays it a moment later:
a request that misses the cache in between reads the old rows from the replica and caches them again,
for as long as the entry lives. So with replicas every purge goes out a second time after
`DATABASE_READ_MAX_LAG_SECONDS`. The purges made in that interval are repeated together, in one call.
"""

import asyncio
import contextvars
from collections import deque
from collections.abc import Sequence

import structlog

from inkverse.cache.purge import CachePurger, Purge

log = structlog.get_logger(__name__)


class LaggingReplicaPurger:
    def __init__(self, purger: CachePurger, delay_seconds: float) -> None:
        self._purger = purger
        self._delay = delay_seconds
        self._pending: deque[tuple[float, Sequence[Purge]]] = deque()
        """Purges to repeat, with when (event-loop time), oldest first."""
        self._repeater: asyncio.Task[None] | None = None

    async def purge(self, purges: Sequence[Purge]) -> None:
        await self._purger.purge(purges)
        if not purges:
            return
        self._pending.append((asyncio.get_running_loop().time() + self._delay, tuple(purges)))
        if self._repeater is None:
            # A fresh context: the caller's bound log fields (its message id) are not the repeat's.
            self._repeater = asyncio.create_task(self._repeat(), context=contextvars.Context())

    async def wait_idle(self) -> None:
        """Until every purge handed over so far has been repeated (on shutdown: at most the delay)."""
        while self._repeater is not None:
            await asyncio.wait({self._repeater})

    async def _repeat(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                await asyncio.sleep(max(self._pending[0][0] - loop.time(), 0))
                due: dict[Purge, None] = {}
                while self._pending and self._pending[0][0] <= loop.time():
                    due.update(dict.fromkeys(self._pending.popleft()[1]))
                if not due:
                    continue
                try:
                    await self._purger.purge(list(due))
                except Exception:
                    log.exception("cache.repeat_purge_failed")
        finally:
            self._repeater = None
