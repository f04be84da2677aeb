"""Fan-out benchmark: one new episode to N subscribers (in-app rows, pushes, e-mails) through the worker.

    .venv/bin/python -m benchmarks.bench_fanout [--subscribers 10000] [--emailed 10000] [--concurrency 10]

Every subscriber follows the series with push on and one device; the first `--emailed` of them also turned
new-episode e-mails on (verified addresses). One `SEND_PUSH_NOTIFICATION` NEW_EPISODE_RELEASED message is
handled by the worker's own handler (the fan-out: rows and `SEND_NOTIFICATION` batches in one
transaction, relayed to SQS), then the consumer (`build_consumer`, the default registry) delivers the
batches until the queue is empty. Both phases are timed. PostgreSQL and Redis are embedded ones in a
temporary folder; moto (SQS, SES) and the fake Expo server (`tests/fixtures/fake_expo.py`) run in a
helper process, so that their CPU is not the worker's, and report what they received.
"""

import argparse
import asyncio
import json
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from dishka import AsyncContainer
from moto.backends import get_backend
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from types_aiobotocore_sqs import SQSClient

from benchmarks.api import RESULTS_DIR, machine
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
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.dev.provision import provision_aws
from inkverse.logging import configure_logging
from inkverse.queues.client import QueueClient
from inkverse.queues.messages import NewEpisodeReleased, dump
from inkverse.settings import LogSettings, WorkerSettings, load_settings
from inkverse.worker.handlers import default_registry, send_push_notification
from inkverse.worker.runner import build_consumer
from tests.fixtures.fake_expo import FakeExpo

REGION = "us-west-2"
MOTO_ACCOUNT_ID = "123456789012"  # moto's default account
SERIES_NAME = "The Lighthouse Keeper"


# --- the helper process: moto and the fake Expo -----------------------------------------------------


async def serve_aux() -> None:
    """Run moto and the fake Expo until stdin closes; print their URLs as one `AUX {...}` line."""
    expo = FakeExpo()

    async def stats(_: web.Request) -> web.Response:
        sent = get_backend("ses")[MOTO_ACCOUNT_ID][REGION].sent_messages
        sizes = [len(request) for request in expo.send_requests]
        return web.json_response(
            {"push_requests": len(sizes), "pushes": sum(sizes), "largest_request": max(sizes, default=0),
             "emails": len(sent)}
        )  # fmt: skip

    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_post("/--/api/v2/push/send", expo.send)
    app.router.add_post("/--/api/v2/push/getReceipts", expo.receipts)
    app.router.add_get("/stats", stats)
    async with serving_aux(app) as (aws_url, base):
        announce({"aws": aws_url, "expo": f"{base}/--/api/v2", "stats": f"{base}/stats"})
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


# --- the data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    subscribers: int
    emailed: int
    concurrency: int


async def seed(engine: AsyncEngine, options: Options) -> NewEpisodeReleased:
    """A series with one fresh episode, and its subscribers with their device, settings and address."""
    series_uuid, issue_uuid = str(uuid.uuid4()), str(uuid.uuid4())
    now = int(time.time())
    image = {"base_url": f"https://ax1.taddy.org/{series_uuid}/", "banner_md": "banner-md.webp"}
    users = [
        {
            "email": f"reader{n}@example.com",
            "username": f"reader{n}",
            "is_email_verified": True,
            "created_at": now,
        }
        for n in range(options.subscribers)
    ]
    async with engine.begin() as connection:
        await connection.execute(
            insert(tables.ComicSeries).values(
                uuid=series_uuid, name=SERIES_NAME, short_url="the-lighthouse-keeper"
            )
        )
        await connection.execute(
            insert(tables.ComicIssue).values(
                uuid=issue_uuid, series_uuid=series_uuid, name="Episode 4: Low Tide", date_published=now,
                banner_image=image,
            )
        )  # fmt: skip
        ids = list(await connection.scalars(insert(tables.User).returning(tables.User.id), users))
        await connection.execute(
            insert(tables.NotificationPreference),
            [
                {"user_id": id_, "notification_type": "NEW_EPISODE_RELEASED", "value": series_uuid}
                for id_ in ids
            ],
        )
        await connection.execute(
            insert(tables.UserDevice),
            [{"user_id": id_, "fcm_token": f"ExponentPushToken[{id_}]", "platform": "ios"} for id_ in ids],
        )
        emailed = [
            {"user_id": id_, "event_type": "NEW_EPISODE_RELEASED", "channel": "EMAIL", "is_enabled": True,
             "created_at": now}
            for id_ in ids[: options.emailed]
        ]  # fmt: skip
        if emailed:
            await connection.execute(insert(tables.NotificationSetting), emailed)
    return NewEpisodeReleased(issue_uuid=issue_uuid, series_uuid=series_uuid)


# --- the run ----------------------------------------------------------------------------------------


@dataclass
class Result:
    subscribers: int
    rows: int
    pushes: int
    push_requests: int
    largest_push_request: int
    emails: int
    fan_out_seconds: float
    delivery_seconds: float
    total_seconds: float
    worker_cpu_seconds: float
    helper_cpu_seconds: float
    dead_letters: int

    def lines(self) -> list[str]:
        return [
            f"fan-out (rows + staged batches, one transaction)  {self.fan_out_seconds:7.2f} s",
            f"delivery (pushes + e-mails, through SQS)           {self.delivery_seconds:7.2f} s",
            f"total                                              {self.total_seconds:7.2f} s",
            f"rows {self.rows:,}  pushes {self.pushes:,} in {self.push_requests} requests (largest "
            f"{self.largest_push_request})  e-mails {self.emails:,}  dead letters {self.dead_letters}",
            f"worker CPU {self.worker_cpu_seconds:.1f} s, "
            f"moto + fake Expo CPU {self.helper_cpu_seconds:.1f} s",
        ]


async def measure(container: AsyncContainer, aux: dict[str, str], options: Options) -> Result:
    await provision_aws(container)
    engine = await container.get(AsyncEngine)
    message = await seed(engine, options)
    queues = await container.get(QueueClient)
    queue = (await container.get(WorkerSettings)).queue
    sqs, queue_url = await container.get(SQSClient), await queues.url(queue)
    helper_started, cpu_started = process_cpu_seconds(int(aux["pid"])), time.process_time()

    started = time.perf_counter()
    async with container() as scope:
        await send_push_notification(dump(message), scope)
    fanned_out = time.perf_counter()
    consumer = await build_consumer(container, default_registry())
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await wait_until_empty(sqs, queue_url)
    finally:
        stop.set()
        await task
    finished = time.perf_counter()

    async with aiohttp.ClientSession() as http, http.get(aux["stats"]) as response:
        stats = await response.json()
    async with async_sessionmaker(engine)() as session:
        rows = await session.scalar(select(func.count()).select_from(tables.UserNotification))
    return Result(
        subscribers=options.subscribers,
        rows=int(rows or 0),
        pushes=stats["pushes"],
        push_requests=stats["push_requests"],
        largest_push_request=stats["largest_request"],
        emails=stats["emails"],
        fan_out_seconds=fanned_out - started,
        delivery_seconds=finished - fanned_out,
        total_seconds=finished - started,
        worker_cpu_seconds=time.process_time() - cpu_started,
        helper_cpu_seconds=process_cpu_seconds(int(aux["pid"])) - helper_started,
        dead_letters=await queue_depth(sqs, await queues.url(queues.dlq_name(queue))),
    )


def environment(
    root: Path, database_url: str, redis_url: str, aux: dict[str, str], concurrency: int
) -> dict[str, str]:
    return {
        # `test`, not `development`: development keeps a copy of every e-mail under the data folder.
        "INKVERSE_ENV": "test",
        "INKVERSE_DATA_DIR": str(root),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "AWS_ENDPOINT_URL": aux["aws"],
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": REGION,
        "EXPO_API_URL": aux["expo"],
        "SQS_WAIT_TIME_SECONDS": "1",
        "WORKER_CONCURRENCY": str(concurrency),
        "LOG_LEVEL": "WARNING",
    }


async def run(options: Options) -> Result:
    async with (
        scratch_stack("inkverse-bench-fanout-") as scratch,
        aux_process("benchmarks.bench_fanout") as (aux, _),
    ):
        values = environment(scratch.root, scratch.database_url, scratch.redis_url, aux, options.concurrency)
        with environment_variables(values):
            settings = load_settings(env_file=None, dev_env=False)
        container = build_container(settings, "worker")
        try:
            return await measure(container, aux, options)
        finally:
            await container.close()


def write_results(options: Options, result: Result) -> Path:
    document = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "options": asdict(options),
        "result": asdict(result),
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / "fanout-latest.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--emailed", type=int, default=None, help="subscribers with e-mail on (default: all)")
    parser.add_argument("--concurrency", type=int, default=WorkerSettings().concurrency)
    parser.add_argument("--serve-aux", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.serve_aux:
        asyncio.run(serve_aux())
        return
    configure_logging(LogSettings(level="WARNING"))
    emailed = (
        arguments.subscribers if arguments.emailed is None else min(arguments.emailed, arguments.subscribers)
    )
    options = Options(arguments.subscribers, emailed, arguments.concurrency)
    print(
        f"Fan-out benchmark: one new episode to {options.subscribers:,} subscribers "
        f"({options.emailed:,} with e-mail on), worker concurrency {options.concurrency}",
        flush=True,
    )
    result = asyncio.run(run(options))
    for line in result.lines():
        print(line, flush=True)
    print(f"results in {write_results(options, result)}", flush=True)


if __name__ == "__main__":
    main()
