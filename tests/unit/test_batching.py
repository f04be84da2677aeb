"""Group commit: callers that arrive while a batch runs share the next one; nobody waits on purpose."""

import asyncio
from collections.abc import Sequence

import pytest

from inkverse.batching import Coalescer
from inkverse.cache.coalescing import CoalescingPurger
from inkverse.cache.purge import CacheType, Purge


class Recorder:
    """A flush that records its batches and holds each one until released."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.running = asyncio.Event()
        self.release = asyncio.Event()

    async def flush(self, items: list[int]) -> list[int]:
        self.batches.append(items)
        self.running.set()
        await self.release.wait()
        return [item * 10 for item in items]


async def test_a_lone_item_runs_at_once() -> None:
    recorder = Recorder()
    recorder.release.set()
    coalescer: Coalescer[int, int] = Coalescer(recorder.flush)
    assert await coalescer.submit(1) == 10
    assert recorder.batches == [[1]]


async def test_items_arriving_while_a_batch_runs_share_the_next_one() -> None:
    recorder = Recorder()
    coalescer: Coalescer[int, int] = Coalescer(recorder.flush)
    first = asyncio.ensure_future(coalescer.submit(1))
    await recorder.running.wait()
    later = [asyncio.ensure_future(coalescer.submit(item)) for item in (2, 3, 4)]
    await asyncio.sleep(0)
    recorder.release.set()
    assert [await first, *[await future for future in later]] == [10, 20, 30, 40]
    assert recorder.batches == [[1], [2, 3, 4]]


async def test_max_items_splits_a_backlog() -> None:
    recorder = Recorder()
    coalescer: Coalescer[int, int] = Coalescer(recorder.flush, max_items=2)
    first = asyncio.ensure_future(coalescer.submit(0))
    await recorder.running.wait()
    for item in (1, 2, 3, 4, 5):
        coalescer.post(item)
    recorder.release.set()
    await first
    await coalescer.wait_idle()
    assert recorder.batches == [[0], [1, 2], [3, 4], [5]]


async def test_a_failed_batch_fails_its_callers_only() -> None:
    calls: list[list[int]] = []

    async def flaky(items: list[int]) -> list[int]:
        calls.append(items)
        if len(calls) == 1:
            raise ConnectionError("down")
        return items

    coalescer: Coalescer[int, int] = Coalescer(flaky)
    with pytest.raises(ConnectionError):
        await coalescer.submit(1)
    assert await coalescer.submit(2) == 2


class RecordingPurger:
    def __init__(self) -> None:
        self.calls: list[list[Purge]] = []
        self.running = asyncio.Event()
        self.release = asyncio.Event()

    async def purge(self, purges: Sequence[Purge]) -> None:
        self.calls.append(list(purges))
        self.running.set()
        await self.release.wait()


async def test_concurrent_purges_go_out_as_one_without_duplicates() -> None:
    inner = RecordingPurger()
    purger = CoalescingPurger(inner)
    series = Purge(CacheType.COMICSERIES, ("s1",), short_url="the-lighthouse-keeper")
    first = asyncio.ensure_future(purger.purge([series]))
    await inner.running.wait()
    issues = [Purge(CacheType.COMICISSUE, (f"i{n}",), series_uuid="s1") for n in range(3)]
    recently_updated = Purge(CacheType.RECENTLY_UPDATED)
    others = [asyncio.ensure_future(purger.purge([series, issue, recently_updated])) for issue in issues]
    await asyncio.sleep(0)
    inner.release.set()
    await asyncio.gather(first, *others)
    assert inner.calls == [[series], [series, issues[0], recently_updated, issues[1], issues[2]]]
