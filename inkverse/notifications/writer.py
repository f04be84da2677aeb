"""Writing and retracting in-app notifications inside the transaction of the action that causes them
(integrations.md §5.6).

The caller owns the transaction and, after it commits, purges `NotificationFeed` of the recipients and
relays `staged` (the outbox ids of the push/e-mail deliveries):

    writer = NotificationWriter(session)
    notified = await writer.notify(recipient_id=..., sender_id=..., event=..., target_uuid=..., ...)
    ...commit...
    if notified: purge NotificationFeed(recipient); relay writer.staged

Whether a row is written is decided in the INSERT itself (one statement): no row when the recipient has
both channels off, by override or by default.
"""

import time
from collections.abc import Callable

from sqlalchemy import ColumnElement, Delete, SQLColumnExpression, delete, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables
from inkverse.notifications.events import (
    DELIVERED_AT_ONCE,
    NotificationChannel,
    NotificationEventType,
    enabled_by_default,
)
from inkverse.queues.messages import SendNotification, dump
from inkverse.queues.outbox import stage

DELIVERY_QUEUE = "INKVERSE_HIGH_PRIORITY"
"""The worker's queue (`WORKER_QUEUE`'s default); pass `queue=` when the worker is configured otherwise."""

Notification = tables.UserNotification
Setting = tables.NotificationSetting


def channel_enabled(
    recipient_id: int | SQLColumnExpression[int], event: NotificationEventType, channel: NotificationChannel
) -> ColumnElement[bool]:
    """SQL: the recipient's override for (event, channel), else the default; the recipient is a user id
    or a column of user ids (the new-episode fan-out)."""
    override = (
        select(Setting.is_enabled)
        .where(Setting.user_id == recipient_id, Setting.event_type == event.value)
        .where(Setting.channel == channel.value)
        .scalar_subquery()
    )
    return func.coalesce(override, literal(enabled_by_default(event, channel)))


class NotificationWriter:
    def __init__(
        self,
        session: AsyncSession,
        *,
        queue: str = DELIVERY_QUEUE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._session = session
        self._queue = queue
        self._clock = clock
        self.staged: list[int] = []
        """Outbox ids of the deliveries staged so far: relay them after the commit."""

    async def notify(
        self,
        *,
        recipient_id: int,
        sender_id: int | None,
        event: NotificationEventType,
        target_uuid: str,
        target_type: str,
        parent_uuid: str | None = None,
        parent_type: str | None = None,
        context_uuid: str | None = None,
        context_type: str | None = None,
    ) -> bool:
        """Write the recipient's notification; True when a row was written (purge their feed)."""
        if sender_id == recipient_id:
            return False
        values = {
            Notification.created_at: int(self._clock()),
            Notification.recipient_id: recipient_id,
            Notification.sender_id: sender_id,
            Notification.event_type: event.value,
            Notification.target_uuid: target_uuid,
            Notification.target_type: target_type,
            Notification.parent_uuid: parent_uuid,
            Notification.parent_type: parent_type,
            Notification.context_uuid: context_uuid,
            Notification.context_type: context_type,
        }
        wanted = or_(*(channel_enabled(recipient_id, event, channel) for channel in NotificationChannel))
        row = select(*(literal(value, column.type) for column, value in values.items())).where(wanted)
        statement = insert(Notification).from_select(list(values), row).returning(Notification.id)
        notification_id = await self._session.scalar(statement)
        if notification_id is None:
            return False
        if event in DELIVERED_AT_ONCE:
            message = dump(SendNotification(notification_id=notification_id))
            self.staged.append(await stage(self._session, self._queue, message))
        return True

    async def retract(
        self,
        *,
        sender_id: int,
        event: NotificationEventType,
        target_uuid: str,
        context_uuid: str | None = None,
    ) -> list[int]:
        """Delete what this sender's action generated; returns the recipients whose feed changed."""
        statement = delete(Notification).where(
            Notification.sender_id == sender_id,
            Notification.event_type == event.value,
            Notification.target_uuid == target_uuid,
        )
        if context_uuid is not None:
            statement = statement.where(Notification.context_uuid == context_uuid)
        return await self._deleted_recipients(statement)

    async def retract_for_comment(self, comment_uuid: str) -> list[int]:
        """Delete every notification about a comment (its target or context); returns the recipients."""
        about_comment = or_(
            Notification.target_uuid == comment_uuid, Notification.context_uuid == comment_uuid
        )
        return await self._deleted_recipients(delete(Notification).where(about_comment))

    async def _deleted_recipients(self, statement: Delete) -> list[int]:
        recipients = await self._session.scalars(statement.returning(Notification.recipient_id))
        return sorted(set(recipients))
