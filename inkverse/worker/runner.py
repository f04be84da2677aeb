"""Build the container, install signal handlers, and run the consumers until told to stop.

Two consumers share the process: one for `WORKER_QUEUE` (catalogue events, pushes) and one with its own
slots for `WORKER_IMAGE_QUEUE` (story image sizing), so slow image hosts never delay the catalogue.
"""

import asyncio
import signal

from dishka import AsyncContainer

from inkverse.container import build_container
from inkverse.jobs.runner import build_job_runner
from inkverse.logging import configure_logging
from inkverse.metrics import Metrics
from inkverse.queues.client import QueueClient
from inkverse.queues.outbox import OutboxRelay
from inkverse.queues.producer import OverflowStore
from inkverse.settings import QueueSettings, Settings, WorkerSettings
from inkverse.worker.consumer import Consumer
from inkverse.worker.handlers import default_registry
from inkverse.worker.registry import HandlerRegistry


async def build_consumer(
    container: AsyncContainer, registry: HandlerRegistry, settings: WorkerSettings | None = None
) -> Consumer:
    """The consumer of `settings.queue` (by default the container's `WORKER_QUEUE` settings)."""
    if settings is None:
        settings = await container.get(WorkerSettings)
    return Consumer(
        container=container,
        queues=await container.get(QueueClient),
        registry=registry,
        settings=settings,
        queue_settings=await container.get(QueueSettings),
        metrics=await container.get(Metrics),
        overflow=await container.get(OverflowStore),
    )


def image_lane(settings: WorkerSettings) -> WorkerSettings:
    """The image queue's consumer settings: its own queue and slots, the rest shared."""
    return settings.model_copy(
        update={"queue": settings.image_queue, "concurrency": settings.image_concurrency}
    )


async def serve(container: AsyncContainer, stop: asyncio.Event) -> None:
    """Both consumers, the outbox relay and (with `WORKER_RUN_JOBS`) the due jobs, until `stop` is set."""
    settings = await container.get(WorkerSettings)
    registry = default_registry()
    consumers = [
        await build_consumer(container, registry),
        await build_consumer(container, registry, image_lane(settings)),
    ]
    relay = await container.get(OutboxRelay)
    try:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(relay.run(stop, settings.outbox_relay_interval_seconds))
            if settings.run_jobs:
                jobs = await build_job_runner(container)
                tasks.create_task(jobs.loop(stop, settings.jobs_poll_interval_seconds))
            for consumer in consumers:
                tasks.create_task(consumer.run(stop))
    finally:
        stop.set()


def sized_for_worker(settings: Settings) -> Settings:
    """Unless `DATABASE_POOL_SIZE` is set, a pool with a connection for every message slot of both
    consumers, the outbox relay and the jobs: a smaller one would open and close an overflow connection
    (a connect, type introspection, no prepared statements) for many messages under load."""
    database, worker = settings.database, settings.worker
    if "pool_size" in database.model_fields_set:
        return settings
    needed = worker.concurrency + worker.image_concurrency + 2
    if database.pool_size >= needed:
        return settings
    return settings.model_copy(update={"database": database.model_copy(update={"pool_size": needed})})


async def run_worker(settings: Settings) -> None:
    configure_logging(settings.log)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    container = build_container(sized_for_worker(settings), "worker")
    try:
        await serve(container, stop)
    finally:
        await container.close()
