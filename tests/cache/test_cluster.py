"""Redis Cluster specifics: how `REDIS_URL` names a cluster, where the keys land, and failing open when no
node answers. How the caches, purges and rate limits behave on a cluster is the rest of `tests/cache`,
which runs every test using Redis on a single server and on a local three-master cluster."""

import socket
from collections.abc import AsyncIterator

import pytest
from dishka import AsyncContainer
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

from inkverse.cache.aside import CacheAside, CacheKey, EntryType
from inkverse.cache.invalidator import CacheInvalidator
from inkverse.cache.purge import CacheType, Purge
from inkverse.cache.rate_limit import RateLimiter
from inkverse.cache.redis import RedisClient, cluster_seeds, server_stats
from inkverse.cache.store import CacheNamespace, CacheStore
from inkverse.container import build_container
from inkverse.errors import ConfigurationError
from inkverse.settings import RedisSettings, Settings, load_settings
from tests.fixtures.redis_cluster import LocalCluster


@pytest.mark.parametrize(
    ("url", "seeds"),
    [
        ("redis+cluster://cache.internal:6379", ["redis://cache.internal:6379"]),
        (
            "rediss+cluster://user:secret@h1:7000,h2:7001/0?ssl_cert_reqs=none",
            [
                "rediss://user:secret@h1:7000/0?ssl_cert_reqs=none",
                "rediss://user:secret@h2:7001/0?ssl_cert_reqs=none",
            ],
        ),
    ],
)
def test_a_cluster_url_names_its_seed_nodes(url: str, seeds: list[str]) -> None:
    assert RedisSettings(url=url).url == url
    assert cluster_seeds(url) == seeds


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis+cluster://h1:7000/1", "a Redis Cluster has only database 0"),
        ("redis+cluster://", "names no cluster node"),
    ],
)
def test_a_wrong_cluster_url_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, url: str, message: str
) -> None:
    monkeypatch.setenv("REDIS_URL", url)
    with pytest.raises(ConfigurationError, match=rf"^REDIS_URL: .*{message}"):
        load_settings(env_file=None, dev_env=False)


def test_a_target_keeps_its_entries_index_set_and_marker_in_one_slot() -> None:
    namespace = CacheNamespace(1)
    target = "comicissueforseries:7d1c2b3a-0000-4000-8000-00000000000a"
    keys = [namespace.key(target), namespace.key(f"{target}#LATEST:1:10"), namespace.index(target)]
    assert len({key_slot(key.encode()) for key in [*keys, namespace.marker(target)]}) == 1


@pytest.fixture
async def on_cluster(settings: Settings, redis_cluster: LocalCluster) -> AsyncIterator[AsyncContainer]:
    container = build_container(
        settings.model_copy(update={"redis": RedisSettings(url=redis_cluster.url)}), "test"
    )
    yield container
    await (await container.get(RedisClient)).flushdb()
    await container.close()


async def test_cached_entries_spread_over_every_master_and_are_counted_on_each(
    on_cluster: AsyncContainer,
) -> None:
    client = await on_cluster.get(RedisClient)
    assert isinstance(client, RedisCluster)
    aside = await on_cluster.get(CacheAside)
    keys = [CacheKey(EntryType.COMICSERIES, f"series-{number}") for number in range(60)]
    loads: list[int] = []

    async def load(missing: list[CacheKey]) -> list[str]:
        loads.append(len(missing))
        return [key.id for key in missing]

    for _ in range(2):
        assert await aside.get_many_or_load(keys, load) == [key.id for key in keys]
    assert loads == [60]
    per_master = [await client.dbsize(target_nodes=node) for node in client.get_primaries()]
    assert len(per_master) == 3
    assert all(count > 0 for count in per_master)
    assert sum(per_master) == 60
    assert (await (await on_cluster.get(CacheStore)).count_keys()) == {"comicseries": 60}
    stats = await server_stats(client)
    assert stats["cluster_masters"] == 3
    assert stats["keyspace_hits"] >= 60
    assert stats["keyspace_misses"] >= 60


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_caches_limits_and_purges_fail_open_when_no_node_answers(settings: Settings) -> None:
    unreachable = RedisSettings(url=f"redis+cluster://127.0.0.1:{closed_port()}", socket_timeout_seconds=0.5)
    container = build_container(settings.model_copy(update={"redis": unreachable}), "test")
    try:
        aside = await container.get(CacheAside)
        limiter = await container.get(RateLimiter)
        invalidator = await container.get(CacheInvalidator)

        async def load() -> str:
            return "from the database"

        assert await aside.get_or_load(CacheKey(EntryType.CREATOR, "c1"), load) == "from the database"
        assert (await limiter.hit("login-email-address", "a@example.com", limit=0)).allowed
        outcomes = await invalidator.run([Purge(CacheType.CREATOR, ids=("c1",))])
    finally:
        await container.close()
    assert [(outcome.target, outcome.ok) for outcome in outcomes[:1]] == [("redis", False)]
    assert "Redis Cluster cannot be connected" in outcomes[0].detail
