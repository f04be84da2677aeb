"""Shared fixtures: real services per session; settings, container, client and clean state per test."""

import os
from collections.abc import AsyncIterator

import httpx
import pytest
from dishka import AsyncContainer
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkverse.api.app import build_app
from inkverse.cache.redis import RedisClient
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.database.base import Base
from inkverse.dev.provision import provision_aws
from inkverse.settings import (
    AwsSettings,
    CannySettings,
    DatabaseSettings,
    Environment,
    JwtSettings,
    LogSettings,
    QueueSettings,
    RedisSettings,
    ServerSettings,
    Settings,
    TaddySettings,
    WorkerSettings,
)
from inkverse.users.tokens import generate_key_pair
from tests.fixtures.redis_cluster import LocalCluster, embedded_redis_server, start_redis_cluster
from tests.fixtures.services import TEST_DATABASE, Services, start_services

WEBHOOK_SECRET = "test-webhook-secret"
JWT_KEYS = generate_key_pair(2048)
CANNY_SSO_KEY = "0f7c2d9e-4b1a-4c3e-9a8d-6e5f4a3b2c1d"  # Canny's keys are UUIDs

assert tables.__all__  # every model is registered on Base.metadata


@pytest.fixture(scope="session")
async def services() -> AsyncIterator[Services]:
    async for started in start_services():
        yield started


@pytest.fixture(scope="session")
async def redis_cluster() -> AsyncIterator[LocalCluster]:
    """A real Redis Cluster of three masters, started when a test first asks for it; an external one
    (which the tests flush) when `TEST_REDIS_CLUSTER_URL` is set."""
    external = os.environ.get("TEST_REDIS_CLUSTER_URL")
    if external is not None:
        yield LocalCluster(url=external)
        return
    async with start_redis_cluster(embedded_redis_server()) as cluster:
        yield cluster


@pytest.fixture
def redis_url(request: pytest.FixtureRequest, services: Services) -> str:
    """The `REDIS_URL` of the test: the session's Redis, or the cluster when parametrized with
    `"cluster"` (`tests/cache` runs every test that uses Redis both ways)."""
    if getattr(request, "param", "single") == "cluster":
        cluster: LocalCluster = request.getfixturevalue("redis_cluster")
        return cluster.url
    return services.redis_url


@pytest.fixture
def settings(redis_url: str, services: Services) -> Settings:
    return Settings(
        server=ServerSettings(env=Environment.TEST),
        log=LogSettings(level="WARNING"),
        database=DatabaseSettings(url=services.database_url, pool_size=5),
        redis=RedisSettings(url=redis_url),
        aws=AwsSettings(endpoint_url=services.aws_url, access_key_id="testing", secret_access_key="testing"),
        queues=QueueSettings(wait_time_seconds=1, visibility_timeout_seconds=30),
        worker=WorkerSettings(shutdown_grace_seconds=5),
        # Payload fixtures name Taddy's real image hosts: never fetch them. Tests that measure images
        # enable sizing against a local image server.
        taddy=TaddySettings(webhook_secret=SecretStr(WEBHOOK_SECRET), image_sizing=False),
        # One session-token key pair for every container of the session, so tokens signed in a test
        # verify in any app it builds.
        jwt=JwtSettings(private_jwt=SecretStr(JWT_KEYS.private_pem), public_jwt=JWT_KEYS.public_pem),
        canny=CannySettings(sso_private_key=SecretStr(CANNY_SSO_KEY), company_id="inkverse-test"),
    )


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[AsyncContainer]:
    built = build_container(settings, "test")
    yield built
    await built.close()


@pytest.fixture
async def engine(container: AsyncContainer) -> AsyncIterator[AsyncEngine]:
    """The container's engine; every table is emptied after the test."""
    engine = await container.get(AsyncEngine)
    yield engine
    assert engine.url.database == TEST_DATABASE, "refusing to truncate a database that is not the test one"
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def redis(container: AsyncContainer) -> AsyncIterator[RedisClient]:
    client: RedisClient = await container.get(RedisClient)
    yield client
    await client.flushdb()


@pytest.fixture
async def queues(container: AsyncContainer, services: Services) -> AsyncIterator[None]:
    """Fresh queues (with DLQs), buckets and sender identity on moto, as `inkverse dev` provisions them."""
    await provision_aws(container)
    yield
    async with httpx.AsyncClient() as http:
        await http.post(f"{services.aws_url}/moto-api/reset")


@pytest.fixture
async def client(
    container: AsyncContainer, settings: Settings, redis: RedisClient
) -> AsyncIterator[httpx.AsyncClient]:
    """The ASGI app in-process; Redis (the response cache) is flushed after the test."""
    app = build_app(container, settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
        yield http
