"""`inkverse cache purge` and `inkverse cache stats` as a user runs them, on one Redis and on a cluster."""

import os
import subprocess
import sys
from collections.abc import Awaitable, Callable

import pytest

from inkverse.cache.aside import CacheAside, CacheKey, EntryType
from inkverse.cache.redis import RedisClient
from tests.cache.support import key_count


def inkverse(*args: str, redis_url: str | None = None) -> subprocess.CompletedProcess[str]:
    prefixes = ("REDIS_", "CACHE_", "CLOUDFLARE_", "STELLATE_", "DATABASE_", "INKVERSE_")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(prefixes)}
    if redis_url is not None:
        environment["REDIS_URL"] = redis_url
    return subprocess.run(
        [sys.executable, "-m", "inkverse.cli.main", "cache", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def test_unknown_type_is_one_line_naming_the_known_ones() -> None:
    result = inkverse("purge", "series", "abc")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "inkverse: type: unknown cache type 'series'; expected one of: everything,"
    )
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_series_of_an_issue_is_refused() -> None:
    result = inkverse("purge", "comicissue", "i1")
    assert result.returncode == 1
    assert result.stderr.strip() == "inkverse: series_uuid: required for cache type 'comicissue'"


async def test_purge_removes_the_entry_and_reports_each_target(aside: CacheAside, redis_url: str) -> None:
    key = CacheKey(EntryType.COMICSERIES, "s1")
    await aside.get_or_load(key, _load("old"))
    result = inkverse("purge", "comicseries", "s1", "--short-url", "ink", redis_url=redis_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "redis\tok\t1 entries removed",
        "cloudflare\tok\tnot configured: logged only",
        "stellate\tok\tnot configured: logged only",
    ]
    assert await aside.get_or_load(key, _load("new")) == "new"


@pytest.mark.parametrize("redis_url", ["single"], indirect=True)  # a cluster's: test_cluster.py
async def test_stats_counts_entries_by_type(aside: CacheAside, redis_url: str) -> None:
    await aside.get_or_load(CacheKey(EntryType.COMICSERIES, "s1"), _load("a"))
    await aside.get_or_load(CacheKey(EntryType.ISSUES_FOR_SERIES, "s1", "LATEST:1:10"), _load("b"))
    result = inkverse("stats", redis_url=redis_url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "keys under inkverse:v1:*"
    assert "  comicseries                      1" in lines
    assert "  comicissueforseries              1" in lines
    assert "  idx                              1" in lines
    assert any(line.startswith("redis keyspace_hits: ") for line in lines)


@pytest.mark.parametrize("redis_url", ["cluster"], indirect=True)  # the CLI is slow to start: once
async def test_everything_empties_the_cache_on_every_node(
    aside: CacheAside, redis: RedisClient, redis_url: str
) -> None:
    for number in range(30):
        await aside.get_or_load(CacheKey(EntryType.CREATOR, f"c{number}"), _load("old"))
    result = inkverse("purge", "everything", redis_url=redis_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "redis\tok\t30 entries removed"
    assert await key_count(redis) == 1  # the marker that keeps older reads from writing back, for a minute
    assert await aside.get_or_load(CacheKey(EntryType.CREATOR, "c1"), _load("new")) == "new"


def _load(value: str) -> Callable[[], Awaitable[str]]:
    async def load() -> str:
        return value

    return load
