"""Group commit: calls that arrive while an earlier one is running share the next one.

A `Coalescer` runs one batch at a time. An item submitted while the coalescer is idle starts a batch
at once (a lone caller waits for nobody); items submitted while a batch runs wait together and go in
the next one. So under load one call serves many callers (one purge, one DeleteMessageBatch, one
SendMessageBatch), and nothing is ever delayed on purpose.
"""

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")

Flush = Callable[[list[ItemT]], Awaitable[Sequence[ResultT]]]
"""Handles a batch of items; returns one result per item, in order."""


class Coalescer(Generic[ItemT, ResultT]):
    def __init__(
        self, flush: Flush[ItemT, ResultT], *, max_items: int | None = None, concurrency: int = 1
    ) -> None:
        """`max_items` bounds a batch; what is left over goes in the next one. Up to `concurrency`
        batches run at once (each started while the others are busy)."""
        self._flush = flush
        self._max_items = max_items
        self._concurrency = concurrency
        self._waiting: list[tuple[ItemT, asyncio.Future[ResultT] | None]] = []
        self._runners: set[asyncio.Task[None]] = set()

    async def submit(self, item: ItemT) -> ResultT:
        """The item's result, once the batch that holds it has run (its exception, if the batch failed)."""
        future: asyncio.Future[ResultT] = asyncio.get_running_loop().create_future()
        self._add(item, future)
        return await future

    def post(self, item: ItemT) -> None:
        """Hand the item to a coming batch without waiting for it."""
        self._add(item, None)

    async def wait_idle(self) -> None:
        """Until every item handed over so far has been through a batch."""
        while running := self._running():
            await asyncio.wait(running)

    def _add(self, item: ItemT, future: asyncio.Future[ResultT] | None) -> None:
        self._waiting.append((item, future))
        if len(self._running()) < self._concurrency:
            # A fresh context: the caller's bound log fields (its message id) are not the batch's.
            runner = asyncio.create_task(self._run(), context=contextvars.Context())
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)

    def _running(self) -> list[asyncio.Task[None]]:
        # A runner that has just returned is done before its callback leaves the set.
        return [runner for runner in self._runners if not runner.done()]

    async def _run(self) -> None:
        while self._waiting:
            size = self._max_items or len(self._waiting)
            batch, self._waiting = self._waiting[:size], self._waiting[size:]
            try:
                results = await self._flush([item for item, _ in batch])
            except asyncio.CancelledError:
                for _, future in [*batch, *self._waiting]:
                    if future is not None:
                        future.cancel()
                self._waiting = []
                raise
            except Exception as exc:  # noqa: BLE001 - handed to the callers that wait for this batch
                for _, future in batch:
                    if future is not None and not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if future is not None and not future.done():
                    future.set_result(result)
