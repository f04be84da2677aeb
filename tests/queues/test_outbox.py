"""The outbox relay: rows are claimed, sent with no lock held, retried with a delay, then kept as failed."""

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from dishka import AsyncContainer
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from types_aiobotocore_sqs import SQSClient

from inkverse.database import tables
from inkverse.metrics import Metrics
from inkverse.queues.client import QueueClient
from inkverse.queues.outbox import OutboxRelay, stage, stage_many
from inkverse.queues.producer import OverflowStore, QueueProducer
from inkverse.settings import QueueSettings

QUEUE = "INKVERSE_HIGH_PRIORITY"

Sessionmaker = async_sessionmaker[AsyncSession]


class HeldProducer(QueueProducer):
    """Sends only once released, so a test can look at the table while a send is in flight."""

    def __init__(self, inner: QueueProducer) -> None:
        self._inner = inner
        self.sending = asyncio.Event()
        self.release = asyncio.Event()

    async def send_batch(self, queue: str, messages: Sequence[Mapping[str, Any]]) -> list[str | None]:
        self.sending.set()
        await self.release.wait()
        return await self._inner.send_batch(queue, messages)


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


async def staged(sessionmaker: Sessionmaker, queue: str) -> int:
    async with sessionmaker() as session, session.begin():
        return await stage(session, queue, {"type": "PING"})


async def outbox_row(sessionmaker: Sessionmaker, row_id: int) -> tables.QueueOutbox | None:
    async with sessionmaker() as session:
        return await session.get(tables.QueueOutbox, row_id)


async def make_due(sessionmaker: Sessionmaker, row_id: int) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(tables.QueueOutbox).where(tables.QueueOutbox.id == row_id).values(next_attempt_at=None)
        )


async def test_no_row_lock_is_held_while_sending_and_a_claimed_row_is_not_sent_twice(
    container: AsyncContainer, sessionmaker: Sessionmaker, queues: None
) -> None:
    producer = HeldProducer(await container.get(QueueProducer))
    relay = OutboxRelay(sessionmaker, producer, Metrics())
    row_id = await staged(sessionmaker, QUEUE)
    sending = asyncio.create_task(relay.relay())
    await producer.sending.wait()
    async with sessionmaker() as session, session.begin():
        # NOWAIT fails at once if the relay still held the row's lock across the send.
        await session.execute(text("SET LOCAL lock_timeout = '1s'"))
        locked = (
            select(tables.QueueOutbox.id).where(tables.QueueOutbox.id == row_id).with_for_update(nowait=True)
        )
        assert (await session.execute(locked)).scalar_one() == row_id
    # Another relay skips the claimed row.
    assert await OutboxRelay(sessionmaker, await container.get(QueueProducer), Metrics()).relay() == 0
    producer.release.set()
    assert await sending == 1
    assert await outbox_row(sessionmaker, row_id) is None
    [message] = await (await container.get(QueueClient)).receive(QUEUE, wait_seconds=1)
    assert json.loads(message.body) == {"type": "PING"}


async def test_failures_are_retried_later_then_kept_as_failed(
    container: AsyncContainer, sessionmaker: Sessionmaker, queues: None
) -> None:
    metrics = Metrics()
    relay = OutboxRelay(sessionmaker, await container.get(QueueProducer), metrics, max_attempts=2)
    row_id = await staged(sessionmaker, "NO_SUCH_QUEUE")

    assert await relay.relay() == 0
    row = await outbox_row(sessionmaker, row_id)
    assert row is not None
    assert (row.attempts, row.failed_at) == (1, None)
    assert row.last_error is not None
    assert "NonExistentQueue" in row.last_error
    assert await relay.relay() == 0  # not due yet: retried after a delay, not in a tight loop
    assert (await outbox_row(sessionmaker, row_id)).attempts == 1  # type: ignore[union-attr]

    await make_due(sessionmaker, row_id)
    assert await relay.relay() == 0
    row = await outbox_row(sessionmaker, row_id)
    assert row is not None
    assert row.attempts == 2
    assert row.failed_at is not None  # kept, marked failed, for an operator to see
    assert metrics.registry.get_sample_value("inkverse_outbox_messages_total", {"outcome": "failed"}) == 1

    await make_due(sessionmaker, row_id)
    assert await relay.relay() == 0
    assert (await outbox_row(sessionmaker, row_id)).attempts == 2  # type: ignore[union-attr]


class CountingClient(QueueClient):
    """Records the size of every SendMessageBatch call."""

    calls: list[tuple[str, int]]

    async def send_batch(self, queue: str, bodies: Sequence[str]) -> dict[int, str]:
        self.calls.append((queue, len(bodies)))
        return await super().send_batch(queue, bodies)


async def counting_producer(container: AsyncContainer) -> tuple[QueueProducer, list[tuple[str, int]]]:
    client = CountingClient(await container.get(SQSClient), await container.get(QueueSettings))
    client.calls = []
    return QueueProducer(client, await container.get(OverflowStore)), client.calls


async def test_rows_go_out_ten_per_call_and_a_refused_one_waits_for_its_retry(
    container: AsyncContainer, sessionmaker: Sessionmaker, queues: None
) -> None:
    producer, calls = await counting_producer(container)
    relay = OutboxRelay(sessionmaker, producer, Metrics())
    async with sessionmaker() as session, session.begin():
        ids = await stage_many(session, [(QUEUE, {"type": "PING", "n": n}) for n in range(23)])
        [lost] = await stage_many(session, [("NO_SUCH_QUEUE", {"type": "PING"})])
    assert len(set(ids)) == 23

    assert await relay.relay() == 23
    assert sorted(size for queue, size in calls if queue == QUEUE) == [3, 10, 10]
    row = await outbox_row(sessionmaker, lost)
    assert row is not None
    assert (row.attempts, row.failed_at) == (1, None)
    assert all([await outbox_row(sessionmaker, row_id) is None for row_id in ids])
    client = await container.get(QueueClient)
    received: list[int] = []
    while messages := await client.receive(QUEUE, wait_seconds=0):
        received += [json.loads(message.body)["n"] for message in messages]
        await client.delete(QUEUE, messages)
    assert sorted(received) == list(range(23))


async def test_rows_handed_to_the_background_relay_are_sent_together(
    container: AsyncContainer, sessionmaker: Sessionmaker, queues: None
) -> None:
    producer, calls = await counting_producer(container)
    relay = OutboxRelay(sessionmaker, producer, Metrics())
    staged = [await staged_ping(sessionmaker, n) for n in range(5)]
    for row_id in staged:
        relay.relay_soon([row_id])
    await relay.wait_idle()
    assert all([await outbox_row(sessionmaker, row_id) is None for row_id in staged])
    assert calls == [(QUEUE, 5)]  # handed over by five callers, sent in one call


async def staged_ping(sessionmaker: Sessionmaker, n: int) -> int:
    async with sessionmaker() as session, session.begin():
        return await stage(session, QUEUE, {"type": "PING", "n": n})
