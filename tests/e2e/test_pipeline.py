"""Taddy deliveries through the real stack: HTTP intake → SQS (moto) → worker → PostgreSQL → GraphQL.

The fault test runs the worker as its own process and kills it with SIGKILL twice mid-stream: every
entity must end at its newest version, nothing lost, nothing duplicated, nothing dead-lettered.
"""

import asyncio
import io
import random
import signal
import sys
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import httpx
import pytest
from aiohttp import web
from dishka import AsyncContainer
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from types_aiobotocore_sqs import SQSClient

from inkverse.container import build_container
from inkverse.database import tables
from inkverse.metrics import Metrics
from inkverse.queues.client import QueueClient
from inkverse.settings import DatabaseSettings, Settings, WorkerSettings
from inkverse.worker.handlers import default_registry
from inkverse.worker.runner import build_consumer, serve
from tests.conftest import WEBHOOK_SECRET
from tests.fixtures.processes import service_environment
from tests.fixtures.queues import eventually, queue_depth, running_worker
from tests.fixtures.services import Services
from tests.fixtures.taddy_payloads import (
    creator_data,
    creatorcontent_data,
    image_json,
    issue_data,
    series_data,
    story_data,
)

QUEUE = "INKVERSE_HIGH_PRIORITY"


def delivery(taddy_type: str, action: str, data: dict[str, Any], timestamp: int) -> dict[str, Any]:
    return {
        "uuid": data["uuid"],
        "taddyType": taddy_type,
        "action": action,
        "timestamp": timestamp,
        "data": data,
    }


async def post_all(client: httpx.AsyncClient, deliveries: list[dict[str, Any]]) -> None:
    for body in deliveries:
        response = await client.post(
            "/api/webhooks/taddy", json=body, headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET}
        )
        assert response.status_code == 200, response.text


async def wait_until_drained(container: AsyncContainer, seconds: float) -> None:
    sqs, client = await container.get(SQSClient), await container.get(QueueClient)
    async with asyncio.timeout(seconds):
        while await queue_depth(sqs, client, QUEUE) > 0:
            await asyncio.sleep(0.2)


@pytest.fixture
async def consumer(container: AsyncContainer, queues: None) -> AsyncIterator[None]:
    async with running_worker(container):
        yield


async def test_webhooks_reach_the_catalog(
    client: httpx.AsyncClient, container: AsyncContainer, engine: AsyncEngine, consumer: None
) -> None:
    series = series_data(name="Harbour Lights")
    issue = issue_data(series["uuid"], position=0, stories=3)
    creator = creator_data(name="Ann Example")
    content = creatorcontent_data(creator["uuid"], series["uuid"])
    await post_all(client, [
        delivery("comicissue", "created", issue, 101),  # before its series: order must not matter
        delivery("comicseries", "created", series, 100),
        delivery("creator", "created", creator, 100),
        delivery("creatorcontent", "created", content, 100),
    ])  # fmt: skip
    await wait_until_drained(container, 30)

    query = f"""{{ getComicSeries(uuid: "{series["uuid"]}") {{ uuid name issueCount creators {{ uuid name }} }}
                  getIssuesForComicSeries(seriesUuid: "{series["uuid"]}") {{ seriesUuid issues {{ uuid stories {{ uuid }} }} }} }}"""
    body = (await client.post("/api/graphql", json={"query": query})).json()
    assert body["data"]["getComicSeries"] == {
        "uuid": series["uuid"], "name": "Harbour Lights", "issueCount": 1, "creators": [{"uuid": creator["uuid"], "name": "Ann Example"}]
    }  # fmt: skip
    [stored_issue] = body["data"]["getIssuesForComicSeries"]["issues"]
    assert len(stored_issue["stories"]) == 3


def fault_deliveries(rng: random.Random) -> tuple[list[dict[str, Any]], dict[str, str], set[str]]:
    """300 deliveries: 25 series and their issues, each in several versions, shuffled, 1 in 5 repeated.
    Returns them with the expected final series names and the issues that must exist."""
    deliveries: list[dict[str, Any]] = []
    final_names: dict[str, str] = {}
    issues: set[str] = set()
    for index in range(25):
        series = series_data(name=f"Series {index}")
        for version in range(4):
            data = {**series, "name": f"Series {index} v{version}"}
            deliveries.append(
                delivery("comicseries", "created" if version == 0 else "updated", data, 1000 + version)
            )
        final_names[series["uuid"]] = f"Series {index} v3"
        for position in range(3):
            issue = issue_data(series["uuid"], position=position, stories=2)
            issues.add(issue["uuid"])
            deliveries.append(delivery("comicissue", "created", issue, 1000 + position))
            deliveries.append(delivery("comicissue", "updated", {**issue, "name": "final"}, 2000 + position))
    deliveries += [rng.choice(deliveries) for _ in range(300 - len(deliveries))]
    rng.shuffle(deliveries)
    return deliveries, final_names, issues


def worker_environment(services: Services) -> dict[str, str]:
    return service_environment(
        services, SQS_VISIBILITY_TIMEOUT_SECONDS="4", WORKER_RETRY_BACKOFF_BASE_SECONDS="1"
    )


async def start_worker(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "inkverse.worker",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_worker_killed_twice_loses_and_duplicates_nothing(
    client: httpx.AsyncClient,
    container: AsyncContainer,
    engine: AsyncEngine,
    services: Services,
    queues: None,
) -> None:
    deliveries, final_names, issues = fault_deliveries(random.Random(7))
    assert len(deliveries) == 300
    await post_all(client, deliveries)
    env = worker_environment(services)
    sessionmaker = async_sessionmaker(engine)

    async def stored_at_least(entities: int) -> bool:
        async with sessionmaker() as session:
            return (
                await session.scalar(select(func.count()).select_from(tables.TaddyEntityState)) or 0
            ) >= entities

    worker = await start_worker(env)
    try:
        # Killed mid-stream, however slow the machine: once a tenth, then once half of the 100 objects exist.
        for progress in (10, 50):
            await eventually(lambda progress=progress: stored_at_least(progress), 60)
            worker.send_signal(signal.SIGKILL)
            await worker.wait()
            worker = await start_worker(env)
        await wait_until_drained(container, 120)
        worker.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.wait(), 15) == 0
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()

    async with sessionmaker() as session:
        names = dict((await session.execute(select(tables.ComicSeries.uuid, tables.ComicSeries.name))).all())
        issue_rows = (await session.execute(select(tables.ComicIssue.uuid, tables.ComicIssue.name))).all()
        stories = await session.scalar(select(func.count()).select_from(tables.ComicStory))
    assert names == final_names
    assert {uuid for uuid, _ in issue_rows} == issues
    assert {name for _, name in issue_rows} == {"final"}
    assert stories == 2 * len(issues)
    sqs, queue_client = await container.get(SQSClient), await container.get(QueueClient)
    assert await queue_depth(sqs, queue_client, f"{QUEUE}_DLQ") == 0


async def test_series_update_webhook_refreshes_cached_reads(
    client: httpx.AsyncClient, container: AsyncContainer, engine: AsyncEngine, consumer: None
) -> None:
    series = series_data(name="Before")
    await post_all(client, [delivery("comicseries", "created", series, 100)])
    await wait_until_drained(container, 30)
    query = {"query": f'{{ getComicSeries(uuid: "{series["uuid"]}") {{ uuid name }} }}'}

    first = await client.post("/api/graphql", json=query)
    second = await client.post("/api/graphql", json=query)
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert second.json()["data"]["getComicSeries"]["name"] == "Before"

    await post_all(client, [delivery("comicseries", "updated", {**series, "name": "After"}, 200)])
    await wait_until_drained(container, 30)
    fresh = await client.post("/api/graphql", json=query)
    assert fresh.headers["x-cache"] == "MISS"
    assert fresh.json()["data"]["getComicSeries"]["name"] == "After"


async def test_database_down_mid_stream_loses_nothing(
    client: httpx.AsyncClient,
    container: AsyncContainer,
    engine: AsyncEngine,
    settings: Settings,
    queues: None,
) -> None:
    series = series_data(name="Survivor")
    await post_all(client, [delivery("comicseries", "created", series, 100)])
    down = settings.model_copy(
        update={
            "database": DatabaseSettings(
                url="postgresql://nobody@127.0.0.1:9/inkverse", pool_timeout_seconds=1
            ),
            "worker": WorkerSettings(retry_backoff_base_seconds=0, shutdown_grace_seconds=1),
        }
    )
    broken = build_container(down, "test")
    consumer = await build_consumer(broken, default_registry())
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    sqs, queue_client = await container.get(SQSClient), await container.get(QueueClient)
    metrics = await broken.get(Metrics)
    retry = {"queue": QUEUE, "type": "PROCESS_TADDY_WEBHOOK", "outcome": "retry"}
    try:
        async with asyncio.timeout(30):  # until an attempt failed on the database and put the message back
            while not metrics.registry.get_sample_value("inkverse_queue_messages_total", retry):
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await broken.close()

    healthy = await build_consumer(container, default_registry())
    stop = asyncio.Event()
    task = asyncio.create_task(healthy.run(stop))
    try:
        await wait_until_drained(container, 30)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    async with async_sessionmaker(engine)() as session:
        assert await session.scalar(select(tables.ComicSeries.name)) == "Survivor"
    assert await queue_depth(sqs, queue_client, f"{QUEUE}_DLQ") == 0


class StalledImageHost:
    """An image host that holds every request until released, like a host timing out."""

    def __init__(self) -> None:
        self.url = ""
        self.requests = 0
        self.released = asyncio.Event()
        webp = io.BytesIO()
        Image.new("RGB", (800, 1280)).save(webp, "WEBP")
        self.webp = webp.getvalue()

    async def serve(self, request: web.Request) -> web.Response:
        self.requests += 1
        await self.released.wait()
        return web.Response(body=self.webp, content_type="image/webp")

    def story(self, series_uuid: str, issue_uuid: str) -> dict[str, Any]:
        image = image_json(base_url=f"{self.url}/{issue_uuid}/", story="story.webp")
        return story_data(series_uuid, issue_uuid, storyImageAsString=image)


@pytest.fixture
async def stalled_host() -> AsyncIterator[StalledImageHost]:
    host = StalledImageHost()
    app = web.Application()
    app.router.add_get("/{issue}/{name}", host.serve)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield host
    host.released.set()
    await runner.cleanup()


async def test_a_stalled_image_host_does_not_hold_up_catalogue_events(
    client: httpx.AsyncClient,
    container: AsyncContainer,
    engine: AsyncEngine,
    settings: Settings,
    queues: None,
    stalled_host: StalledImageHost,
) -> None:
    """Two issues whose images never arrive fill as many image slots as the worker has catalogue slots;
    an unrelated series event must still go through while they wait, and the sizes land afterwards."""
    taddy = settings.taddy.model_copy(
        update={"image_sizing": True, "image_timeout_seconds": 600, "image_allowed_networks": ["127.0.0.0/8"]}
    )
    worker = WorkerSettings(concurrency=2, image_concurrency=2, shutdown_grace_seconds=5)
    worker_container = build_container(settings.model_copy(update={"taddy": taddy, "worker": worker}), "test")
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(worker_container, stop))
    sessionmaker = async_sessionmaker(engine)

    async def count(table: Any) -> int:
        async with sessionmaker() as session:
            return await session.scalar(select(func.count()).select_from(table)) or 0

    async def sized() -> int:
        async with sessionmaker() as session:
            statement = select(func.count()).where(tables.ComicStory.width.is_not(None))
            return await session.scalar(statement) or 0

    try:
        series = series_data()
        issues = [issue_data(series["uuid"], position=n, stories=0) for n in range(2)]
        for issue in issues:
            issue["stories"] = [stalled_host.story(series["uuid"], issue["uuid"])]
        await post_all(client, [delivery("comicissue", "created", issue, 100) for issue in issues])
        await eventually(lambda: _true(stalled_host.requests == 2), 30)

        await post_all(client, [delivery("comicseries", "created", series_data(name="Unrelated"), 100)])
        await wait_until_drained(container, 30)
        assert not stalled_host.released.is_set()
        assert (await count(tables.ComicSeries), await count(tables.ComicIssue)) == (1, 2)
        assert await sized() == 0

        stalled_host.released.set()
        await eventually(lambda: _equals(sized(), 2), 30)
    finally:
        stalled_host.released.set()
        stop.set()
        await asyncio.wait_for(serving, 30)
        await worker_container.close()


async def _true(value: bool) -> bool:
    return value


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected
