"""The `delete-old-notifications` job: NEW_EPISODE_RELEASED rows older than 180 days, as the original
(every other event type is kept), and delivery dedupe keys older than 30 days (they only guard against
a redelivered message, which SQS gives up on after 14 days). Batches of 10,000, each in its own short
transaction, so the table is never locked for long."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.notifications import dedupe
from inkverse.notifications.events import NotificationEventType

NOTIFICATION_RETENTION = timedelta(days=180)
DELIVERY_RETENTION = timedelta(days=30)
BATCH = 10_000

Notification = tables.UserNotification


@dataclass(frozen=True, slots=True)
class CleanupCounts:
    notifications: int
    deliveries: int


class NotificationCleanup:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        batch: int = BATCH,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._batch = batch
        self._clock = clock

    async def run(self) -> CleanupCounts:
        return CleanupCounts(await self.delete_old_notifications(), await self.prune_deliveries())

    async def delete_old_notifications(self) -> int:
        """Delete NEW_EPISODE_RELEASED rows created before now - 180 days; how many."""
        cutoff = int(self._clock() - NOTIFICATION_RETENTION.total_seconds())
        deleted, after = 0, 0
        while True:
            async with self._sessionmaker() as session, session.begin():
                ids = list(
                    await session.scalars(
                        select(Notification.id)
                        .where(Notification.id > after)
                        .where(Notification.event_type == NotificationEventType.NEW_EPISODE_RELEASED.value)
                        .where(Notification.created_at < cutoff)
                        .order_by(Notification.id)
                        .limit(self._batch)
                    )
                )
                if ids:
                    await session.execute(delete(Notification).where(Notification.id.in_(ids)))
            deleted += len(ids)
            if len(ids) < self._batch:
                return deleted
            after = ids[-1]

    async def prune_deliveries(self) -> int:
        """Delete delivery keys recorded before now - 30 days; how many."""
        cutoff = datetime.fromtimestamp(self._clock(), UTC) - DELIVERY_RETENTION
        pruned = 0
        while True:
            async with self._sessionmaker() as session, session.begin():
                batch = await dedupe.prune_batch(session, cutoff, self._batch)
            pruned += batch
            if batch < self._batch:
                return pruned
