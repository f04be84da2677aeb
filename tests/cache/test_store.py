"""The Redis side of both caches (one server and a cluster, where a response and the tags it is indexed
under live in different slots): batched reads, purges by tag, and writes that lost a race with a purge."""

import pytest
from dishka import AsyncContainer

from inkverse.cache.aside import CacheAside, CacheKey, EntryType
from inkverse.cache.redis import RedisClient
from inkverse.cache.store import CacheStore, CacheWrite

LAYER = "response"


@pytest.fixture
async def store(container: AsyncContainer, redis: RedisClient) -> CacheStore:
    return await container.get(CacheStore)


def response(name: str, *tags: str, value: bytes = b"body") -> CacheWrite:
    targets = tuple(f"tag:{tag}" for tag in tags)
    return CacheWrite(name=name, value=value, ttl_seconds=600, targets=targets, indexed_under=targets)


async def test_a_batch_read_answers_each_name_in_place(store: CacheStore) -> None:
    names = [f"creator:{number}" for number in range(40)]
    started = (await store.read(LAYER, names)).started
    await store.write(LAYER, [CacheWrite(name, name.encode(), 60, (name,)) for name in names[::2]], started)
    snapshot = await store.read(LAYER, names)
    assert snapshot.values == [
        name.encode() if number % 2 == 0 else None for number, name in enumerate(names)
    ]


async def test_purging_a_tag_removes_every_response_indexed_under_it(store: CacheStore) -> None:
    started = (await store.read(LAYER, ["response:a"])).started
    writes = [response(f"response:{number}", "ComicSeries:s1", f"Creator:c{number}") for number in range(20)]
    await store.write(LAYER, [*writes, response("response:other", "ComicSeries:s2")], started)

    assert await store.purge(["tag:ComicSeries:s1"]) == 20
    names = [write.name for write in writes]
    assert (await store.read(LAYER, names)).values == [None] * 20
    assert (await store.read(LAYER, ["response:other"])).values == [b"body"]


async def test_a_response_read_before_a_purge_of_one_of_its_tags_is_not_stored(store: CacheStore) -> None:
    started = (await store.read(LAYER, ["response:old"])).started
    await store.purge(["tag:ComicIssue:i7"])
    await store.write(LAYER, [response("response:old", "ComicSeries:s1", "ComicIssue:i7")], started)
    assert (await store.read(LAYER, ["response:old"])).values == [None]


async def test_a_response_read_after_the_purge_is_stored_and_purged_next_time(store: CacheStore) -> None:
    await store.purge(["tag:ComicIssue:i7"])
    started = (await store.read(LAYER, ["response:new"])).started
    await store.write(LAYER, [response("response:new", "ComicSeries:s1", "ComicIssue:i7")], started)
    assert (await store.read(LAYER, ["response:new"])).values == [b"body"]
    assert await store.purge(["tag:ComicIssue:i7"]) == 1
    assert (await store.read(LAYER, ["response:new"])).values == [None]


async def test_a_write_read_before_everything_was_purged_is_dropped(store: CacheStore) -> None:
    started = (await store.read(LAYER, ["comicseries:s1"])).started
    await store.flush()
    await store.write(LAYER, [CacheWrite("comicseries:s1", b"old", 60, ("comicseries:s1",))], started)
    assert (await store.read(LAYER, ["comicseries:s1"])).values == [None]


async def test_scripts_lost_by_the_server_are_loaded_again(aside: CacheAside, redis: RedisClient) -> None:
    """What a restart or a failover does: the server forgets the Lua scripts."""
    keys = [CacheKey(EntryType.CREATOR, f"c{number}") for number in range(10)]
    await redis.script_flush()
    calls: list[int] = []

    async def load(missing: list[CacheKey]) -> list[str]:
        calls.append(len(missing))
        return [key.id for key in missing]

    assert await aside.get_many_or_load(keys, load) == [key.id for key in keys]
    await redis.script_flush()
    assert await aside.get_many_or_load(keys, load) == [key.id for key in keys]
    assert calls == [10]
