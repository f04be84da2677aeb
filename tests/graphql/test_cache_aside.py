"""Catalog reads through the Redis cache-aside layer: hits, purges, and Redis down."""

from typing import Any

import httpx
from dishka import AsyncContainer
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.api.app import build_app
from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.metrics import Metrics
from inkverse.settings import RedisSettings, Settings
from tests.fixtures.catalog import EventApplier
from tests.graphql.conftest import Query
from tests.graphql.seed import seed_series


def aside(metrics: Metrics, result: str) -> float:
    labels = {"layer": "aside", "type": "comicseries", "result": result}
    return metrics.registry.get_sample_value("inkverse_cache_lookups_total", labels) or 0.0


async def rename_in_database(sessionmaker: async_sessionmaker[AsyncSession], uuid: str, name: str) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(tables.ComicSeries).where(tables.ComicSeries.uuid == uuid).values(name=name)
        )


async def test_series_reads_come_from_the_cache_until_purged(
    gql: Query,
    events: EventApplier,
    container: AsyncContainer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    uuid = (await seed_series(events, issues=0, name="Cached"))["series"]["uuid"]
    metrics = await container.get(Metrics)
    first = await gql(f'{{ getComicSeries(uuid: "{uuid}") {{ uuid name }} }}')
    assert first["data"]["getComicSeries"]["name"] == "Cached"
    assert aside(metrics, "miss") == 1

    await rename_in_database(sessionmaker, uuid, "Renamed behind the cache's back")
    # Another selection, so the response cache does not answer; the row comes from cache-aside.
    second = await gql(f'{{ getComicSeries(uuid: "{uuid}") {{ uuid name shortUrl }} }}')
    assert second["data"]["getComicSeries"]["name"] == "Cached"
    assert aside(metrics, "hit") == 1

    purger = await container.get(CachePurger)
    await purger.purge([Purge(CacheType.COMICSERIES, (uuid,))])
    third = await gql(f'{{ getComicSeries(uuid: "{uuid}") {{ uuid name status }} }}')
    assert third["data"]["getComicSeries"]["name"] == "Renamed behind the cache's back"


async def test_unknown_series_is_cached_as_absent_until_it_is_created(
    gql: Query, events: EventApplier, container: AsyncContainer
) -> None:
    from tests.fixtures.taddy_payloads import new_uuid

    uuid = new_uuid()
    assert (await gql(f'{{ getComicSeries(uuid: "{uuid}") {{ uuid }} }}'))["data"]["getComicSeries"] is None
    await seed_series(events, issues=0, uuid=uuid)
    await (await container.get(CachePurger)).purge([Purge(CacheType.COMICSERIES, (uuid,))])
    found = await gql(f'{{ getComicSeries(uuid: "{uuid}") {{ uuid name }} }}')
    assert found["data"]["getComicSeries"]["uuid"] == uuid


async def test_reads_are_answered_with_redis_down(
    settings: Settings, events: EventApplier, engine: AsyncEngine
) -> None:
    uuid = (await seed_series(events, issues=1, name="No Redis"))["series"]["uuid"]
    down = settings.model_copy(update={"redis": RedisSettings(url="unix:///nonexistent/redis.sock")})
    container = build_container(down, "test")
    app = build_app(container, down)
    query: dict[str, Any] = {"query": f'{{ getComicSeries(uuid: "{uuid}") {{ uuid name issueCount }} }}'}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        responses = [await http.post("/api/graphql", json=query) for _ in range(2)]
    metrics = await container.get(Metrics)
    await container.close()
    for response in responses:
        assert response.status_code == 200
        assert response.json() == {
            "data": {"getComicSeries": {"uuid": uuid, "name": "No Redis", "issueCount": 1}}
        }
    assert aside(metrics, "error") >= 1
