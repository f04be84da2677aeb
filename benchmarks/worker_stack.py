"""What the worker benchmarks (`bench_worker`, `bench_fanout`) share: a scratch PostgreSQL and Redis in
a temporary folder, the helper process that runs moto and a small HTTP server away from the measured
worker's CPU, and the queue and CPU readings they time with.

The helper process is the benchmark module itself run with `--serve-aux`: it starts its services
(`serving_aux`), prints their URLs as one `AUX {...}` line (`announce`) and serves until its stdin closes;
`aux_process` starts it and reads that line.
"""

import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import psutil
from aiohttp import web
from types_aiobotocore_sqs import SQSClient

from benchmarks.stack import postmaster_pid
from inkverse.database import migrations
from inkverse.dev.stack import EmbeddedAws, EmbeddedPostgres, EmbeddedRedis

AUX_PREFIX = "AUX "
AUX_START_SECONDS = 60.0
AUX_STOP_SECONDS = 15.0
DRAIN_TIMEOUT_SECONDS = 600.0


# --- the scratch servers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scratch:
    root: Path
    database_url: str
    redis_url: str
    postmaster_pid: int | None


@contextlib.asynccontextmanager
async def scratch_stack(prefix: str) -> AsyncIterator[Scratch]:
    """An embedded PostgreSQL (migrated) and Redis in a temporary folder, removed on the way out."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    postgres, redis = EmbeddedPostgres(root), EmbeddedRedis(root)
    try:
        database_url, redis_url = await postgres.start(), await redis.start()
        await migrations.upgrade(database_url)
        yield Scratch(root, database_url, redis_url, postmaster_pid(postgres.pgdata))
    finally:
        await redis.stop()
        await postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


# --- the helper process -----------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def serving_aux(app: web.Application) -> AsyncIterator[tuple[str, str]]:
    """moto's server and `app` on 127.0.0.1 until the block ends: (moto's URL, the app's base URL)."""
    aws = EmbeddedAws()
    aws_url = await aws.start()
    runner = web.AppRunner(app, access_log=None)
    try:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield aws_url, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
        await aws.stop()


def announce(urls: dict[str, str]) -> None:
    """The helper's one `AUX {...}` line: its URLs and its pid (for its CPU time)."""
    print(AUX_PREFIX + json.dumps(urls | {"pid": str(os.getpid())}), flush=True)


@contextlib.asynccontextmanager
async def aux_process(module: str) -> AsyncIterator[tuple[dict[str, str], asyncio.StreamWriter]]:
    """`python -m module --serve-aux` until the block ends: its URLs and its stdin (closed to stop it)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, "--serve-aux",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        line = (await asyncio.wait_for(process.stdout.readline(), AUX_START_SECONDS)).decode()
        if not line.startswith(AUX_PREFIX):
            raise RuntimeError(f"the helper process did not start: {line!r}")
        yield json.loads(line.removeprefix(AUX_PREFIX)), process.stdin
    finally:
        process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), AUX_STOP_SECONDS)
        except TimeoutError:
            process.kill()
            await process.wait()


# --- readings ---------------------------------------------------------------------------------------


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
