"""The transactional outbox: `stage` a message inside the caller's transaction, `relay` it after commit.

Delivery is at least once: a message may be sent again if the process dies between the send and the
delete, so consumers of outbox messages are idempotent.

A relay claims rows in a short transaction (`FOR UPDATE SKIP LOCKED`, then `next_attempt_at` moved past
a lease, so other relays skip them), sends them with no transaction open, 10 per SendMessageBatch call,
then deletes the sent rows in one statement. A failed send is retried with a growing delay; after
`max_attempts` the row is kept, marked `failed_at` with its `last_error`, logged at error level and
counted, and no longer retried.

`relay_soon` hands rows to a background relay instead of waiting for the sends: rows staged by handlers
that commit at about the same time go out together (see `inkverse.batching`).
"""

import asyncio
import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
import structlog
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.batching import Coalescer
from inkverse.database import tables
from inkverse.metrics import Metrics
from inkverse.queues.producer import QueueProducer

log = structlog.get_logger(__name__)

RELAY_BATCH = 50
MAX_ATTEMPTS = 10
CLAIM_LEASE = timedelta(minutes=5)
"""A claimed row is skipped by other relays this long: enough to send a batch, short enough that the
rows of a relay that died are picked up again soon."""
RETRY_BASE_SECONDS = 10
RETRY_MAX_SECONDS = 900

Outbox = tables.QueueOutbox


_STAGE = (
    "INSERT INTO queue_outbox (queue, body) "
    "SELECT queue, body FROM unnest($1::varchar[], $2::text[]) WITH ORDINALITY AS staged(queue, body, n) "
    "ORDER BY n RETURNING id"
)


async def stage(session: AsyncSession, queue: str, message: Mapping[str, Any]) -> int:
    """Write the message in the session's transaction; returns its outbox id."""
    [row_id] = await stage_many(session, [(queue, message)])
    return row_id


async def stage_many(session: AsyncSession, messages: Sequence[tuple[str, Mapping[str, Any]]]) -> list[int]:
    """Write (queue, message) pairs in the session's transaction with one statement; returns their ids."""
    if not messages:
        return []
    queues = [queue for queue, _ in messages]
    bodies = [orjson.dumps(message).decode() for _, message in messages]
    connection = await session.connection()
    return [row_id for (row_id,) in await connection.exec_driver_sql(_STAGE, (queues, bodies))]


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    queue: str
    body: str
    attempts: int


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


class OutboxRelay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        producer: QueueProducer,
        metrics: Metrics,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._producer = producer
        self._metrics = metrics
        self._max_attempts = max_attempts
        self._soon: Coalescer[int, None] = Coalescer(self._relay_soon_batch, max_items=RELAY_BATCH)

    async def relay(self, ids: Sequence[int] | None = None) -> int:
        """Send due messages (only `ids` when given); returns how many SQS took. Rows claimed by another
        relay are skipped, so relays can run in several processes."""
        return (await self._relay_batch(ids))[1]

    def relay_soon(self, ids: Sequence[int]) -> None:
        """Send these rows in the background, with those other callers hand over meanwhile; what fails
        is retried by the periodic relay (`run`). `wait_idle` waits for the sends."""
        for row_id in ids:
            self._soon.post(row_id)

    async def wait_idle(self) -> None:
        """Until every row handed to `relay_soon` has been sent or recorded as failed."""
        await self._soon.wait_idle()

    async def _relay_soon_batch(self, ids: list[int]) -> list[None]:
        try:
            await self._relay_batch(ids)
        except Exception as exc:  # noqa: BLE001 - the rows stay in the outbox for the periodic relay
            log.warning("outbox.relay_failed", error=f"{type(exc).__name__}: {exc}")
        return [None] * len(ids)

    async def _relay_batch(self, ids: Sequence[int] | None) -> tuple[int, int]:
        claimed = await self._claim(ids)
        by_queue: dict[str, list[Claimed]] = {}
        for row in claimed:
            by_queue.setdefault(row.queue, []).append(row)
        sends = [
            self._producer.send_batch(queue, [json.loads(row.body) for row in rows])
            for queue, rows in by_queue.items()
        ]
        sent: list[int] = []
        failed: list[tuple[Claimed, str]] = []
        for rows, outcomes in zip(by_queue.values(), await asyncio.gather(*sends), strict=True):
            for row, error in zip(rows, outcomes, strict=True):
                if error is None:
                    sent.append(row.id)
                else:
                    failed.append((row, error[:1000]))
        if sent:
            async with self._sessionmaker() as session, session.begin():
                await session.execute(delete(Outbox).where(Outbox.id.in_(sent)))
            self._metrics.outbox_messages.labels(outcome="sent").inc(len(sent))
        for row, error in failed:
            await self._record_failure(row, error)
        return len(claimed), len(sent)

    async def _claim(self, ids: Sequence[int] | None) -> list[Claimed]:
        # Fewest attempts first, so rows that keep failing never hold back the others.
        due = (
            select(Outbox.id)
            .where(Outbox.failed_at.is_(None))
            .where(or_(Outbox.next_attempt_at.is_(None), Outbox.next_attempt_at <= func.now()))
            .order_by(Outbox.attempts, Outbox.id)
            .limit(RELAY_BATCH)
            .with_for_update(skip_locked=True)
        )
        if ids is not None:
            due = due.where(Outbox.id.in_(list(ids)))
        claim = (
            update(Outbox)
            .where(Outbox.id.in_(due.scalar_subquery()))
            .values(next_attempt_at=func.now() + CLAIM_LEASE)
            .returning(Outbox.id, Outbox.queue, Outbox.body, Outbox.attempts)
        )
        async with self._sessionmaker() as session, session.begin():
            rows = (await session.execute(claim)).all()
        return sorted((Claimed(*row) for row in rows), key=lambda row: (row.attempts, row.id))

    async def _record_failure(self, row: Claimed, error: str) -> None:
        attempts = row.attempts + 1
        given_up = attempts >= self._max_attempts
        values: dict[str, Any] = {"attempts": attempts, "last_error": error}
        if given_up:
            values |= {"failed_at": func.now(), "next_attempt_at": None}
        else:
            values["next_attempt_at"] = func.now() + retry_delay(attempts)
        async with self._sessionmaker() as session, session.begin():
            await session.execute(update(Outbox).where(Outbox.id == row.id).values(**values))
        if given_up:
            log.error(
                "outbox.message_failed", outbox_id=row.id, queue=row.queue, attempts=attempts, error=error
            )
            self._metrics.outbox_messages.labels(outcome="failed").inc()
        else:
            log.warning(
                "outbox.send_failed", outbox_id=row.id, queue=row.queue, attempts=attempts, error=error
            )
            self._metrics.outbox_messages.labels(outcome="retry").inc()

    async def run(self, stop: asyncio.Event, interval_seconds: float) -> None:
        """Relay whatever an earlier crash or SQS failure left behind, every `interval_seconds`."""
        while not stop.is_set():
            try:
                while (await self._relay_batch(None))[0] == RELAY_BATCH and not stop.is_set():
                    pass
            except Exception as exc:  # noqa: BLE001 - the loop outlives a database hiccup
                log.warning("outbox.relay_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_seconds)
