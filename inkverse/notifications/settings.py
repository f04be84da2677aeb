"""Notification settings: the effective value of every (event, channel) pair and the user's overrides
(graphql.md §2.6 `getNotificationSettings`, §2.7 `addOrUpdateNotificationSetting`)."""

import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables
from inkverse.notifications.events import NotificationChannel, NotificationEventType, enabled_by_default

Setting = tables.NotificationSetting

# The original iterated its generated TypeScript enums, which are alphabetical: EMAIL before PUSH.
EVENTS_IN_ORDER = sorted(NotificationEventType, key=lambda event: event.value)
CHANNELS_IN_ORDER = sorted(NotificationChannel, key=lambda channel: channel.value)


@dataclass(frozen=True, slots=True)
class ChannelSetting:
    event: NotificationEventType
    channel: NotificationChannel
    is_enabled: bool


async def effective_settings(session: AsyncSession, user_id: int) -> list[ChannelSetting]:
    """All ten (event, channel) pairs: the user's override, else the default."""
    rows = await session.execute(
        select(Setting.event_type, Setting.channel, Setting.is_enabled).where(Setting.user_id == user_id)
    )
    overrides = {(event, channel): enabled for event, channel, enabled in rows}
    return [
        ChannelSetting(
            event, channel, overrides.get((event.value, channel.value), enabled_by_default(event, channel))
        )
        for event in EVENTS_IN_ORDER
        for channel in CHANNELS_IN_ORDER
    ]


async def save_setting(session: AsyncSession, user_id: int, setting: ChannelSetting) -> None:
    """Upsert the override on (user, event, channel)."""
    now = int(time.time())
    statement = insert(Setting).values(
        user_id=user_id,
        event_type=setting.event.value,
        channel=setting.channel.value,
        is_enabled=setting.is_enabled,
        created_at=now,
        updated_at=now,
    )
    await session.execute(
        statement.on_conflict_do_update(
            constraint="notification_settings_user_id_event_type_channel_unique",
            set_={"is_enabled": statement.excluded.is_enabled, "updated_at": now},
        )
    )
