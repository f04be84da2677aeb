"""Cache-aside on the real Redis (one server and a cluster): hits, single flight, negative entries, purges,
fail-open."""

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from inkverse.cache.aside import CacheAside, CacheKey, EntryType
from inkverse.cache.invalidator import CacheInvalidator
from inkverse.cache.purge import CacheType, Purge
from inkverse.cache.redis import RedisClient, make_redis
from inkverse.cache.store import CacheStore
from inkverse.metrics import Metrics
from inkverse.settings import CacheSettings, RedisSettings
from tests.cache.support import errors, key_count, lookups

SERIES = "4f5a1a4e-2f6b-4a33-9d7e-000000000001"


@dataclass
class Series:
    uuid: str
    name: str


class CountingLoader:
    """A loader that counts its calls and can be held until released."""

    def __init__(self, value: Any, delay: float = 0.0) -> None:
        self.value = value
        self.delay = delay
        self.calls = 0

    async def __call__(self) -> Any:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return self.value


def series_from_json(value: dict[str, str]) -> Series:
    return Series(**value)


async def test_second_read_is_a_hit(aside: CacheAside, metrics: Metrics) -> None:
    key = CacheKey(EntryType.COMICSERIES, SERIES)
    loader = CountingLoader(Series(SERIES, "Ink"))
    first = await aside.get_or_load(key, loader, decode=series_from_json)
    second = await aside.get_or_load(key, loader, decode=series_from_json)
    assert first == second == Series(SERIES, "Ink")
    assert loader.calls == 1
    assert lookups(metrics, "aside", "comicseries", "miss") == 1
    assert lookups(metrics, "aside", "comicseries", "hit") == 1


async def test_entry_gets_the_ttl_of_its_type(aside: CacheAside, redis: RedisClient) -> None:
    await aside.get_or_load(CacheKey(EntryType.COMICSERIES, SERIES), CountingLoader({"uuid": SERIES}))
    await aside.get_or_load(CacheKey(EntryType.COMICSERIES, "x"), CountingLoader({"a": 1}), ttl=30)
    assert 86_000 < await redis.ttl(f"inkverse:v1:{{comicseries:{SERIES}}}") <= 86_400
    assert 0 < await redis.ttl("inkverse:v1:{comicseries:x}") <= 30


async def test_stampede_of_misses_loads_once(aside: CacheAside) -> None:
    loader = CountingLoader({"uuid": SERIES, "name": "Ink"}, delay=0.05)
    key = CacheKey(EntryType.COMICSERIES, SERIES)
    results = await asyncio.gather(*(aside.get_or_load(key, loader) for _ in range(100)))
    assert loader.calls == 1
    assert all(result == {"uuid": SERIES, "name": "Ink"} for result in results)


async def test_a_caller_giving_up_does_not_cancel_the_shared_load(aside: CacheAside) -> None:
    loader = CountingLoader({"n": 1}, delay=0.05)
    key = CacheKey(EntryType.CREATOR, "c1")
    impatient = asyncio.create_task(aside.get_or_load(key, loader))
    patient = asyncio.create_task(aside.get_or_load(key, loader))
    await asyncio.sleep(0.01)
    impatient.cancel()
    assert await patient == {"n": 1}
    assert loader.calls == 1


async def test_loader_failure_reaches_every_waiter_and_is_not_cached(aside: CacheAside) -> None:
    calls = 0

    async def failing() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise RuntimeError("database down")

    key = CacheKey(EntryType.CREATOR, "c2")
    outcomes = await asyncio.gather(
        *(aside.get_or_load(key, failing) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(outcome, RuntimeError) for outcome in outcomes)
    assert calls == 1
    with pytest.raises(RuntimeError):
        await aside.get_or_load(key, failing)
    assert calls == 2


async def test_missing_id_is_cached_as_negative_until_purged(
    aside: CacheAside, invalidator: CacheInvalidator, redis: RedisClient
) -> None:
    key = CacheKey(EntryType.COMICSERIES, SERIES)
    absent = CountingLoader(None)
    assert await aside.get_or_load(key, absent) is None
    assert await aside.get_or_load(key, absent) is None
    assert absent.calls == 1
    assert 0 < await redis.ttl(f"inkverse:v1:{{comicseries:{SERIES}}}") <= 60

    await invalidator.purge([Purge(CacheType.COMICSERIES, ids=(SERIES,))])
    created = CountingLoader({"uuid": SERIES})
    assert await aside.get_or_load(key, created) == {"uuid": SERIES}
    assert created.calls == 1


async def test_purge_removes_every_variant_and_the_short_url_entry(
    aside: CacheAside, invalidator: CacheInvalidator
) -> None:
    pages = [CacheKey(EntryType.ISSUES_FOR_SERIES, SERIES, f"LATEST:{page}:10") for page in (1, 2)]
    by_short_url = CacheKey(EntryType.COMICSERIES_BY_SHORT_URL, "ink")
    other_series = CacheKey(EntryType.ISSUES_FOR_SERIES, "other", "LATEST:1:10")
    for key in [*pages, by_short_url, other_series]:
        await aside.get_or_load(key, CountingLoader(["old"]))

    await invalidator.purge(
        [
            Purge(CacheType.COMICISSUE, ids=("issue-1",), series_uuid=SERIES),
            Purge(CacheType.COMICSERIES, ids=(SERIES,), short_url="ink"),
        ]
    )
    for key in [*pages, by_short_url]:
        assert await aside.get_or_load(key, CountingLoader(["new"])) == ["new"]
    assert await aside.get_or_load(other_series, CountingLoader(["new"])) == ["old"]


async def test_a_read_that_started_before_a_purge_does_not_store_old_data(
    aside: CacheAside, invalidator: CacheInvalidator
) -> None:
    key = CacheKey(EntryType.COMICSERIES, SERIES)
    release = asyncio.Event()

    async def slow_old_read() -> dict[str, str]:
        await release.wait()
        return {"name": "old"}

    reading = asyncio.create_task(aside.get_or_load(key, slow_old_read))
    await asyncio.sleep(0.02)
    await invalidator.purge([Purge(CacheType.COMICSERIES, ids=(SERIES,))])
    release.set()
    assert await reading == {"name": "old"}
    assert await aside.get_or_load(key, CountingLoader({"name": "new"})) == {"name": "new"}


async def test_get_many_reads_once_and_loads_only_the_missing(aside: CacheAside, metrics: Metrics) -> None:
    keys = [CacheKey(EntryType.CREATOR, name) for name in ("a", "b", "c")]
    await aside.get_or_load(keys[1], CountingLoader({"id": "b"}))
    asked: list[list[str]] = []

    async def load(missing: list[CacheKey]) -> list[dict[str, str] | None]:
        asked.append([key.id for key in missing])
        return [{"id": key.id} if key.id != "c" else None for key in missing]

    assert await aside.get_many_or_load(keys, load) == [{"id": "a"}, {"id": "b"}, None]
    assert asked == [["a", "c"]]
    assert await aside.get_many_or_load(keys, load) == [{"id": "a"}, {"id": "b"}, None]
    assert asked == [["a", "c"]]
    assert lookups(metrics, "aside", "creator", "hit") == 4


async def test_get_many_refuses_a_loader_returning_the_wrong_count(aside: CacheAside) -> None:
    async def load(missing: list[CacheKey]) -> list[None]:
        return []

    with pytest.raises(ValueError, match="0 values for 1 keys"):
        await aside.get_many_or_load([CacheKey(EntryType.CREATOR, "z")], load)


async def test_undecodable_entry_is_a_miss(aside: CacheAside, redis: RedisClient) -> None:
    await redis.set("inkverse:v1:{creator:bad}", b"\xff not json")
    loader = CountingLoader({"ok": True})
    assert await aside.get_or_load(CacheKey(EntryType.CREATOR, "bad"), loader) == {"ok": True}
    assert loader.calls == 1


async def test_disabled_cache_always_loads(metrics: Metrics, redis: RedisClient) -> None:
    disabled = CacheAside(
        CacheStore.from_settings(redis, CacheSettings(), metrics), CacheSettings(enabled=False), metrics
    )
    loader = CountingLoader({"n": 1})
    for _ in range(2):
        assert await disabled.get_or_load(CacheKey(EntryType.CREATOR, "d"), loader) == {"n": 1}
    assert loader.calls == 2
    assert await key_count(redis) == 0


@pytest.fixture
async def unreachable_redis() -> AsyncIterator[RedisClient]:
    """A client for a port nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_redis(RedisSettings(url=f"redis://127.0.0.1:{port}/0", socket_timeout_seconds=0.5))
    yield client
    await client.aclose()


class TestRedisDown:
    async def test_every_read_is_answered_and_errors_are_counted(
        self, unreachable_redis: RedisClient
    ) -> None:
        metrics = Metrics()
        settings = CacheSettings(failure_cooldown_seconds=0)
        aside = CacheAside(CacheStore.from_settings(unreachable_redis, settings, metrics), settings, metrics)
        loader = CountingLoader({"uuid": SERIES})
        started = time.perf_counter()
        for _ in range(10):
            assert await aside.get_or_load(CacheKey(EntryType.COMICSERIES, SERIES), loader) == {
                "uuid": SERIES
            }
        many = await aside.get_many_or_load(
            [CacheKey(EntryType.CREATOR, "a")], lambda keys: _values([{"id": "a"}])
        )
        assert many == [{"id": "a"}]
        assert loader.calls == 10
        assert errors(metrics, "aside", "read") == 11
        assert lookups(metrics, "aside", "comicseries", "error") == 10
        assert time.perf_counter() - started < 10 * settings.operation_timeout_seconds + 1

    async def test_after_a_failure_redis_is_left_alone_for_the_cooldown(
        self, unreachable_redis: RedisClient
    ) -> None:
        metrics = Metrics()
        settings = CacheSettings(failure_cooldown_seconds=60)
        aside = CacheAside(CacheStore.from_settings(unreachable_redis, settings, metrics), settings, metrics)
        for _ in range(5):
            assert await aside.get_or_load(CacheKey(EntryType.CREATOR, "c"), CountingLoader(1)) == 1
        assert errors(metrics, "aside", "read") == 1
        assert lookups(metrics, "aside", "creator", "error") == 5


async def _values(values: list[Any]) -> list[Any]:
    return values
