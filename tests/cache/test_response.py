"""The GraphQL response cache through the ASGI app: MISS then HIT, purge by object, what is never cached."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from dishka import AsyncContainer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from inkverse.cache.invalidator import CacheInvalidator
from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.metrics import Metrics
from inkverse.settings import GraphQLSettings, RedisSettings, Settings
from tests.cache.conftest import cached_graphql_app
from tests.cache.support import FakeCdn, lookups

SERIES = "7d1c2b3a-0000-4000-8000-00000000000a"
OTHER = "7d1c2b3a-0000-4000-8000-00000000000b"
SERIES_QUERY = "query GetSeries($uuid: ID) { getComicSeries(uuid: $uuid) { uuid name shortUrl } }"


async def add_series(engine: AsyncEngine, uuid: str, name: str, short_url: str) -> None:
    async with AsyncSession(engine) as session, session.begin():
        session.add(tables.ComicSeries(uuid=uuid, name=name, short_url=short_url))


async def rename_series(engine: AsyncEngine, uuid: str, name: str) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("UPDATE comicseries SET name = :name WHERE uuid = :uuid"), {"name": name, "uuid": uuid}
        )


async def post(
    client: httpx.AsyncClient,
    query: str = SERIES_QUERY,
    variables: dict[str, Any] | None = None,
    **headers: str,
) -> httpx.Response:
    body = {"query": query, "variables": {"uuid": SERIES} if variables is None else variables}
    return await client.post("/api/graphql", json=body, headers=headers)


@pytest.fixture
async def series(engine: AsyncEngine) -> str:
    await add_series(engine, SERIES, "Ink Tales", "ink-tales")
    return SERIES


async def test_miss_then_hit_with_the_same_body(
    graphql: httpx.AsyncClient, series: str, container: AsyncContainer
) -> None:
    first = await post(graphql)
    second = await post(graphql)
    assert first.status_code == second.status_code == 200
    assert first.json() == {
        "data": {"getComicSeries": {"uuid": series, "name": "Ink Tales", "shortUrl": "ink-tales"}}
    }
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert second.content == first.content
    assert second.headers["content-type"] == first.headers["content-type"]
    assert first.headers["cache-control"] == second.headers["cache-control"] == "no-store"
    assert second.headers["access-control-allow-origin"] == "*"
    metrics = await container.get(Metrics)
    assert lookups(metrics, "response", "graphql", "hit") == 1
    assert lookups(metrics, "response", "graphql", "miss") == 1


async def test_get_and_post_share_entries(graphql: httpx.AsyncClient, series: str) -> None:
    assert (await post(graphql)).headers["x-cache"] == "MISS"
    params = {"query": SERIES_QUERY, "variables": orjson.dumps({"uuid": series}).decode()}
    response = await graphql.get("/api/graphql", params=params)
    assert response.headers["x-cache"] == "HIT"
    assert response.json()["data"]["getComicSeries"]["uuid"] == series


async def test_variables_are_part_of_the_key(
    graphql: httpx.AsyncClient, series: str, engine: AsyncEngine
) -> None:
    await add_series(engine, OTHER, "Other", "other")
    assert (await post(graphql)).headers["x-cache"] == "MISS"
    other = await post(graphql, variables={"uuid": OTHER})
    assert other.headers["x-cache"] == "MISS"
    assert other.json()["data"]["getComicSeries"]["name"] == "Other"


async def test_purging_the_series_serves_fresh_data(
    graphql: httpx.AsyncClient,
    series: str,
    engine: AsyncEngine,
    invalidator: CacheInvalidator,
    fake_cloudflare: FakeCdn,
    fake_stellate: FakeCdn,
) -> None:
    await post(graphql)
    await rename_series(engine, series, "Ink Tales Renamed")
    assert (await post(graphql)).json()["data"]["getComicSeries"]["name"] == "Ink Tales"

    await invalidator.purge([Purge(CacheType.COMICSERIES, ids=(series,), short_url="ink-tales")])
    fresh = await post(graphql)
    assert fresh.headers["x-cache"] == "MISS"
    assert fresh.json()["data"]["getComicSeries"]["name"] == "Ink Tales Renamed"
    assert (await post(graphql)).headers["x-cache"] == "HIT"
    assert fake_cloudflare.bodies == [{"files": ["https://inkverse.co/comics/ink-tales"]}]
    assert fake_stellate.bodies[0]["variables"] == {"uuid": [series]}


async def test_purge_finds_objects_selected_through_aliases_and_fragments(
    graphql: httpx.AsyncClient, series: str, engine: AsyncEngine, invalidator: CacheInvalidator
) -> None:
    query = """
      query Page($uuid: ID) { page: getComicSeries(uuid: $uuid) { ...Series } }
      fragment Series on ComicSeries { id: uuid title: name }
    """
    assert (await post(graphql, query)).headers["x-cache"] == "MISS"
    assert (await post(graphql, query)).headers["x-cache"] == "HIT"
    await rename_series(engine, series, "New")
    await invalidator.purge([Purge(CacheType.COMICSERIES, ids=(series,))])
    fresh = await post(graphql, query)
    assert fresh.headers["x-cache"] == "MISS"
    assert fresh.json() == {"data": {"page": {"id": series, "title": "New"}}}


async def test_purging_another_object_keeps_the_entry(
    graphql: httpx.AsyncClient, series: str, invalidator: CacheInvalidator
) -> None:
    await post(graphql)
    await invalidator.purge(
        [Purge(CacheType.COMICSERIES, ids=(OTHER,)), Purge(CacheType.CREATOR, ids=(series,))]
    )
    assert (await post(graphql)).headers["x-cache"] == "HIT"


async def test_everything_flushes_every_entry(
    graphql: httpx.AsyncClient, series: str, invalidator: CacheInvalidator, fake_cloudflare: FakeCdn
) -> None:
    await post(graphql)
    await invalidator.purge([Purge(CacheType.EVERYTHING)])
    assert (await post(graphql)).headers["x-cache"] == "MISS"
    assert fake_cloudflare.bodies == [{"purge_everything": True}]


@pytest.mark.parametrize("authorization", ["Bearer some.jwt.token", "bearer x"])
async def test_authenticated_requests_bypass(
    graphql: httpx.AsyncClient, series: str, authorization: str
) -> None:
    await post(graphql)
    for _ in range(2):
        response = await post(graphql, authorization=authorization)
        assert response.headers["x-cache"] == "BYPASS"


@pytest.mark.parametrize("authorization", ["", "Bearer", "Bearer  ", "Basic abc"])
async def test_empty_or_non_bearer_authorization_is_anonymous(
    graphql: httpx.AsyncClient, series: str, authorization: str
) -> None:
    await post(graphql)
    assert (await post(graphql, authorization=authorization)).headers["x-cache"] == "HIT"


async def test_responses_with_errors_are_not_cached(graphql: httpx.AsyncClient) -> None:
    for _ in range(2):
        response = await post(graphql, variables={"uuid": "not-a-uuid"})
        assert response.json()["errors"]
        assert response.headers["x-cache"] == "BYPASS"
        assert response.headers["cache-control"] == "no-store"


async def test_null_root_fields_are_not_cached(
    graphql: httpx.AsyncClient, engine: AsyncEngine, container: AsyncContainer
) -> None:
    for _ in range(2):
        response = await post(graphql, variables={"uuid": OTHER})
        assert response.json() == {"data": {"getComicSeries": None}}
        assert response.headers["x-cache"] == "BYPASS"
    await add_series(engine, OTHER, "Created later", "later")
    # What the webhook processing does after a create: the negative cache-aside entry goes.
    await (await container.get(CachePurger)).purge([Purge(CacheType.COMICSERIES, (OTHER,))])
    assert (await post(graphql, variables={"uuid": OTHER})).json()["data"]["getComicSeries"][
        "name"
    ] == "Created later"


@pytest.mark.parametrize(
    "request_args",
    [
        {"method": "POST", "json": {"query": "mutation { doSomething }"}},
        {"method": "POST", "json": {"query": "{ getComicSeries(uuid: 1) { uuid "}},
        {"method": "POST", "content": b"not json", "headers": {"content-type": "application/json"}},
        {"method": "PUT", "json": {"query": SERIES_QUERY}},
        {"method": "GET", "params": {"query": SERIES_QUERY}, "headers": {"accept": "text/html"}},
        {"method": "POST", "json": {"query": SERIES_QUERY, "extensions": {"persistedQuery": {"version": 1}}}},
    ],
    ids=["mutation", "syntax-error", "bad-json", "put", "graphiql", "persisted-query"],
)
async def test_uncacheable_requests_bypass(graphql: httpx.AsyncClient, request_args: dict[str, Any]) -> None:
    arguments = dict(request_args)  # the same dict is the parameter of every Redis the test runs on
    method = arguments.pop("method")
    response = await graphql.request(method, "/api/graphql", **arguments)
    assert response.headers["x-cache"] == "BYPASS"


async def test_responses_without_keyed_objects_are_not_cached(graphql: httpx.AsyncClient) -> None:
    for _ in range(2):
        response = await post(graphql, "{ __typename }", variables={})
        assert response.json() == {"data": {"__typename": "Query"}}
        assert response.headers["x-cache"] == "BYPASS"


@pytest.fixture
async def cdn_cached(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    container = build_container(
        settings.model_copy(update={"graphql": GraphQLSettings(cdn_max_age=60)}), "test"
    )
    transport = httpx.ASGITransport(app=cached_graphql_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
        yield http
    await container.close()


async def test_cdn_max_age_makes_cached_responses_public(
    cdn_cached: httpx.AsyncClient, series: str, redis: object
) -> None:
    miss, hit = await post(cdn_cached), await post(cdn_cached)
    assert (miss.headers["x-cache"], hit.headers["x-cache"]) == ("MISS", "HIT")
    assert miss.headers["cache-control"] == hit.headers["cache-control"] == "public, max-age=60"
    errored = await post(cdn_cached, variables={"uuid": "bad"})
    assert errored.headers["cache-control"] == "no-store"
    authenticated = await post(cdn_cached, authorization="Bearer t")
    assert authenticated.headers["cache-control"] == "no-store"


async def test_redis_down_still_answers(settings: Settings, series: str) -> None:
    broken = settings.model_copy(update={"redis": RedisSettings(url="unix:///nonexistent/redis.sock")})
    container = build_container(broken, "test")
    transport = httpx.ASGITransport(app=cached_graphql_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
        responses = [await post(http) for _ in range(3)]
    await container.close()
    assert all(response.status_code == 200 for response in responses)
    assert all(response.headers["x-cache"] == "BYPASS" for response in responses)
    assert responses[0].json()["data"]["getComicSeries"]["name"] == "Ink Tales"
