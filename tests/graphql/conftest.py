"""Seed the catalog through the same writers the worker uses, then query it over HTTP."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.api.app import build_app
from inkverse.cache.redis import RedisClient
from inkverse.container import build_container
from inkverse.database.engine import make_sessionmaker
from inkverse.settings import BlueskySettings, NotionSettings, Settings
from tests.fixtures.catalog import EventApplier
from tests.fixtures.fake_bluesky import APP_PASSWORD, IDENTIFIER, FakeBluesky, serve_fake_bluesky
from tests.fixtures.fake_notion import FakeNotion, serve_fake_notion
from tests.fixtures.fake_taddy import API_KEY, USER_ID, FakeTaddy, serve_fake_taddy

Query = Callable[..., Awaitable[dict[str, Any]]]
URL = "/api/graphql"


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
def events(sessionmaker: async_sessionmaker[AsyncSession]) -> EventApplier:
    return EventApplier(sessionmaker)


async def run(
    client: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None, **variables: Any
) -> dict[str, Any]:
    """POST a query (as a signed-in reader when `headers` carry a bearer token); returns the JSON body."""
    response = await client.post(URL, json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def query_runner(client: httpx.AsyncClient) -> Query:
    """POST a query with keyword variables; returns the JSON body (asserting the HTTP status)."""

    async def run(query: str, status: int = 200, **variables: Any) -> dict[str, Any]:
        response = await client.post(URL, json={"query": query, "variables": variables})
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    return run


@pytest.fixture
def gql(client: httpx.AsyncClient, engine: AsyncEngine) -> Query:
    return query_runner(client)


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app on its own container built from `settings` (same database and Redis as the tests);
    Redis (the response cache) is flushed afterwards, as the `client` fixture does."""
    container = build_container(settings, "test")
    try:
        app = build_app(container, settings)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
            yield http
    finally:
        await (await container.get(RedisClient)).flushdb()
        await container.close()


@pytest.fixture
async def fake_taddy() -> AsyncIterator[FakeTaddy]:
    async for server in serve_fake_taddy():
        yield server


@pytest.fixture
async def fake_notion() -> AsyncIterator[FakeNotion]:
    async for server in serve_fake_notion():
        yield server


def with_fakes(settings: Settings, taddy: FakeTaddy, notion: FakeNotion) -> Settings:
    return settings.model_copy(
        update={
            "taddy": settings.taddy.model_copy(
                update={
                    "api_url": taddy.url,
                    "user_id": USER_ID,
                    "api_key": SecretStr(API_KEY),
                    "auth_url": taddy.auth_url,
                }
            ),
            "notion": NotionSettings(api_url=notion.url, timeout_seconds=2),
        }
    )


@pytest.fixture
async def fake_bluesky() -> AsyncIterator[FakeBluesky]:
    async for server in serve_fake_bluesky():
        yield server


def with_bluesky(settings: Settings, bluesky: FakeBluesky) -> Settings:
    wired = BlueskySettings(api_url=bluesky.url, identifier=IDENTIFIER, app_password=SecretStr(APP_PASSWORD))
    return settings.model_copy(update={"bluesky": wired})


@pytest.fixture
async def wired_client(
    settings: Settings,
    engine: AsyncEngine,
    fake_taddy: FakeTaddy,
    fake_notion: FakeNotion,
    fake_bluesky: FakeBluesky,
) -> AsyncIterator[httpx.AsyncClient]:
    """The API wired to the fake Taddy (search, OAuth, Patreon), the fake Notion (documentation) and
    the fake Bluesky."""
    async with client_for(with_bluesky(with_fakes(settings, fake_taddy, fake_notion), fake_bluesky)) as http:
        yield http


@pytest.fixture
def wired_gql(wired_client: httpx.AsyncClient) -> Query:
    return query_runner(wired_client)
