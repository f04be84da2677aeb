"""The one purge entry point: what it removes, in which order, and that it never raises."""

from collections.abc import Awaitable, Callable, Sequence

import pytest

from inkverse.cache.aside import CacheAside, CacheKey, EntryType
from inkverse.cache.invalidator import CacheInvalidator, origin_targets
from inkverse.cache.purge import CacheType, Purge, PurgeFailedError, make_purge
from inkverse.cache.redis import RedisClient, make_redis
from inkverse.cache.store import CacheStore
from inkverse.errors import ValidationError
from inkverse.metrics import Metrics
from inkverse.settings import CacheSettings, RedisSettings
from tests.cache.support import FakeCdn


class RecordingCdn:
    def __init__(self, name: str, fail: bool = False) -> None:
        self.name = name
        self.fail = fail
        self.calls: list[Sequence[Purge]] = []

    async def send(self, purges: Sequence[Purge]) -> None:
        self.calls.append(purges)
        if self.fail:
            raise PurgeFailedError(f"{self.name} is down")


def test_targets_name_the_entries_and_the_graphql_objects() -> None:
    issue = Purge(CacheType.COMICISSUE, ids=("i1",), short_url="ink", name="One", series_uuid="s1")
    assert origin_targets(issue) == [
        "comicissue:i1",
        "comicissueforseries:s1",
        "tag:ComicIssue:i1",
        "tag:ComicIssueForSeries:s1",
    ]
    assert origin_targets(Purge(CacheType.RECENTLY_ADDED)) == [
        "homescreen:recently-added",
        "tag:HomeScreenComicSeries:recently-added",
    ]
    assert origin_targets(Purge(CacheType.CREATOR, ids=("c1",), short_url="ann")) == [
        "creator:c1",
        "creator-short-url:ann",
        "tag:Creator:c1",
    ]
    assert origin_targets(Purge(CacheType.COMMENTS, ids=("i1",))) == [
        "comments:i1",
        "tag:CommentsForTarget:i1",
    ]
    assert origin_targets(Purge(CacheType.SITEMAP, ids=("comicseries-1.xml",))) == []


async def test_the_configured_purger_reaches_redis_and_both_cdns(
    invalidator: CacheInvalidator, fake_cloudflare: FakeCdn, fake_stellate: FakeCdn
) -> None:
    outcomes = await invalidator.run([Purge(CacheType.RECENTLY_ADDED)])
    assert [(outcome.target, outcome.ok) for outcome in outcomes] == [
        ("redis", True),
        ("cloudflare", True),
        ("stellate", True),
    ]
    assert fake_cloudflare.bodies == [{"files": ["https://inkverse.co/"]}]
    assert fake_stellate.bodies[0]["variables"] == {"id": ["recently-added"]}


async def test_a_failing_cdn_is_reported_never_raised(
    aside: CacheAside, metrics: Metrics, redis: RedisClient
) -> None:
    store = CacheStore.from_settings(redis, CacheSettings(), metrics)
    cloudflare, stellate = RecordingCdn("cloudflare", fail=True), RecordingCdn("stellate")
    invalidator = CacheInvalidator(store, [cloudflare, stellate], metrics, wait_seconds=0.01)
    key = CacheKey(EntryType.COMICSERIES, "s1")
    await aside.get_or_load(key, _value("old"))

    await invalidator.purge([Purge(CacheType.COMICSERIES, ids=("s1",))])
    assert await aside.get_or_load(key, _value("new")) == "new"
    assert len(cloudflare.calls) == len(stellate.calls) == 1
    samples = {"target": "cloudflare", "outcome": "failed"}
    assert metrics.registry.get_sample_value("inkverse_cache_purges_total", samples) == 1


async def test_redis_down_is_retried_reported_and_the_cdns_still_called() -> None:
    metrics = Metrics()
    down = make_redis(RedisSettings(url="unix:///nonexistent/redis.sock"))
    cdn = RecordingCdn("stellate")
    invalidator = CacheInvalidator(
        CacheStore.from_settings(down, CacheSettings(), metrics), [cdn], metrics, wait_seconds=0.01
    )
    outcomes = await invalidator.run([Purge(CacheType.CREATOR, ids=("c1",))])
    await down.aclose()
    assert [(outcome.target, outcome.ok) for outcome in outcomes] == [("redis", False), ("stellate", True)]
    assert len(cdn.calls) == 1


async def test_incomplete_purges_do_what_they_can(
    invalidator: CacheInvalidator, fake_stellate: FakeCdn
) -> None:
    outcomes = await invalidator.run([Purge(CacheType.COMICISSUE, ids=("i1",))])
    assert all(outcome.ok for outcome in outcomes)
    assert [body["variables"] for body in fake_stellate.bodies] == [{"uuid": ["i1"]}]


class TestMakePurge:
    def test_unknown_type_is_refused_with_the_known_ones(self) -> None:
        with pytest.raises(ValidationError, match="unknown cache type 'series'; expected one of: everything"):
            make_purge("series", ["s1"])

    @pytest.mark.parametrize(
        ("cache_type", "ids", "missing"),
        [("comicseries", [], "ids"), ("comicissue", ["i1"], "series_uuid"), ("sitemap", [""], "ids")],
    )
    def test_missing_inputs_are_named(self, cache_type: str, ids: list[str], missing: str) -> None:
        with pytest.raises(ValidationError) as raised:
            make_purge(cache_type, ids)
        assert raised.value.field == missing

    def test_types_without_ids(self) -> None:
        assert make_purge("recentlyAdded") == Purge(CacheType.RECENTLY_ADDED)
        assert make_purge("everything").cache_type is CacheType.EVERYTHING


def _value(value: str) -> Callable[[], Awaitable[str]]:
    async def load() -> str:
        return value

    return load
