"""Two API processes and two workers on one stack give the answers one of each would (issue 16).

Real `inkverse serve` and `python -m inkverse.worker` processes share the session's PostgreSQL, Redis and
moto SQS, as replicas share them in production: 1,000 Taddy deliveries with duplicates and stale
versions, posted to both APIs in turn, leave every entity once at its newest version; a purge made by the
worker, or by a mutation through one API, is seen through the other API at once; a persisted query
registered with one API is known to the other; and a due job runs once although both workers run jobs.
"""

import asyncio
import contextlib
import hashlib
import json
import logging
import random
import signal
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from dishka import AsyncContainer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from types_aiobotocore_sqs import SQSClient

from inkverse.cache.redis import RedisClient
from inkverse.database import tables
from inkverse.database.engine import make_sessionmaker
from inkverse.jobs.registry import JOBS
from inkverse.jobs.runner import latest_slot
from inkverse.queues.client import QueueClient
from inkverse.settings import QueueSettings, WorkerSettings
from inkverse.users.tokens import KeyPair, TokenService, TokenType, escape_pem
from tests.conftest import JWT_KEYS, WEBHOOK_SECRET
from tests.e2e.test_pipeline import delivery
from tests.fixtures.processes import ProcessGroup, ServiceProcess, service_environment
from tests.fixtures.queues import eventually, queue_depth
from tests.fixtures.services import Services
from tests.fixtures.taddy_payloads import creator_data, issue_data, series_data, story_data
from tests.graphql.seed import add_user

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

Sessionmaker = async_sessionmaker[AsyncSession]
log = logging.getLogger(__name__)

DELIVERIES = 1000
SERIES, ISSUES_PER_SERIES, CREATORS = 60, 3, 60
DELETED_EVERY = 10
"""Every tenth issue ends deleted: its newest version is the tombstone."""
POSTS_IN_FLIGHT = 8
SETTLE_SECONDS = 150
DUE_JOB = "delete-old-notifications"
"""A cheap job (two DELETEs on empty tables) left due for the workers; every other job has run."""

SERIES_NAME = "query($uuid: ID!) { getComicSeries(uuid: $uuid) { uuid name } }"
SUBSCRIBE = "mutation($s: ID!) { subscribeToSeries(seriesUuid: $s) { seriesUuid isSubscribed } }"
SUBSCRIBED = "query($id: ID!) { getUserSubscribedComics(userId: $id) { userId comicSeries { uuid name } } }"


@dataclass
class Catalog:
    """The deliveries, and what the catalog must hold once they are all applied."""

    deliveries: list[dict[str, Any]] = field(default_factory=list)
    series: dict[str, str] = field(default_factory=dict)
    """uuid → newest name."""
    issues: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    """uuid → newest name and live story uuids in order; deleted issues are absent."""
    creators: dict[str, str] = field(default_factory=dict)


def build_catalog(rng: random.Random) -> Catalog:
    """300 entities in 798 versions, 202 of them sent twice, shuffled: older versions arrive late."""
    catalog = Catalog()
    for index in range(SERIES):
        add_series(catalog, index)
    for index in range(CREATORS):
        creator = creator_data(name=f"Creator {index} v0")
        for version in range(3):
            data = {**creator, "name": f"Creator {index} v{version}"}
            catalog.deliveries.append(delivery("creator", action(version), data, 1000 + version))
        catalog.creators[creator["uuid"]] = f"Creator {index} v2"
    versions = list(catalog.deliveries)
    catalog.deliveries += [rng.choice(versions) for _ in range(DELIVERIES - len(versions))]
    rng.shuffle(catalog.deliveries)
    return catalog


def add_series(catalog: Catalog, index: int) -> None:
    series = series_data(name=f"Series {index} v0")
    uuid = series["uuid"]
    for version in range(4):
        data = {**series, "name": f"Series {index} v{version}"}
        catalog.deliveries.append(delivery("comicseries", action(version), data, 1000 + version))
    catalog.series[uuid] = f"Series {index} v3"
    for position in range(ISSUES_PER_SERIES):
        issue = issue_data(uuid, position=position, stories=0)
        first = [story_data(uuid, issue["uuid"]) for _ in range(2)]
        # The newer version drops a story, keeps one and adds two.
        newest = [first[1], story_data(uuid, issue["uuid"]), story_data(uuid, issue["uuid"])]
        name = f"Series {index} issue {position}"
        catalog.deliveries += [
            delivery("comicissue", "created", {**issue, "name": f"{name} v0", "stories": first}, 1000),
            delivery("comicissue", "updated", {**issue, "name": f"{name} v1", "stories": newest}, 1001),
        ]
        if (index * ISSUES_PER_SERIES + position) % DELETED_EVERY == 0:
            catalog.deliveries.append(delivery("comicissue", "deleted", issue, 1002))
        else:
            catalog.issues[issue["uuid"]] = (f"{name} v1", [story["uuid"] for story in newest])


def action(version: int) -> str:
    return "created" if version == 0 else "updated"


# --- the stack --------------------------------------------------------------------------------------


@dataclass
class Replicas:
    group: ProcessGroup
    apis: list[httpx.AsyncClient]
    workers: list[ServiceProcess]


@pytest.fixture
async def replicas(
    services: Services, queues: None, engine: AsyncEngine, redis: RedisClient, tmp_path: Path
) -> AsyncIterator[Replicas]:
    """Two APIs (ready) and two workers running jobs, on the session's services; every process is
    stopped at the end, before the database, Redis and moto are emptied."""
    await record_every_job_but(DUE_JOB, make_sessionmaker(engine))
    env = service_environment(
        services,
        INKVERSE_ENV="test",
        TADDY_WEBHOOK_SECRET=WEBHOOK_SECRET,
        PRIVATE_JWT=escape_pem(JWT_KEYS.private_pem),
        PUBLIC_JWT=escape_pem(JWT_KEYS.public_pem),
        # Four processes, moto and this test share two cores: a slow Redis call must not read as down.
        CACHE_OPERATION_TIMEOUT_SECONDS="5",
    )
    group = ProcessGroup(tmp_path, env)
    clients: list[httpx.AsyncClient] = []
    try:
        jobs = {"WORKER_RUN_JOBS": "true", "WORKER_JOBS_POLL_INTERVAL_SECONDS": "1"}
        logs = {"LOG_LEVEL": "INFO", "LOG_FORMAT": "json"}
        workers = [await group.start_worker(name, **jobs, **logs) for name in ("worker-a", "worker-b")]
        apis = await asyncio.gather(group.start_api("api-a"), group.start_api("api-b"))
        clients = [httpx.AsyncClient(base_url=api.url, timeout=30) for api in apis]
        yield Replicas(group, clients, workers)
    finally:
        for client in clients:
            await client.aclose()
        codes = await group.stop()
        log.warning("replicas.logs\n%s", group.log_tails())  # shown when the test fails
    # uvicorn ends by re-raising the SIGTERM it handled; SIGKILL would mean a process did not stop.
    assert set(codes.values()) <= {0, -signal.SIGTERM}, f"not every process stopped in time: {codes}"


async def record_every_job_but(due: str, sessionmaker: Sessionmaker) -> None:
    """Every job but `due` has run for its latest slot, so `due` is the one job the workers find due."""
    now = datetime.now(UTC)
    async with sessionmaker() as session, session.begin():
        for job in JOBS:
            if job.name != due:
                session.add(
                    tables.JobRun(
                        name=job.name, scheduled_for=latest_slot(job, now), started_at=now,
                        finished_at=now, outcome="succeeded",
                    )
                )  # fmt: skip


# --- the test ---------------------------------------------------------------------------------------


async def test_two_apis_and_two_workers_answer_as_one(
    replicas: Replicas, container: AsyncContainer, engine: AsyncEngine
) -> None:
    sessionmaker = make_sessionmaker(engine)
    job_slot = latest_slot(next(job for job in JOBS if job.name == DUE_JOB), datetime.now(UTC))
    catalog = build_catalog(random.Random(16))

    await post_alternately(replicas.apis, catalog.deliveries)
    await settle(container, sessionmaker)
    await assert_newest_versions(sessionmaker, catalog)
    await assert_no_dead_letters(container)
    for worker in replicas.workers:
        assert handled_messages(worker) > 0, f"{worker.name} handled no message:\n{worker.log_tail()}"

    series_uuid = next(iter(catalog.series))
    await assert_worker_purge_reaches_both_apis(replicas.apis, container, series_uuid)
    await assert_api_purge_reaches_the_other(replicas.apis, container, sessionmaker, series_uuid)
    await assert_persisted_query_known_to_both(replicas.apis)

    await eventually(lambda: job_ran(sessionmaker, DUE_JOB), 60)
    runs = await job_runs(sessionmaker)
    assert [(slot, outcome) for name, slot, outcome in runs if name == DUE_JOB] == [(job_slot, "succeeded")]
    slots = [(name, slot) for name, slot, _ in runs]
    assert len(slots) == len(set(slots)), f"a job slot ran twice: {slots}"


async def post_alternately(apis: Sequence[httpx.AsyncClient], deliveries: list[dict[str, Any]]) -> None:
    """Each delivery to the next API in turn, a few in flight; every one must be accepted."""
    slots = asyncio.Semaphore(POSTS_IN_FLIGHT)

    async def post(index: int, body: dict[str, Any]) -> None:
        async with slots:
            response = await apis[index % len(apis)].post(
                "/api/webhooks/taddy", json=body, headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET}
            )
        assert response.status_code == 200, response.text

    await asyncio.gather(*(post(index, body) for index, body in enumerate(deliveries)))


async def settle(container: AsyncContainer, sessionmaker: Sessionmaker) -> None:
    """Until both queues and the outbox are empty: every delivery handled (a message is deleted only
    after its commit), every follow-up sent."""
    sqs, client = await container.get(SQSClient), await container.get(QueueClient)
    worker = await container.get(WorkerSettings)

    async def idle() -> bool:
        async with sessionmaker() as session:
            staged = await session.scalar(select(func.count()).select_from(tables.QueueOutbox))
        return not staged and all(
            [await queue_depth(sqs, client, queue) == 0 for queue in (worker.queue, worker.image_queue)]
        )

    await eventually(idle, SETTLE_SECONDS)


async def assert_newest_versions(sessionmaker: Sessionmaker, catalog: Catalog) -> None:
    story = tables.ComicStory
    async with sessionmaker() as session:
        series = dict((await session.execute(select(tables.ComicSeries.uuid, tables.ComicSeries.name))).all())
        issues = dict((await session.execute(select(tables.ComicIssue.uuid, tables.ComicIssue.name))).all())
        creators = dict((await session.execute(select(tables.Creator.uuid, tables.Creator.name))).all())
        live_stories = (
            await session.execute(
                select(story.issue_uuid, story.uuid)
                .where(story.is_removed.is_not(True))
                .order_by(story.issue_uuid, story.position)
            )
        ).all()
    stories: dict[str, list[str]] = {}
    for issue_uuid, story_uuid in live_stories:
        stories.setdefault(issue_uuid, []).append(story_uuid)

    assert series == catalog.series
    assert creators == catalog.creators
    assert issues == {uuid: name for uuid, (name, _) in catalog.issues.items()}
    assert stories == {uuid: story_uuids for uuid, (_, story_uuids) in catalog.issues.items()}


async def assert_no_dead_letters(container: AsyncContainer) -> None:
    sqs, client = await container.get(SQSClient), await container.get(QueueClient)
    worker, queues = await container.get(WorkerSettings), await container.get(QueueSettings)
    for queue in (worker.queue, worker.image_queue):
        assert await queue_depth(sqs, client, f"{queue}{queues.dlq_suffix}") == 0, f"dead letters in {queue}"


def handled_messages(worker: ServiceProcess) -> int:
    """Messages the worker logged work for (each log line of a message carries its id)."""
    ids = set()
    for line in worker.log_lines():
        with contextlib.suppress(ValueError):
            ids.add(json.loads(line).get("message_id"))
    return len(ids - {None})


async def graphql(
    api: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None, **variables: Any
) -> tuple[Any, str]:
    """The `data` of the answer and its `X-Cache`."""
    response = await api.post("/api/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"], response.headers.get("x-cache", "")


async def assert_worker_purge_reaches_both_apis(
    apis: Sequence[httpx.AsyncClient], container: AsyncContainer, series_uuid: str
) -> None:
    """A series read (and cached) through both APIs, renamed by a webhook: once the worker's purge made
    one API answer the new name, the other answers it too, from no copy of its own."""
    first, second = apis
    before, cache_first = await graphql(first, SERIES_NAME, uuid=series_uuid)
    again, cache_second = await graphql(second, SERIES_NAME, uuid=series_uuid)
    assert before == again
    assert (cache_first, cache_second) == ("MISS", "HIT")  # one response cache, shared in Redis

    renamed = {**series_data(uuid=series_uuid), "name": "Renamed by Taddy"}
    response = await second.post(
        "/api/webhooks/taddy",
        json=delivery("comicseries", "updated", renamed, 5000),
        headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET},
    )
    assert response.status_code == 200

    async def first_sees_it() -> bool:
        data, _ = await graphql(first, SERIES_NAME, uuid=series_uuid)
        return bool(data["getComicSeries"]["name"] == "Renamed by Taddy")

    await eventually(first_sees_it, 60)
    data, _ = await graphql(second, SERIES_NAME, uuid=series_uuid)
    assert data["getComicSeries"] == {"uuid": series_uuid, "name": "Renamed by Taddy"}


async def assert_api_purge_reaches_the_other(
    apis: Sequence[httpx.AsyncClient], container: AsyncContainer, sessionmaker: Sessionmaker, series_uuid: str
) -> None:
    """A public list cached through API B; a reader subscribes through API A, whose purge B sees at once."""
    first, second = apis
    reader = await add_user(sessionmaker, "replica-reader")
    bearer = {
        "Authorization": f"Bearer {(await container.get(TokenService)).issue(reader.id, TokenType.ACCESS)}"
    }
    empty = {"getUserSubscribedComics": {"userId": str(reader.id), "comicSeries": []}}
    assert await graphql(second, SUBSCRIBED, id=str(reader.id)) == (empty, "MISS")
    assert await graphql(second, SUBSCRIBED, id=str(reader.id)) == (empty, "HIT")

    subscribed, _ = await graphql(first, SUBSCRIBE, bearer, s=series_uuid)
    assert subscribed["subscribeToSeries"] == {"seriesUuid": series_uuid, "isSubscribed": True}

    after, cache = await graphql(second, SUBSCRIBED, id=str(reader.id))
    assert after["getUserSubscribedComics"]["comicSeries"] == [
        {"uuid": series_uuid, "name": "Renamed by Taddy"}
    ]
    assert cache == "MISS"


async def assert_persisted_query_known_to_both(apis: Sequence[httpx.AsyncClient]) -> None:
    """Registered through one API (the query with its hash), asked by hash alone through the other."""
    first, second = apis
    query = "query ReplicaProbe { __typename }"
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}
    registered = await first.post("/api/graphql", json={"query": query, "extensions": extensions})
    assert registered.json() == {"data": {"__typename": "Query"}}
    by_hash = await second.get("/api/graphql", params={"extensions": json.dumps(extensions)})
    assert by_hash.json() == {"data": {"__typename": "Query"}}


async def job_ran(sessionmaker: Sessionmaker, name: str) -> bool:
    async with sessionmaker() as session:
        statement = select(func.count()).where(
            tables.JobRun.name == name, tables.JobRun.finished_at.is_not(None)
        )
        return bool(await session.scalar(statement))


async def job_runs(sessionmaker: Sessionmaker) -> list[tuple[str, datetime, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(tables.JobRun.name, tables.JobRun.scheduled_for, tables.JobRun.outcome).order_by(
                tables.JobRun.id
            )
        )
    return [(name, slot, outcome) for name, slot, outcome in rows.all()]


async def test_the_processes_of_one_serve_accept_each_others_tokens(
    services: Services, engine: AsyncEngine, tmp_path: Path
) -> None:
    """Development without PRIVATE_JWT/PUBLIC_JWT: `inkverse serve --workers 2` signs with the data
    folder's pair, not one per process, so a session token is good whichever process answers."""
    reader = await add_user(make_sessionmaker(engine), "dev-reader")
    group = ProcessGroup(tmp_path, service_environment(services, INKVERSE_ENV="development"))
    try:
        api = await group.start_api("api", workers=2)
        keys = tmp_path / "api" / "data" / "jwt"
        tokens = TokenService(KeyPair((keys / "private.pem").read_text(), (keys / "public.pem").read_text()))
        bearer = {"Authorization": f"Bearer {tokens.issue(reader.id, TokenType.ACCESS)}"}
        for _ in range(10):  # a new connection each time, so both processes answer some
            async with httpx.AsyncClient(base_url=api.url) as http:
                data, _ = await graphql(http, "{ me { id } }", bearer)
            assert data == {"me": {"id": str(reader.id)}}
    finally:
        await group.stop()
