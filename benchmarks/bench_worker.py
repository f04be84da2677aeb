"""Worker benchmark: `comicissue.created` with 10 stories, through the handler alone and through SQS.

    .venv/bin/python -m benchmarks.bench_worker [--events 200] [--stories 10] [--concurrency 10]
        [--handler auto|registry|writer]

1. Handler throughput, excluding the queue: each webhook body (`{uuid, taddyType, action, timestamp,
   data, "type": "PROCESS_TADDY_WEBHOOK"}`) is given to the `PROCESS_TADDY_WEBHOOK` handler in its own
   REQUEST scope, as the consumer does: one at a time, then `--concurrency` at a time (the worker's
   default concurrency). The clock stops once the outbox's background relay has sent every follow-up
   the events staged (the new-episode pushes and image requests, to moto), so their cost is counted.
   Events/s and SQL statements per event.
2. End to end: the bodies are enqueued on `INKVERSE_HIGH_PRIORITY` first (not timed), then the consumer
   (`build_consumer(container, registry)`) runs until the queue is empty (the events and the pushes they
   produce). Events/s over that time.

The queues are emptied before each measurement (not timed), and the helper process stands in for the
consumers that are not measured (`consume_in_moto`): during the handler measurements it empties both
queues every 50 ms, during the end to end run the image queue; moto's cost per message grows with the
messages its queue holds, where production queues are being consumed.

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
import statistics
import struct
import sys
import threading
import time
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from dishka import AsyncContainer
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from types_aiobotocore_sqs import SQSClient

from benchmarks.api import RESULTS_DIR, machine
from benchmarks.server import cpu_spent, postgres_cpu_snapshot
from benchmarks.sql_count import StatementCounter
from benchmarks.sql_count import environment as environment_variables
from benchmarks.worker_stack import (
    announce,
    aux_process,
    process_cpu_seconds,
    queue_depth,
    scratch_stack,
    serving_aux,
    wait_until_empty,
)
from inkverse.catalog.payloads import ComicIssuePayload
from inkverse.comics.writers import ComicIssueWriter
from inkverse.container import build_container
from inkverse.dev.provision import provision_aws
from inkverse.logging import configure_logging
from inkverse.queues.client import QueueClient
from inkverse.queues.outbox import OutboxRelay
from inkverse.seed.dataset import SIZES
from inkverse.seed.loader import seed_database
from inkverse.settings import LogSettings, WorkerSettings, load_settings
from inkverse.taddy.webhooks import TaddyWebhook
from inkverse.worker.registry import HandlerRegistry
from inkverse.worker.runner import build_consumer, sized_for_worker

Body = dict[str, Any]
Handler = Callable[[Body, AsyncContainer], Awaitable[None]]
# The message type of a Taddy delivery on the queue (the original's name, part of the queue contract).
PROCESS_TADDY_WEBHOOK = "PROCESS_TADDY_WEBHOOK"
CONSUME_INTERVAL_SECONDS = 0.05
CONSUME_COMMAND = "consume "


# --- the helper process: moto and the story images -------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """The start of a PNG (signature + IHDR): all an image sizer reads."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def consume_in_moto(queues: set[str], stopped: threading.Event) -> None:
    """Stand in for the consumers of `queues` (changed in place): empty them every 50 ms in moto's own
    state. moto's cost per message sent grows with the messages its queue holds (1 ms at 0, 4 ms at 200),
    where a production queue is being consumed."""
    from moto.sqs.models import sqs_backends  # noqa: PLC0415 - the helper process alone imports moto

    while not stopped.wait(CONSUME_INTERVAL_SECONDS):
        for account in list(sqs_backends.keys()):
            for backend in sqs_backends[account].values():
                for name in [name for name in list(queues) if name in backend.queues]:
                    backend.purge_queue(name)


async def serve_aux() -> None:
    """Run moto and an image server until stdin closes; print their URLs as one `AUX {...}` line. A
    `consume Q1,Q2` line on stdin makes the helper empty those queues continuously (`consume_in_moto`)."""
    os.environ["MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR"] = (
        "false"  # PurgeQueue more than once a minute
    )
    image = png_header(800, 1280)

    async def story(_: web.Request) -> web.Response:
        return web.Response(body=image, content_type="image/png")

    app = web.Application()
    app.router.add_get("/{tail:.*}", story)
    consumed: set[str] = set()
    stopped = threading.Event()
    consumer = threading.Thread(target=consume_in_moto, args=(consumed, stopped), daemon=True)
    async with serving_aux(app) as (aws_url, images_url):
        announce({"aws": aws_url, "images": images_url})
        consumer.start()
        try:
            while line := await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline):
                if line.startswith(CONSUME_COMMAND):
                    names = line.removeprefix(CONSUME_COMMAND).strip()
                    consumed.clear()
                    consumed.update(filter(None, names.split(",")))
        finally:
            stopped.set()
            consumer.join()


@dataclass(frozen=True)
class Aux:
    urls: dict[str, str]
    stdin: asyncio.StreamWriter

    async def consume(self, *queues: str) -> None:
        """Have the helper empty these queues continuously (and no other)."""
        self.stdin.write(f"{CONSUME_COMMAND}{','.join(queues)}\n".encode())
        await self.stdin.drain()


@contextlib.asynccontextmanager
async def aux_helper() -> AsyncIterator[Aux]:
    async with aux_process("benchmarks.bench_worker") as (urls, stdin):
        yield Aux(urls, stdin)


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


@dataclass
class Throughput:
    label: str
    events: int
    seconds: float
    statements_per_event: float | None = None
    mean_ms: float | None = None
    cpu_ms_per_event: float | None = None
    helper_cpu_ms_per_event: float | None = None
    db_cpu_ms_per_event: float | None = None

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        extra = f"  mean {self.mean_ms:6.1f} ms" if self.mean_ms is not None else ""
        for name, value in (("worker", self.cpu_ms_per_event), ("moto+images", self.helper_cpu_ms_per_event),
                            ("PostgreSQL", self.db_cpu_ms_per_event)):  # fmt: skip
            if value is not None:
                extra += f"  {name} CPU {value:5.1f} ms/event"
        sql = f"  SQL/event {self.statements_per_event:.1f}" if self.statements_per_event is not None else ""
        return f"{self.label:<46} {self.events:>5} events  {self.events_per_second:7.1f} events/s{extra}{sql}"


@dataclass
class Spent:
    seconds: float = 0.0
    worker: float = 0.0
    helper: float = 0.0
    database: float | None = 0.0

    def charge(self, result: Throughput) -> None:
        """`result`'s time and CPU figures (per `result.events`) from what was spent."""
        per_event = 1000 / result.events
        result.seconds = self.seconds
        result.cpu_ms_per_event = self.worker * per_event
        result.helper_cpu_ms_per_event = self.helper * per_event
        result.db_cpu_ms_per_event = self.database * per_event if self.database is not None else None


@dataclass(frozen=True)
class Meters:
    """Where the time goes during a measurement: this process (the worker), the helper process (moto and
    the image server) and the PostgreSQL server."""

    helper_pid: int
    postmaster_pid: int | None

    @contextlib.asynccontextmanager
    async def measuring(self, spent: Spent) -> AsyncIterator[None]:
        """Adds what the block spends to `spent`."""
        started, cpu = time.perf_counter(), time.process_time()
        helper, database = process_cpu_seconds(self.helper_pid), postgres_cpu_snapshot(self.postmaster_pid)
        yield
        spent.seconds += time.perf_counter() - started
        spent.worker += time.process_time() - cpu
        spent.helper += process_cpu_seconds(self.helper_pid) - helper
        database_seconds = cpu_spent(database, postgres_cpu_snapshot(self.postmaster_pid))
        if spent.database is not None:
            spent.database = None if database_seconds is None else spent.database + database_seconds


async def run_handler(container: AsyncContainer, handler: Handler, body: Body) -> float:
    started = time.perf_counter()
    async with container() as scope:
        await handler(body, scope)
    return time.perf_counter() - started


async def settle(container: AsyncContainer) -> None:
    """Wait for the follow-ups the handlers handed to the outbox's background relay."""
    await (await container.get(OutboxRelay)).wait_idle()


async def handler_throughput(
    container: AsyncContainer,
    handler: Handler,
    bodies: list[Body],
    *,
    concurrency: int,
    meters: Meters,
    counter: StatementCounter,
) -> Throughput:
    """`concurrency` events in flight (1: one at a time), until the last follow-up is sent."""
    slots = asyncio.Semaphore(concurrency)

    async def one(body: Body) -> float:
        async with slots:
            return await run_handler(container, handler, body)

    label = "handler, one event at a time" if concurrency == 1 else f"handler, {concurrency} events in flight"
    result, spent = Throughput(label, len(bodies), 0.0), Spent()
    counter.count = 0
    async with meters.measuring(spent):
        durations = await asyncio.gather(*(one(body) for body in bodies))
        await settle(container)
    spent.charge(result)
    result.mean_ms = statistics.fmean(durations) * 1000
    result.statements_per_event = counter.count / len(bodies)
    return result


async def empty_queues(container: AsyncContainer) -> None:
    """Drop what earlier measurements left on the queues, untimed."""
    queues, sqs = await container.get(QueueClient), await container.get(SQSClient)
    for queue in queues.settings.queue_names:
        await sqs.purge_queue(QueueUrl=await queues.url(queue))


async def end_to_end(
    container: AsyncContainer, registry: HandlerRegistry, bodies: list[Body], meters: Meters
) -> Throughput:
    queues = await container.get(QueueClient)
    settings = await container.get(WorkerSettings)
    for start in range(0, len(bodies), 10):
        batch = [json.dumps(body) for body in bodies[start : start + 10]]
        if refused := await queues.send_batch(settings.queue, batch):
            raise RuntimeError(f"SQS refused {len(refused)} messages")
    sqs, queue_url = await container.get(SQSClient), await queues.url(settings.queue)
    consumer = await build_consumer(container, registry)
    stop = asyncio.Event()
    label = f"end to end through SQS (moto), concurrency {settings.concurrency}"
    result, spent = Throughput(label, len(bodies), 0.0), Spent()
    async with meters.measuring(spent):
        task = asyncio.create_task(consumer.run(stop))
        try:
            await wait_until_empty(sqs, queue_url)
            await settle(container)
        finally:
            stop.set()
            await task
    spent.charge(result)
    dead = await queue_depth(sqs, await queues.url(queues.dlq_name(settings.queue)))
    if dead:
        raise RuntimeError(f"{dead} messages went to the dead-letter queue")
    return result


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


async def measure(
    options: Options, container: AsyncContainer, aux: Aux, postmaster_pid: int | None
) -> list[Throughput]:
    label, registry = choose_registry(options.handler)
    handler = registry.handler_for(PROCESS_TADDY_WEBHOOK)
    print(f"handler: {label}", flush=True)
    await provision_aws(container)
    counter = StatementCounter()
    event.listen((await container.get(AsyncEngine)).sync_engine, "before_cursor_execute", counter)
    bodies = BodyFactory(*await first_series(container), options.stories, aux.urls["images"])
    for body in bodies.make(10):  # warm-up: connections, prepared statements, HTTP sessions
        await run_handler(container, handler, body)
    await settle(container)
    meters = Meters(int(aux.urls["pid"]), postmaster_pid)
    settings = await container.get(WorkerSettings)
    # Every queue is consumed in production: the pushes by a worker, the image requests by its image lane.
    await aux.consume(settings.queue, settings.image_queue)
    results = []
    for concurrency in (1, options.concurrency):
        await empty_queues(container)
        results.append(
            await handler_throughput(container, handler, bodies.make(options.events),
                                     concurrency=concurrency, meters=meters, counter=counter)
        )  # fmt: skip
        print(results[-1].line(), flush=True)
    await aux.consume(settings.image_queue)  # the push queue's consumer is the one measured
    await empty_queues(container)
    results.append(await end_to_end(container, registry, bodies.make(options.events), meters))
    print(results[-1].line(), flush=True)
    return results


async def run(options: Options) -> list[Throughput]:
    async with scratch_stack("inkverse-bench-worker-") as scratch:
        await seed_database(scratch.database_url, SIZES["demo"])
        async with aux_helper() as aux:
            values = environment(scratch.database_url, scratch.redis_url, aux.urls, options.concurrency)
            with environment_variables(values):
                settings = load_settings(env_file=None)
            container = build_container(sized_for_worker(settings), "worker")
            try:
                return await measure(options, container, aux, scratch.postmaster_pid)
            finally:
                await container.close()


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
