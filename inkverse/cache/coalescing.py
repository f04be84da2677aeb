"""Purges of concurrent callers (the worker's messages, mutations) made as one.

A purge that arrives while another is running waits for it and then goes out with every purge that
arrived meanwhile, duplicates removed: one Redis script and one round of CDN calls (Cloudflare takes 30
URLs a call) for many events instead of one each. A lone purge runs at once; each caller still returns
only once its own purge is done, so a message is acknowledged after the pages it changed were purged.
"""

from collections.abc import Sequence

from inkverse.batching import Coalescer
from inkverse.cache.purge import CachePurger, Purge


class CoalescingPurger:
    def __init__(self, purger: CachePurger) -> None:
        self._purger = purger
        self._together: Coalescer[tuple[Purge, ...], None] = Coalescer(self._purge_together)

    async def purge(self, purges: Sequence[Purge]) -> None:
        if purges:
            await self._together.submit(tuple(purges))

    async def wait_idle(self) -> None:
        await self._together.wait_idle()

    async def _purge_together(self, requests: list[tuple[Purge, ...]]) -> list[None]:
        await self._purger.purge(list(dict.fromkeys(purge for request in requests for purge in request)))
        return [None] * len(requests)
