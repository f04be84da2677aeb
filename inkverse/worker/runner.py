"""Build the container, install signal handlers, and run the consumer until told to stop."""

import asyncio
import signal

from dishka import AsyncContainer

from inkverse.container import build_container
from inkverse.logging import configure_logging
from inkverse.metrics import Metrics
from inkverse.queues.client import QueueClient
from inkverse.queues.outbox import OutboxRelay
from inkverse.queues.producer import OverflowStore
from inkverse.settings import QueueSettings, Settings, WorkerSettings
from inkverse.worker.consumer import Consumer
from inkverse.worker.handlers import default_registry
from inkverse.worker.registry import HandlerRegistry


async def build_consumer(container: AsyncContainer, registry: HandlerRegistry) -> Consumer:
    return Consumer(
        container=container,
        queues=await container.get(QueueClient),
        registry=registry,
        settings=await container.get(WorkerSettings),
        queue_settings=await container.get(QueueSettings),
        metrics=await container.get(Metrics),
        overflow=await container.get(OverflowStore),
    )


async def run_worker(settings: Settings) -> None:
    configure_logging(settings.log)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    container = build_container(settings, "worker")
    try:
        consumer = await build_consumer(container, default_registry())
        relay = await container.get(OutboxRelay)
        relaying = asyncio.create_task(relay.run(stop, settings.worker.outbox_relay_interval_seconds))
        try:
            await consumer.run(stop)
        finally:
            stop.set()
            await relaying
    finally:
        await container.close()
