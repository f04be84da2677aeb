"""Cache tests: the real Redis of the session, fake Cloudflare and Stellate APIs, and a GraphQL app with
the response cache wrapped around the endpoint (as `inkverse.api.app` wires it).

Every test here that uses Redis runs twice: on one server (`[single]`) and on a local three-master
Redis Cluster (`[cluster]`)."""

from collections.abc import AsyncIterator

import httpx
import pytest
from dishka import AsyncContainer
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import Route

from inkverse.api.app import RequestScopeMiddleware
from inkverse.api.cors import Cors
from inkverse.api.http import GraphQLEndpoint
from inkverse.cache.aside import CacheAside
from inkverse.cache.invalidator import CacheInvalidator
from inkverse.cache.redis import RedisClient
from inkverse.cache.response_middleware import ResponseCache
from inkverse.graphql.schema import build_schema
from inkverse.metrics import Metrics
from inkverse.settings import CacheSettings, Settings, StellateSettings
from tests.cache.support import CLOUDFLARE_OK, STELLATE_OK, FakeCdn, serve_fake_cdn

CLOUDFLARE_TOKEN = "cf-test-token"
STELLATE_TOKEN = "stellate-test-token"
ZONE_ID = "zone-1"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Both ways, unless the test names its Redis itself (`parametrize("redis_url", ...)`)."""
    markers = metafunc.definition.iter_markers("parametrize")
    if "redis" in metafunc.fixturenames and not any("redis_url" in marker.args[0] for marker in markers):
        metafunc.parametrize("redis_url", ["single", "cluster"], indirect=True)


@pytest.fixture
async def fake_cloudflare() -> AsyncIterator[FakeCdn]:
    async with serve_fake_cdn(CLOUDFLARE_OK) as server:
        yield server


@pytest.fixture
async def fake_stellate() -> AsyncIterator[FakeCdn]:
    async with serve_fake_cdn(STELLATE_OK) as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake_cloudflare: FakeCdn, fake_stellate: FakeCdn) -> Settings:
    """The suite's settings with both CDNs configured against the fakes; Redis failures are not cooled
    down, so every failing call is visible."""
    cloudflare = settings.cloudflare.model_copy(
        update={"api_url": fake_cloudflare.url, "api_token": SecretStr(CLOUDFLARE_TOKEN), "zone_id": ZONE_ID}
    )
    stellate = StellateSettings(
        purge_url=f"{fake_stellate.url}/inkverse1", api_token=SecretStr(STELLATE_TOKEN)
    )
    return settings.model_copy(
        update={
            "cache": CacheSettings(failure_cooldown_seconds=0),
            "cloudflare": cloudflare,
            "stellate": stellate,
        }
    )


@pytest.fixture
async def aside(container: AsyncContainer, redis: RedisClient) -> CacheAside:
    return await container.get(CacheAside)


@pytest.fixture
async def invalidator(container: AsyncContainer, redis: RedisClient) -> CacheInvalidator:
    return await container.get(CacheInvalidator)


@pytest.fixture
async def metrics(container: AsyncContainer) -> Metrics:
    return await container.get(Metrics)


def cached_graphql_app(container: AsyncContainer) -> Starlette:
    schema = build_schema()
    endpoint = ResponseCache(GraphQLEndpoint(schema, production=False), container=container, schema=schema)
    app = Starlette(routes=[Route("/api/graphql", Cors(endpoint))])
    app.add_middleware(RequestScopeMiddleware, container=container)
    return app


@pytest.fixture
async def graphql(container: AsyncContainer, redis: RedisClient) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=cached_graphql_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
        yield http
