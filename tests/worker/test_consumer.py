"""The consumer loop against moto's SQS over HTTP: ack after success, retries, DLQ, shutdown."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import pytest
from dishka import AsyncContainer
from types_aiobotocore_sqs import SQSClient

from inkverse.metrics import Metrics
from inkverse.queues.client import MAX_BATCH, QueueClient, ReceivedMessage
from inkverse.queues.producer import OverflowStore
from inkverse.settings import Settings, WorkerSettings
from inkverse.worker.consumer import Consumer, retry_delay
from inkverse.worker.handlers import default_registry
from inkverse.worker.registry import HandlerRegistry, MessageBody
from inkverse.worker.runner import build_consumer
from tests.fixtures.queues import dead_letters, eventually, queue_depth

QUEUE = "INKVERSE_HIGH_PRIORITY"
DLQ = "INKVERSE_HIGH_PRIORITY_DLQ"


class Running:
    def __init__(self, consumer: Consumer) -> None:
        self.consumer = consumer
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(consumer.run(self.stop))

    async def shutdown(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 15)


@pytest.fixture
async def start(
    container: AsyncContainer, queues: None
) -> AsyncIterator[Callable[[HandlerRegistry], Awaitable[Running]]]:
    running: list[Running] = []

    async def starter(registry: HandlerRegistry) -> Running:
        run = Running(await build_consumer(container, registry))
        running.append(run)
        await run.consumer.polling.wait()
        return run

    yield starter
    for run in running:
        if not run.task.done():
            await run.shutdown()


@pytest.fixture
async def sqs(container: AsyncContainer) -> SQSClient:
    return await container.get(SQSClient)


@pytest.fixture
async def client(container: AsyncContainer) -> QueueClient:
    return await container.get(QueueClient)


async def test_handled_message_is_deleted(start: Any, sqs: SQSClient, client: QueueClient) -> None:
    seen: list[MessageBody] = []

    async def handler(body: MessageBody, _: AsyncContainer) -> None:
        seen.append(body)

    await start(HandlerRegistry({"PING": handler}))
    await client.send(QUEUE, json.dumps({"type": "PING", "n": 1}))
    await eventually(lambda: _true(bool(seen)))
    await eventually(lambda: _equals(queue_depth(sqs, client, QUEUE), 0))
    assert seen == [{"type": "PING", "n": 1}]
    assert await dead_letters(sqs, client, DLQ) == []


async def test_unknown_type_goes_to_the_dlq_with_the_reason(
    start: Any, sqs: SQSClient, client: QueueClient
) -> None:
    await start(HandlerRegistry())
    await client.send(QUEUE, json.dumps({"type": "NOT_A_TYPE"}))
    letters: list[dict[str, Any]] = []

    async def arrived() -> bool:
        letters.extend(await dead_letters(sqs, client, DLQ))
        return bool(letters)

    await eventually(arrived)
    assert json.loads(letters[0]["Body"]) == {"type": "NOT_A_TYPE"}
    assert "NOT_A_TYPE" in letters[0]["MessageAttributes"]["reason"]["StringValue"]
    # The dead letter is sent before the original is deleted: wait for the delete, do not race it.
    await eventually(lambda: _equals(queue_depth(sqs, client, QUEUE), 0))


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"no_type": true}'])
async def test_unparseable_body_goes_to_the_dlq(
    start: Any, sqs: SQSClient, client: QueueClient, body: str
) -> None:
    await start(HandlerRegistry())
    await client.send(QUEUE, body)
    letters: list[dict[str, Any]] = []

    async def arrived() -> bool:
        letters.extend(await dead_letters(sqs, client, DLQ))
        return bool(letters)

    await eventually(arrived)
    assert letters[0]["Body"] == body


async def test_failing_handler_is_retried_then_dead_lettered(
    container: AsyncContainer, queues: None, settings: Settings, sqs: SQSClient, client: QueueClient
) -> None:
    attempts: list[int] = []

    async def handler(_: MessageBody, __: AsyncContainer) -> None:
        attempts.append(1)
        raise RuntimeError("database down")

    worker_settings = WorkerSettings(retry_backoff_base_seconds=0, shutdown_grace_seconds=1)
    consumer = Consumer(
        container=container,
        queues=client,
        registry=HandlerRegistry({"FLAKY": handler}),
        settings=worker_settings,
        queue_settings=settings.queues.model_copy(update={"max_receive_count": 3}),
        metrics=await container.get(Metrics),
        overflow=await container.get(OverflowStore),
    )
    run = Running(consumer)
    try:
        await client.send(QUEUE, json.dumps({"type": "FLAKY"}))
        letters: list[dict[str, Any]] = []

        async def arrived() -> bool:
            letters.extend(await dead_letters(sqs, client, DLQ))
            return bool(letters)

        await eventually(arrived, seconds=30)
    finally:
        await run.shutdown()
    assert len(attempts) == 3
    assert "database down" in letters[0]["MessageAttributes"]["reason"]["StringValue"]
    assert letters[0]["MessageAttributes"]["receive_count"]["StringValue"] == "3"


async def test_stop_cancels_the_long_poll(
    container: AsyncContainer, queues: None, settings: Settings, client: QueueClient
) -> None:
    long_poll = settings.queues.model_copy(update={"wait_time_seconds": 20})
    consumer = Consumer(
        container=container,
        queues=client,
        registry=HandlerRegistry(),
        settings=settings.worker,
        queue_settings=long_poll,
        metrics=await container.get(Metrics),
        overflow=await container.get(OverflowStore),
    )
    run = Running(consumer)
    await consumer.polling.wait()
    run.stop.set()
    # Well under the 20 s poll: the receive was cancelled rather than waited out.
    await asyncio.wait_for(run.task, 10)


async def test_in_flight_handler_finishes_before_shutdown(
    start: Any, sqs: SQSClient, client: QueueClient
) -> None:
    started = asyncio.Event()
    finished: list[bool] = []

    async def slow(_: MessageBody, __: AsyncContainer) -> None:
        started.set()
        await asyncio.sleep(0.5)
        finished.append(True)

    run = await start(HandlerRegistry({"SLOW": slow}))
    await client.send(QUEUE, json.dumps({"type": "SLOW"}))
    await asyncio.wait_for(started.wait(), 10)
    await run.shutdown()
    assert finished == [True]
    assert await queue_depth(sqs, client, QUEUE) == 0


def test_retry_delay_grows_and_is_capped() -> None:
    assert [retry_delay(n, 5, 900) for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert retry_delay(20, 5, 900) == 900


async def _true(value: bool) -> bool:
    return value


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def test_a_pointer_to_a_foreign_object_is_dead_lettered(
    start: Any, sqs: SQSClient, client: QueueClient
) -> None:
    await start(HandlerRegistry())
    body = json.dumps(
        {"type": "PROCESS_TADDY_WEBHOOK", "bodyPointer": {"bucket": "someone-elses", "key": "secrets.json"}}
    )
    await client.send(QUEUE, body)
    letters: list[dict[str, Any]] = []

    async def arrived() -> bool:
        letters.extend(await dead_letters(sqs, client, DLQ))
        return bool(letters)

    await eventually(arrived)
    assert "does not name a stored message body" in letters[0]["MessageAttributes"]["reason"]["StringValue"]


class StoppedWhileReceiving(QueueClient):
    """A receive that returns messages just as the worker is told to stop (SIGTERM mid-poll)."""

    stop: asyncio.Event | None = None

    async def receive(
        self, queue: str, max_messages: int = MAX_BATCH, wait_seconds: int | None = None
    ) -> list[ReceivedMessage]:
        messages = await super().receive(queue, max_messages, wait_seconds)
        if messages and self.stop is not None:
            self.stop.set()
        return messages


async def test_messages_received_as_the_worker_stops_are_given_back_at_once(
    container: AsyncContainer, queues: None, settings: Settings, sqs: SQSClient, client: QueueClient
) -> None:
    handled: list[MessageBody] = []

    async def handler(body: MessageBody, _: AsyncContainer) -> None:
        handled.append(body)

    await client.send(QUEUE, json.dumps({"type": "PING"}))
    stopping = StoppedWhileReceiving(sqs, settings.queues)
    consumer = Consumer(
        container=container,
        queues=stopping,
        registry=HandlerRegistry({"PING": handler}),
        settings=settings.worker,
        queue_settings=settings.queues,
        metrics=await container.get(Metrics),
        overflow=await container.get(OverflowStore),
    )
    run = Running(consumer)
    stopping.stop = run.stop
    await asyncio.wait_for(run.task, 15)
    assert handled == []
    # Visible again now, not after the 30 s visibility timeout.
    [again] = await client.receive(QUEUE, wait_seconds=1)
    assert json.loads(again.body) == {"type": "PING"}


async def test_handler_cancelled_after_the_grace_is_given_back_at_once(
    container: AsyncContainer, queues: None, settings: Settings, client: QueueClient
) -> None:
    started = asyncio.Event()

    async def stuck(_: MessageBody, __: AsyncContainer) -> None:
        started.set()
        await asyncio.Event().wait()

    consumer = Consumer(
        container=container,
        queues=client,
        registry=HandlerRegistry({"STUCK": stuck}),
        settings=WorkerSettings(shutdown_grace_seconds=0),
        queue_settings=settings.queues,
        metrics=await container.get(Metrics),
        overflow=await container.get(OverflowStore),
    )
    run = Running(consumer)
    await client.send(QUEUE, json.dumps({"type": "STUCK"}))
    await asyncio.wait_for(started.wait(), 15)
    await run.shutdown()
    [again] = await client.receive(QUEUE, wait_seconds=1)
    assert (json.loads(again.body), again.receive_count) == ({"type": "STUCK"}, 2)


async def test_a_malformed_image_request_is_dead_lettered(
    start: Any, sqs: SQSClient, client: QueueClient
) -> None:
    await start(default_registry())
    await client.send(QUEUE, json.dumps({"type": "MEASURE_STORY_IMAGES", "issueUuid": "x", "storyUuids": []}))
    letters: list[dict[str, Any]] = []

    async def arrived() -> bool:
        letters.extend(await dead_letters(sqs, client, DLQ))
        return bool(letters)

    await eventually(arrived)
    assert "not a story image request" in letters[0]["MessageAttributes"]["reason"]["StringValue"]


class RecordingClient(QueueClient):
    """Records how many messages each receive returned and each delete call removed."""

    received: list[int]
    deleted: list[int]

    async def receive(
        self, queue: str, max_messages: int = MAX_BATCH, wait_seconds: int | None = None
    ) -> list[ReceivedMessage]:
        messages = await super().receive(queue, max_messages, wait_seconds)
        if messages:
            self.received.append(len(messages))
        return messages

    async def delete(self, queue: str, messages: Sequence[ReceivedMessage]) -> dict[int, str]:
        self.deleted.append(len(messages))
        return await super().delete(queue, messages)


async def consumer_with(
    container: AsyncContainer,
    queues: QueueClient,
    registry: HandlerRegistry,
    settings: Settings,
    **worker: Any,
) -> Consumer:
    return Consumer(
        container=container,
        queues=queues,
        registry=registry,
        settings=settings.worker.model_copy(update=worker),
        queue_settings=settings.queues,
        metrics=await container.get(Metrics),
        overflow=await container.get(OverflowStore),
    )


async def test_a_burst_is_received_and_deleted_in_batches_each_message_once(
    container: AsyncContainer, queues: None, settings: Settings, sqs: SQSClient, client: QueueClient
) -> None:
    handled: list[int] = []
    started = asyncio.Event()
    release = asyncio.Event()

    async def handler(body: MessageBody, _: AsyncContainer) -> None:
        handled.append(body["n"])
        if len(handled) == 10:
            started.set()
        await release.wait()

    for first in range(0, 25, 10):
        await client.send_batch(
            QUEUE, [json.dumps({"type": "PING", "n": n}) for n in range(first, min(first + 10, 25))]
        )
    recording = RecordingClient(sqs, settings.queues)
    recording.received, recording.deleted = [], []
    run = Running(await consumer_with(container, recording, HandlerRegistry({"PING": handler}), settings))
    try:
        await asyncio.wait_for(started.wait(), 15)
        release.set()  # ten handlers finish together: their deletes share calls
        await eventually(lambda: _equals(queue_depth(sqs, client, QUEUE), 0), seconds=30)
    finally:
        await run.shutdown()
    assert sorted(handled) == list(range(25))
    assert max(recording.received) == MAX_BATCH
    assert max(recording.deleted) > 1
    assert sum(recording.deleted) == 25


async def test_messages_waiting_for_a_slot_are_given_back_at_once_on_stop(
    container: AsyncContainer, queues: None, settings: Settings, client: QueueClient
) -> None:
    handled: list[str] = []
    running = asyncio.Event()
    release = asyncio.Event()

    async def blocking(body: MessageBody, _: AsyncContainer) -> None:
        handled.append(body["name"])
        if len(handled) == 2:
            running.set()
        await release.wait()

    registry = HandlerRegistry({"HOLD": blocking})
    consumer = await consumer_with(
        container, client, registry, settings, concurrency=2, shutdown_grace_seconds=15
    )
    run = Running(consumer)
    await client.send(QUEUE, json.dumps({"type": "HOLD", "name": "a"}))
    await eventually(lambda: _true(handled == ["a"]))
    # Two arrive together while one slot is free: "b" starts, "c" waits for a slot.
    await client.send_batch(QUEUE, [json.dumps({"type": "HOLD", "name": name}) for name in ("b", "c")])
    await asyncio.wait_for(running.wait(), 15)
    run.stop.set()
    # "c" is visible again while "a" and "b" are still being handled, not after its visibility timeout.
    [again] = await client.receive(QUEUE, wait_seconds=5)
    assert json.loads(again.body)["name"] == "c"
    release.set()
    await asyncio.wait_for(run.task, 15)
    assert sorted(handled) == ["a", "b"]
