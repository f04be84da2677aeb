"""Worker benchmark: `comicissue.created` with 10 stories, through the handler alone and through SQS.

    .venv/bin/python -m benchmarks.bench_worker [--events 200] [--stories 10] [--concurrency 10]
        [--handler auto|registry|writer]

1. Handler throughput, excluding the queue: each webhook body (`{uuid, taddyType, action, timestamp,
   data, "type": "PROCESS_TADDY_WEBHOOK"}`) is given to the `PROCESS_TADDY_WEBHOOK` handler in its own
   REQUEST scope, as the consumer does: one at a time, then `--concurrency` at a time (the worker's
   default concurrency). Events/s and SQL statements per event.
2. End to end: the bodies are enqueued on `INKVERSE_HIGH_PRIORITY` first (not timed), then the consumer
   (`build_consumer(container, registry)`) runs until the queue is empty. Events/s over that time.

`--handler auto` uses the handler registered in the worker's default registry (the real one: the write,
the new-episode push through the outbox, story image sizing, cache purges); when the build has none yet
it says so and uses a handler made of the catalog writer alone (`writer`). The PostgreSQL and Redis are
embedded ones in a temporary folder; moto's server (`EmbeddedAws`) and a small image server that the
story URLs point at run in a helper process, so that their CPU is not the worker's.
"""

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import shutil
import statistics
import struct
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from aiohttp import web
from dishka import AsyncContainer
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from types_aiobotocore_sqs import SQSClient

from benchmarks.api import RESULTS_DIR, machine
from inkverse.catalog.payloads import ComicIssuePayload
from inkverse.comics.writers import ComicIssueWriter
from inkverse.container import build_container
from inkverse.database import migrations
from inkverse.dev.provision import provision_aws
from inkverse.dev.stack import EmbeddedAws, EmbeddedPostgres, EmbeddedRedis
from inkverse.logging import configure_logging
from inkverse.queues.client import QueueClient
from inkverse.seed.dataset import SIZES
from inkverse.seed.loader import seed_database
from inkverse.settings import LogSettings, WorkerSettings, load_settings
from inkverse.taddy.webhooks import TaddyWebhook
from inkverse.worker.registry import HandlerRegistry
from inkverse.worker.runner import build_consumer

Body = dict[str, Any]
Handler = Callable[[Body, AsyncContainer], Awaitable[None]]
AUX_PREFIX = "AUX "
# The message type of a Taddy delivery on the queue (the original's name, part of the queue contract).
PROCESS_TADDY_WEBHOOK = "PROCESS_TADDY_WEBHOOK"
DRAIN_TIMEOUT_SECONDS = 600.0


# --- the helper process: moto and the story images -------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """The start of a PNG (signature + IHDR): all an image sizer reads."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


async def serve_aux() -> None:
    """Run moto and an image server until stdin closes; print their URLs as one `AUX {...}` line."""
    aws = EmbeddedAws()
    aws_url = await aws.start()
    image = png_header(800, 1280)

    async def story(_: web.Request) -> web.Response:
        return web.Response(body=image, content_type="image/png")

    app = web.Application()
    app.router.add_get("/{tail:.*}", story)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    urls = {"aws": aws_url, "images": f"http://127.0.0.1:{port}", "pid": str(os.getpid())}
    print(AUX_PREFIX + json.dumps(urls), flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        await runner.cleanup()
        await aws.stop()


@contextlib.asynccontextmanager
async def aux_process() -> AsyncIterator[dict[str, str]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.bench_worker", "--serve-aux",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        if not line.startswith(AUX_PREFIX):
            raise RuntimeError(f"the helper process did not start: {line!r}")
        yield json.loads(line.removeprefix(AUX_PREFIX))
    finally:
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


# --- webhook bodies ---------------------------------------------------------------------------------


def image_json(**variants: str) -> str:
    return json.dumps(variants, separators=(",", ":"))


def issue_created(series_uuid: str, position: int, story_count: int, image_base: str) -> Body:
    issue_uuid = str(uuid.uuid4())
    base = f"{image_base}/{series_uuid}/{issue_uuid}"
    stories = [str(uuid.uuid4()) for _ in range(story_count)]
    data = {
        "uuid": issue_uuid, "seriesUuid": series_uuid, "name": f"Episode {position + 1}: The Lighthouse",
        "creatorNote": None, "pushNotificationMessage": f"Episode {position + 1} is out!",
        "hash": uuid.uuid4().hex, "storiesHash": uuid.uuid4().hex, "datePublished": int(time.time()) - 60,
        "bannerImageAsString": image_json(base_url=f"{base}/", banner_sm="banner-sm.webp",
                                          banner_md="banner-md.webp", banner_lg="banner-lg.webp"),
        "thumbnailImageAsString": image_json(base_url=f"{base}/{uuid.uuid4()}/", thumbnail="thumbnail.webp"),
        "stories": [
            {"uuid": story_uuid, "issueUuid": issue_uuid, "seriesUuid": series_uuid, "hash": uuid.uuid4().hex,
             "storyImageAsString": image_json(base_url=f"{base}/{uuid.uuid4()}/", story="story.webp")}
            for story_uuid in stories
        ],
        "position": position, "scopesForExclusiveContent": None, "dateExclusiveContentIsAvailable": None,
        "isRemoved": None, "isBlocked": None,
    }  # fmt: skip
    return {
        "uuid": issue_uuid,
        "taddyType": "comicissue",
        "action": "created",
        "timestamp": int(time.time()),
        "data": data,
        "type": PROCESS_TADDY_WEBHOOK,
    }


class BodyFactory:
    def __init__(self, series_uuid: str, first_position: int, story_count: int, image_base: str) -> None:
        self._series_uuid = series_uuid
        self._position = first_position
        self._story_count = story_count
        self._image_base = image_base

    def make(self, count: int) -> list[Body]:
        bodies = []
        for _ in range(count):
            bodies.append(
                issue_created(self._series_uuid, self._position, self._story_count, self._image_base)
            )
            self._position += 1
        return bodies


# --- handlers ---------------------------------------------------------------------------------------


def worker_registry() -> HandlerRegistry | None:
    """The worker's default registry when it handles PROCESS_TADDY_WEBHOOK (wherever this build keeps
    `default_registry`), else None."""
    for module_name in ("inkverse.worker.handlers", "inkverse.worker.registry"):
        with contextlib.suppress(ImportError):
            factory = getattr(importlib.import_module(module_name), "default_registry", None)
            registry = factory() if factory is not None else None
            if isinstance(registry, HandlerRegistry) and PROCESS_TADDY_WEBHOOK in registry.types:
                return registry
    return None


async def write_only_handler(body: Body, scope: AsyncContainer) -> None:
    """The catalog write alone: parse the delivery, apply it with ComicIssueWriter, commit."""
    webhook = TaddyWebhook.model_validate(body)
    payload = ComicIssuePayload.parse(webhook.data or {})
    sessionmaker = await scope.get(async_sessionmaker[AsyncSession])
    async with sessionmaker() as session, session.begin():
        await ComicIssueWriter(session).apply(webhook.action, payload, webhook.timestamp)


def choose_registry(choice: str) -> tuple[str, HandlerRegistry]:
    registry = worker_registry() if choice in {"auto", "registry"} else None
    if registry is not None:
        return "registry (the worker's PROCESS_TADDY_WEBHOOK handler)", registry
    if choice == "registry":
        raise SystemExit("this build registers no PROCESS_TADDY_WEBHOOK handler")
    note = "" if choice == "writer" else " - the default registry has no PROCESS_TADDY_WEBHOOK handler yet"
    label = f"writer (ComicIssueWriter + commit only){note}"
    return label, HandlerRegistry({PROCESS_TADDY_WEBHOOK: write_only_handler})


# --- measurements -----------------------------------------------------------------------------------


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_: object) -> None:
        self.count += 1


@dataclass
class Throughput:
    label: str
    events: int
    seconds: float
    statements_per_event: float | None = None
    mean_ms: float | None = None
    cpu_ms_per_event: float | None = None
    helper_cpu_ms_per_event: float | None = None

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        extra = f"  mean {self.mean_ms:6.1f} ms" if self.mean_ms is not None else ""
        if self.cpu_ms_per_event is not None:
            extra += f"  worker CPU {self.cpu_ms_per_event:5.1f} ms/event"
        if self.helper_cpu_ms_per_event is not None:
            extra += f"  moto+images CPU {self.helper_cpu_ms_per_event:5.1f} ms/event"
        sql = f"  SQL/event {self.statements_per_event:.1f}" if self.statements_per_event is not None else ""
        return f"{self.label:<46} {self.events:>5} events  {self.events_per_second:7.1f} events/s{extra}{sql}"


async def run_handler(container: AsyncContainer, handler: Handler, body: Body) -> float:
    started = time.perf_counter()
    async with container() as scope:
        await handler(body, scope)
    return time.perf_counter() - started


async def handler_sequential(
    container: AsyncContainer, handler: Handler, bodies: list[Body], counter: StatementCounter
) -> Throughput:
    counter.count = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    durations = [await run_handler(container, handler, body) for body in bodies]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return Throughput(
        "handler, one event at a time", len(bodies), elapsed, counter.count / len(bodies),
        statistics.fmean(durations) * 1000, cpu * 1000 / len(bodies),
    )  # fmt: skip


async def handler_concurrent(
    container: AsyncContainer, handler: Handler, bodies: list[Body], concurrency: int
) -> Throughput:
    slots = asyncio.Semaphore(concurrency)

    async def one(body: Body) -> float:
        async with slots:
            return await run_handler(container, handler, body)

    started, cpu_started = time.perf_counter(), time.process_time()
    durations = await asyncio.gather(*(one(body) for body in bodies))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    label = f"handler, {concurrency} events in flight"
    return Throughput(
        label, len(bodies), elapsed, mean_ms=statistics.fmean(durations) * 1000,
        cpu_ms_per_event=cpu * 1000 / len(bodies),
    )  # fmt: skip


async def queue_depth(sqs: SQSClient, queue_url: str) -> int:
    attributes = (
        await sqs.get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


async def wait_until_empty(sqs: SQSClient, queue_url: str) -> None:
    async with asyncio.timeout(DRAIN_TIMEOUT_SECONDS):
        while True:
            if not await queue_depth(sqs, queue_url):
                return
            await asyncio.sleep(0.05)


def process_cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def end_to_end(
    container: AsyncContainer, registry: HandlerRegistry, bodies: list[Body], helper_pid: int
) -> Throughput:
    queues = await container.get(QueueClient)
    queue = (await container.get(WorkerSettings)).queue
    for start in range(0, len(bodies), 10):
        refused = await queues.send_batch(queue, [json.dumps(body) for body in bodies[start : start + 10]])
        if refused:
            raise RuntimeError(f"SQS refused {len(refused)} messages")
    sqs, queue_url = await container.get(SQSClient), await queues.url(queue)
    consumer = await build_consumer(container, registry)
    stop = asyncio.Event()
    started, cpu_started = time.perf_counter(), time.process_time()
    helper_started = process_cpu_seconds(helper_pid)
    task = asyncio.create_task(consumer.run(stop))
    try:
        await wait_until_empty(sqs, queue_url)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        helper_cpu = process_cpu_seconds(helper_pid) - helper_started
    finally:
        stop.set()
        await task
    dead = await queue_depth(sqs, await queues.url(queues.dlq_name(queue)))
    if dead:
        raise RuntimeError(f"{dead} messages went to the dead-letter queue")
    label = f"end to end through SQS (moto), concurrency {(await container.get(WorkerSettings)).concurrency}"
    return Throughput(
        label, len(bodies), elapsed, cpu_ms_per_event=cpu * 1000 / len(bodies),
        helper_cpu_ms_per_event=helper_cpu * 1000 / len(bodies),
    )  # fmt: skip


# --- the run ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    events: int
    stories: int
    concurrency: int
    handler: str


def environment(database_url: str, redis_url: str, aux: dict[str, str], concurrency: int) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "AWS_ENDPOINT_URL": aux["aws"],
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "SQS_WAIT_TIME_SECONDS": "1",
        "WORKER_CONCURRENCY": str(concurrency),
        "LOG_LEVEL": "WARNING",
    }


@contextlib.contextmanager
def environment_applied(values: dict[str, str]) -> Any:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def first_series(container: AsyncContainer) -> tuple[str, int]:
    """A seeded series and the position its next issue takes."""
    engine = await container.get(AsyncEngine)
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    "SELECT series_uuid::text, max(position) + 1 FROM comicissue "
                    "GROUP BY series_uuid ORDER BY series_uuid LIMIT 1"
                )
            )
        ).one()
    return row[0], int(row[1])


async def measure(options: Options, container: AsyncContainer, aux: dict[str, str]) -> list[Throughput]:
    label, registry = choose_registry(options.handler)
    handler = registry.handler_for(PROCESS_TADDY_WEBHOOK)
    print(f"handler: {label}", flush=True)
    await provision_aws(container)
    counter = StatementCounter()
    event.listen((await container.get(AsyncEngine)).sync_engine, "before_cursor_execute", counter)
    bodies = BodyFactory(*await first_series(container), options.stories, aux["images"])
    for body in bodies.make(10):  # warm-up: connections, prepared statements, HTTP sessions
        await run_handler(container, handler, body)
    results = [
        await handler_sequential(container, handler, bodies.make(options.events), counter),
        await handler_concurrent(container, handler, bodies.make(options.events), options.concurrency),
    ]
    for result in results:
        print(result.line(), flush=True)
    results.append(await end_to_end(container, registry, bodies.make(options.events), int(aux["pid"])))
    print(results[-1].line(), flush=True)
    return results


async def run(options: Options) -> list[Throughput]:
    root = Path(tempfile.mkdtemp(prefix="inkverse-bench-worker-"))
    postgres, redis = EmbeddedPostgres(root), EmbeddedRedis(root)
    try:
        database_url, redis_url = await postgres.start(), await redis.start()
        await migrations.upgrade(database_url)
        await seed_database(database_url, SIZES["demo"])
        async with aux_process() as aux:
            with environment_applied(environment(database_url, redis_url, aux, options.concurrency)):
                settings = load_settings(env_file=None)
            container = build_container(settings, "worker")
            try:
                return await measure(options, container, aux)
            finally:
                await container.close()
    finally:
        await redis.stop()
        await postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


def write_results(options: Options, results: list[Throughput]) -> Path:
    timestamp = datetime.now(UTC).isoformat(timespec="seconds")
    document = {
        "timestamp": timestamp,
        "machine": machine(),
        "options": asdict(options),
        "results": [asdict(result) | {"events_per_second": result.events_per_second} for result in results],
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{timestamp.replace(':', '').replace('+0000', 'Z')}-worker.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    (RESULTS_DIR / "worker-latest.json").write_text(json.dumps(document, indent=2) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--stories", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=WorkerSettings().concurrency)
    parser.add_argument("--handler", choices=("auto", "registry", "writer"), default="auto")
    parser.add_argument("--serve-aux", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_aux:
        asyncio.run(serve_aux())
        return
    configure_logging(LogSettings(level="WARNING"))
    options = Options(arguments.events, arguments.stories, arguments.concurrency, arguments.handler)
    print(
        f"Worker benchmark: comicissue.created with {options.stories} stories, {options.events} events per "
        f"measurement",
        flush=True,
    )
    results = asyncio.run(run(options))
    print(f"results in {write_results(options, results)}", flush=True)


if __name__ == "__main__":
    main()
