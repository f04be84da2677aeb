"""The new-episode fan-out (`SEND_PUSH_NOTIFICATION` NEW_EPISODE_RELEASED, integrations.md §5.6).

In one transaction: the subscribers of the series (`notification_preferences` NEW_EPISODE_RELEASED with
the series uuid) are read in keyset pages of user ids; each page gets its in-app rows in one
`INSERT … SELECT` (only readers with push or e-mail on, as `NotificationWriter` decides, and only those
without a row for this issue yet), and the rows' push and e-mail deliveries are staged in the outbox as
`SEND_NOTIFICATION` messages of up to 100 notifications each. An advisory lock on the issue serialises
duplicates of the message, so a redelivered or duplicated one finds every row written and adds nothing.
After the commit the deliveries are relayed and the recipients' feeds purged.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy import ColumnElement, SQLColumnExpression, and_, exists, literal, null, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.database import tables
from inkverse.errors import NotFoundError
from inkverse.notifications.content import COMICISSUE, COMICSERIES
from inkverse.notifications.events import NotificationChannel, NotificationEventType
from inkverse.notifications.writer import channel_enabled
from inkverse.queues.messages import (
    MAX_NOTIFICATIONS_PER_DELIVERY,
    NewEpisodeReleased,
    SendNotification,
    dump,
)
from inkverse.queues.outbox import OutboxRelay, stage

log = structlog.get_logger(__name__)

NEW_EPISODE = NotificationEventType.NEW_EPISODE_RELEASED
SUBSCRIBER_PAGE = 1000
FEED_PURGE_BATCH = 1000
Preference = tables.NotificationPreference
Notification = tables.UserNotification


class EpisodeGoneError(NotFoundError):
    """The message names an issue or series that is not in the database."""


@dataclass(frozen=True, slots=True)
class FanOut:
    recipients: list[int]
    staged: list[int]
    """Outbox ids of the `SEND_NOTIFICATION` messages."""


class NewEpisodeFanOut:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        outbox: OutboxRelay,
        purger: CachePurger,
        queue: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._outbox = outbox
        self._purger = purger
        self._queue = queue
        self._clock = clock

    async def fan_out(self, message: NewEpisodeReleased) -> FanOut:
        """Write and stage everything in one transaction, then relay and purge. `EpisodeGoneError` when
        the issue or its series is missing."""
        async with self._sessionmaker() as session, session.begin():
            done = await self._write(session, message)
        log.info("notification.fanned_out", issue=message.issue_uuid, recipients=len(done.recipients),
                 deliveries=len(done.staged))  # fmt: skip
        await self._after_commit(done)
        return done

    async def _write(self, session: AsyncSession, message: NewEpisodeReleased) -> FanOut:
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"inkverse.new-episode:{message.issue_uuid}"},
        )
        issue = await session.get(tables.ComicIssue, message.issue_uuid)
        if issue is None:
            raise EpisodeGoneError(f"issue {message.issue_uuid} is not in the database")
        if await session.get(tables.ComicSeries, issue.series_uuid) is None:
            raise EpisodeGoneError(f"series {issue.series_uuid} of issue {issue.uuid} is not in the database")
        if issue.is_blocked or issue.is_removed:
            log.info("notification.fan_out_skipped", issue=issue.uuid, reason="blocked or removed")
            return FanOut([], [])
        recipients: list[int] = []
        notification_ids: list[int] = []
        after = 0
        while page := await _subscriber_page(session, issue.series_uuid, after):
            written = await self._notify_page(session, issue.uuid, issue.series_uuid, after, page[-1])
            recipients += [recipient for _, recipient in written]
            notification_ids += [notification_id for notification_id, _ in written]
            after = page[-1]
        staged = [await self._stage(session, batch) for batch in _batches(notification_ids)]
        return FanOut(recipients, staged)

    async def _notify_page(
        self, session: AsyncSession, issue_uuid: str, series_uuid: str, after: int, last: int
    ) -> list[tuple[int, int]]:
        """In-app rows for the subscribers with user id in (after, last]; (id, recipient) of those written."""
        subscriber = Preference.user_id
        row = select(
            literal(int(self._clock())),
            subscriber,
            null(),
            literal(NEW_EPISODE.value),
            literal(issue_uuid),
            literal(COMICISSUE),
            literal(series_uuid),
            literal(COMICSERIES),
        ).where(
            _subscribed_to(series_uuid),
            subscriber > after,
            subscriber <= last,
            or_(*(channel_enabled(subscriber, NEW_EPISODE, channel) for channel in NotificationChannel)),
            ~exists().where(_notified(subscriber, issue_uuid)),
        )
        columns = ["created_at", "recipient_id", "sender_id", "event_type", "target_uuid", "target_type",
                   "parent_uuid", "parent_type"]  # fmt: skip
        statement = (
            insert(Notification)
            .from_select(columns, row)
            .returning(Notification.id, Notification.recipient_id)
        )
        return [
            (notification_id, recipient) for notification_id, recipient in await session.execute(statement)
        ]

    async def _stage(self, session: AsyncSession, notification_ids: list[int]) -> int:
        return await stage(session, self._queue, dump(SendNotification(notification_ids=notification_ids)))

    async def _after_commit(self, done: FanOut) -> None:
        # Committed: a failure below is logged, never raised (the periodic relay sends what is left).
        try:
            while done.staged and await self._outbox.relay(done.staged):
                pass
        except Exception as exc:  # noqa: BLE001 - the outbox rows stay and are relayed later
            log.warning("notification.relay_failed", error=f"{type(exc).__name__}: {exc}")
        feeds = [str(recipient) for recipient in done.recipients]
        await self._purger.purge(
            [
                Purge(CacheType.NOTIFICATION_FEED, tuple(feeds[start : start + FEED_PURGE_BATCH]))
                for start in range(0, len(feeds), FEED_PURGE_BATCH)
            ]
        )


async def _subscriber_page(session: AsyncSession, series_uuid: str, after: int) -> list[int]:
    statement = (
        select(Preference.user_id)
        .where(_subscribed_to(series_uuid), Preference.user_id > after)
        .order_by(Preference.user_id)
        .limit(SUBSCRIBER_PAGE)
    )
    return list(await session.scalars(statement))


def _subscribed_to(series_uuid: str) -> ColumnElement[bool]:
    return and_(Preference.notification_type == NEW_EPISODE.value, Preference.value == series_uuid)


def _notified(recipient: SQLColumnExpression[int], issue_uuid: str) -> ColumnElement[bool]:
    return and_(
        Notification.recipient_id == recipient,
        Notification.event_type == NEW_EPISODE.value,
        Notification.target_uuid == issue_uuid,
    )


def _batches(ids: Sequence[int]) -> list[list[int]]:
    size = MAX_NOTIFICATIONS_PER_DELIVERY
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]
