"""The transactional outbox: `stage` a message inside the caller's transaction, `relay` it after commit.

Delivery is at least once: a message may be sent again if the process dies between the send and the
delete, so consumers of outbox messages are idempotent.
"""

import asyncio
import contextlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.queues.producer import QueueProducer

log = structlog.get_logger(__name__)

RELAY_BATCH = 50


async def stage(session: AsyncSession, queue: str, message: Mapping[str, Any]) -> int:
    """Write the message in the session's transaction; returns its outbox id."""
    row = tables.QueueOutbox(queue=queue, body=json.dumps(message, separators=(",", ":")))
    session.add(row)
    await session.flush()
    return row.id


class OutboxRelay:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], producer: QueueProducer) -> None:
        self._sessionmaker = sessionmaker
        self._producer = producer

    async def relay(self, ids: Sequence[int] | None = None) -> int:
        """Send pending messages (only `ids` when given); each row is deleted once SQS took it.
        Rows locked by another relay are skipped, so relays can run in several processes."""
        sent = 0
        async with self._sessionmaker() as session, session.begin():
            # Fewest attempts first, so rows that keep failing never hold back the others.
            statement = (
                select(tables.QueueOutbox)
                .order_by(tables.QueueOutbox.attempts, tables.QueueOutbox.id)
                .limit(RELAY_BATCH)
            )
            if ids is not None:
                statement = statement.where(tables.QueueOutbox.id.in_(list(ids)))
            for row in await session.scalars(statement.with_for_update(skip_locked=True)):
                if await self._send(session, row):
                    sent += 1
        return sent

    async def _send(self, session: AsyncSession, row: tables.QueueOutbox) -> bool:
        try:
            await self._producer.send(row.queue, json.loads(row.body))
        except Exception as exc:  # noqa: BLE001 - kept for the next relay; the reason is recorded
            log.warning("outbox.send_failed", outbox_id=row.id, error=str(exc))
            await session.execute(
                update(tables.QueueOutbox)
                .where(tables.QueueOutbox.id == row.id)
                .values(attempts=tables.QueueOutbox.attempts + 1, last_error=str(exc)[:1000])
            )
            return False
        await session.execute(delete(tables.QueueOutbox).where(tables.QueueOutbox.id == row.id))
        return True

    async def run(self, stop: asyncio.Event, interval_seconds: float) -> None:
        """Relay whatever an earlier crash or SQS failure left behind, every `interval_seconds`."""
        while not stop.is_set():
            try:
                while await self.relay() == RELAY_BATCH:
                    pass
            except Exception as exc:  # noqa: BLE001 - the loop outlives a database hiccup
                log.warning("outbox.relay_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_seconds)
