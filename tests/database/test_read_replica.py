"""Read replicas against a real streaming replica of the session's PostgreSQL (`pg_basebackup -R`).

Which server answered is shown by what it answers: with the replica's replay paused, a write made on
the primary is missing from the replica only, so an anonymous read that does not see it was served by
the replica, and a signed-in read that does see it by the primary.
"""

import os
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from dishka import AsyncContainer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.util import greenlet_spawn

from inkverse.catalog.events import TaddyType
from inkverse.database.engine import ReadEngine, make_engine, make_read_engine, make_sessionmaker
from inkverse.database.reads import RequestReads
from inkverse.database.replicas import ReadReplicas, Replica, server_name
from inkverse.settings import CacheSettings, Settings
from inkverse.users.tokens import TokenService, TokenType
from tests.fixtures.catalog import EventApplier
from tests.fixtures.replica import StreamingReplica, start_streaming_replica
from tests.fixtures.services import TEST_DATABASE, Services
from tests.graphql.conftest import run
from tests.graphql.seed import add_user, seed_series

SERIES = "query Series($uuid: ID!) { getComicSeries(uuid: $uuid) { uuid name } }"
USER = "query User($id: ID!) { getUserById(id: $id) { id username } }"
ME = "query Me { me { id username } }"
PROFILE = "mutation Profile($username: String) { updateUserProfile(username: $username) { id username } }"
COOLDOWN_SECONDS = 600.0


@pytest.fixture(scope="module")
async def replica(services: Services) -> AsyncIterator[StreamingReplica]:
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("pg_basebackup runs against the embedded PostgreSQL")
    async with start_streaming_replica(services.admin_database_url, TEST_DATABASE) as started:
        yield started


@pytest.fixture
def settings(settings: Settings, replica: StreamingReplica) -> Settings:
    """The session's settings with the replica as DATABASE_READ_URL, and no cache: every answer comes
    from a database."""
    database = settings.database.model_copy(
        update={"read_url": replica.url, "read_cooldown_seconds": COOLDOWN_SECONDS, "read_max_lag_seconds": 0}
    )
    return settings.model_copy(update={"database": database, "cache": CacheSettings(enabled=False)})


@pytest.fixture
async def running_replica(replica: StreamingReplica) -> StreamingReplica:
    await replica.ensure_running()
    return replica


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
def events(sessionmaker: async_sessionmaker[AsyncSession]) -> EventApplier:
    return EventApplier(sessionmaker)


async def series_name(client: httpx.AsyncClient, uuid: str) -> str:
    body = await run(client, SERIES, uuid=uuid)
    assert "errors" not in body, body
    name: str = body["data"]["getComicSeries"]["name"]
    return name


async def username(client: httpx.AsyncClient, user_id: int, headers: dict[str, str] | None = None) -> str:
    body = await run(client, ME, headers) if headers else await run(client, USER, id=str(user_id))
    assert "errors" not in body, body
    found: str = (body["data"]["me"] if headers else body["data"]["getUserById"])["username"]
    return found


async def test_public_reads_are_served_by_the_replica_and_writes_by_the_primary(
    client: httpx.AsyncClient,
    container: AsyncContainer,
    sessionmaker: async_sessionmaker[AsyncSession],
    events: EventApplier,
    running_replica: StreamingReplica,
) -> None:
    seeded = await seed_series(events, issues=1, name="Before")
    series = seeded["series"]
    reader = await add_user(sessionmaker, "before")
    bearer = {
        "Authorization": f"Bearer {(await container.get(TokenService)).issue(reader.id, TokenType.ACCESS)}"
    }
    await running_replica.wait_caught_up()
    assert await series_name(client, series["uuid"]) == "Before"
    checks = (await client.get("/readyz")).json()["checks"]
    assert checks["postgres"] == checks["postgres_replica"] == "ok"

    await running_replica.pause_replay()
    try:
        # A webhook's write (the worker's writers) and a mutation: both on the primary (a standby
        # refuses writes), and the signed-in author reads theirs at once.
        await events.updated(TaddyType.COMICSERIES, {**series, "name": "After", "hash": "h2"}, timestamp=200)
        renamed = await run(client, PROFILE, bearer, username="after")
        assert renamed["data"]["updateUserProfile"]["username"] == "after"
        assert await username(client, reader.id, bearer) == "after"
        # Anonymous readers are answered by the replica, which has not replayed either write yet:
        # through the compiled catalog reads and through an ORM loader.
        assert await series_name(client, series["uuid"]) == "Before"
        assert await username(client, reader.id) == "before"
    finally:
        await running_replica.resume_replay()

    assert await series_name(client, series["uuid"]) == "After"
    assert await username(client, reader.id) == "after"


async def terminate_backend(replica: StreamingReplica, pid: int) -> None:
    """End one of the replica's server processes, as a crash or a failover would."""
    assert await replica.query("SELECT pg_terminate_backend($1, 10000)", pid)


async def test_a_read_whose_replica_connection_is_lost_runs_again_on_the_primary(
    container: AsyncContainer, engine: object, running_replica: StreamingReplica
) -> None:
    replicas = await container.get(ReadReplicas)
    primary = await container.get(ReadEngine)

    compiled = RequestReads(primary, replicas)
    try:
        async with compiled.connection() as reads:
            [[in_recovery, pid]] = await reads.fetch("SELECT pg_is_in_recovery(), pg_backend_pid()", [])
        assert in_recovery
        await terminate_backend(running_replica, pid)
        async with compiled.connection() as reads:
            [[in_recovery]] = await reads.fetch("SELECT pg_is_in_recovery()", [])
        assert not in_recovery
        assert not replicas.available(replicas.replicas[0])
    finally:
        await compiled.close()

    replicas.replicas[0].down_until = 0.0  # the cool-down is ReadReplicas' own business, tested below
    orm = RequestReads(primary, replicas)
    try:
        async with orm.session() as session:
            in_recovery, pid = (
                await session.execute(text("SELECT pg_is_in_recovery(), pg_backend_pid()"))
            ).one()
        assert in_recovery
        await terminate_backend(running_replica, pid)
        async with orm.session() as session:
            assert await session.scalar(text("SELECT pg_is_in_recovery()")) is False
        # The rest of the request reads on the primary too.
        async with orm.connection() as reads:
            [[in_recovery]] = await reads.fetch("SELECT pg_is_in_recovery()", [])
        assert in_recovery is False
    finally:
        await orm.close()


async def test_reads_are_answered_while_the_replica_is_down(
    client: httpx.AsyncClient, events: EventApplier, running_replica: StreamingReplica
) -> None:
    seeded = await seed_series(events, issues=1, name="Still here")
    await running_replica.wait_caught_up()
    assert await series_name(client, seeded["series"]["uuid"]) == "Still here"  # pools a replica connection

    await running_replica.stop()
    for _ in range(3):
        assert await series_name(client, seeded["series"]["uuid"]) == "Still here"

    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["postgres"] == "ok"
    assert ready.json()["checks"]["postgres_replica"] != "ok"

    metrics = (await client.get("/metrics")).text
    assert gauge(metrics, "inkverse_database_replica_available", server=server_name(running_replica.url)) == 0
    for pool in ("primary", "replica"):
        assert gauge(metrics, "inkverse_database_pool_size", pool=pool) == 5
        assert gauge(metrics, "inkverse_database_pool_connections", pool=pool, state="in_use") == 0


def gauge(metrics: str, name: str, **labels: str) -> float:
    """The value of the one sample of `name` whose labels include `labels`."""
    values = [
        float(value)
        for found, label_text, value in re.findall(r"^(\w+)\{(.*)\} (\S+)$", metrics, re.MULTILINE)
        if found == name and all(f'{key}="{wanted}"' in label_text for key, wanted in labels.items())
    ]
    assert len(values) == 1, (name, labels, values)
    return values[0]


async def test_a_replica_that_failed_is_tried_again_after_its_cool_down(
    settings: Settings, engine: object, replica: StreamingReplica
) -> None:
    await replica.stop()
    now = [0.0]
    unreachable = f"postgresql://postgres@:{replica.port + 1}/{TEST_DATABASE}?host={replica.socket_dir}"
    urls = [unreachable, replica.url]
    engines = [
        make_read_engine(make_engine(settings.database, url=url, connect_timeout_seconds=2)) for url in urls
    ]
    primary = make_read_engine(make_engine(settings.database))
    replicas = ReadReplicas(
        primary, [Replica(url, engine) for url, engine in zip(urls, engines, strict=True)],
        cooldown_seconds=5, clock=lambda: now[0],
    )  # fmt: skip
    try:
        assert await replicas.connect() is None  # both down: the caller reads from the primary
        assert [replicas.available(each) for each in replicas.replicas] == [False, False]

        await replica.start()
        now[0] += 4.9
        assert await replicas.connect() is None  # still cooling down: not even tried

        now[0] += 0.1
        found = await replicas.connect()
        assert found is not None
        pooled, chosen = found
        assert chosen.name == replica.url
        driver = pooled.driver_connection
        assert driver is not None
        assert await driver.fetchval("SELECT pg_is_in_recovery()")
        await greenlet_spawn(pooled.close)
        assert [replicas.available(each) for each in replicas.replicas] == [False, True]
    finally:
        await replicas.dispose()
        await primary.dispose()
