"""The signed-in reader's notifications: the feed, the settings and push tokens (graphql.md §2.4, §2.6,
§2.7): `getNotificationsForUser`, `getNotificationSettings`, `addOrUpdateNotificationSetting`,
`savePushToken`. All per user: none of them is in `PUBLIC_ROOT_FIELDS`.
"""

from contextlib import suppress
from datetime import UTC, datetime
from typing import Annotated

import strawberry
import structlog
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import UNSET

from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.catalog_enums import InkverseType
from inkverse.database import tables
from inkverse.errors import ValidationError
from inkverse.graphql.auth import require_user
from inkverse.graphql.comments import Comment
from inkverse.graphql.context import Context
from inkverse.graphql.convert import to_enum
from inkverse.graphql.enums import NotificationType
from inkverse.graphql.types import ComicIssue, ComicSeries, User
from inkverse.graphql.validation import validate_and_trim_uuid
from inkverse.graphql.validators.directives import CostFactor
from inkverse.notifications.devices import MAX_TOKEN_LENGTH, is_expo_push_token, save_push_token
from inkverse.notifications.events import NotificationChannel, NotificationEventType, NotificationTimeBucket
from inkverse.notifications.feed import FeedEntry, FeedSection, load_feed, paging
from inkverse.notifications.settings import ChannelSetting, effective_settings, save_setting

log = structlog.get_logger(__name__)

Info = strawberry.Info[Context, None]

VIEW_FEED = "You must be logged in to view notifications"
VIEW_SETTINGS = "You must be logged in to view notification settings"
UPDATE_SETTINGS = "You must be logged in to update notification settings"
SAVE_PUSH_TOKEN = "You must be logged in to save a push token"  # noqa: S105 - a message
TOKEN_AND_PLATFORM_REQUIRED = "FCM token and platform are required"  # noqa: S105 - a message
PUSH_TOKEN_NOT_SAVED = "Failed to save push token"  # noqa: S105 - a message


@strawberry.type
class NotificationItem:
    uuid: strawberry.ID
    type: InkverseType

    @strawberry.field
    async def comic_issue(self, info: Info) -> ComicIssue | None:
        row = await self._issue(info)
        return ComicIssue.from_row(row) if row else None

    comment: Comment | None

    @strawberry.field
    async def comic_series(self, info: Info) -> ComicSeries | None:
        series_uuid: str | None = None
        if self.type is InkverseType.COMICSERIES:
            series_uuid = str(self.uuid)
        elif (issue := await self._issue(info)) is not None:
            series_uuid = issue.series_uuid
        row = await info.context.loaders.series_by_uuid.load(series_uuid) if series_uuid else None
        return ComicSeries.from_row(row) if row else None

    async def _issue(self, info: Info) -> tables.ComicIssue | None:
        if self.type is not InkverseType.COMICISSUE:
            return None
        return await info.context.loaders.issue_by_uuid.load(str(self.uuid))


@strawberry.type
class Notification:
    id: strawberry.ID
    created_at: int
    event_type: NotificationEventType
    sender_id: strawberry.Private[int | None]

    @strawberry.field
    async def actor(self, info: Info) -> User | None:
        row = await info.context.loaders.user_by_id.load(self.sender_id) if self.sender_id else None
        return User.from_row(row, info.context.viewer_id) if row else None

    target_item: NotificationItem | None
    parent_item: NotificationItem | None


@strawberry.type
class AggregatedNotification:
    id: strawberry.ID
    event_type: NotificationEventType
    latest_created_at: int
    count: int
    target_item: NotificationItem | None
    parent_item: NotificationItem | None


NotificationFeedItem = Annotated[
    Notification | AggregatedNotification, strawberry.union("NotificationFeedItem")
]


@strawberry.type
class NotificationSection:
    bucket: NotificationTimeBucket
    items: list[NotificationFeedItem]


@strawberry.type
class NotificationFeed:
    user_id: strawberry.ID
    sections: list[NotificationSection] = strawberry.field(directives=[CostFactor(value=1)])


@strawberry.type
class NotificationSettingItem:
    id: strawberry.ID
    event_type: NotificationEventType
    channel: NotificationChannel
    is_enabled: bool

    @classmethod
    def of(cls, user_id: int, setting: ChannelSetting) -> "NotificationSettingItem":
        return cls(
            id=strawberry.ID(f"{user_id}:{setting.event.value}:{setting.channel.value}"),
            event_type=setting.event,
            channel=setting.channel,
            is_enabled=setting.is_enabled,
        )


@strawberry.type
class NotificationSettingStatus:
    user_id: strawberry.ID
    settings: list[NotificationSettingItem]


# Declared, as in the original, though no root field reaches them (graphql.md §2.3).
@strawberry.type
class NotificationPreference:
    id: strawberry.ID
    created_at: int | None
    updated_at: int | None
    user_id: strawberry.ID
    notification_type: NotificationType
    value: str | None


@strawberry.input
class NotificationPreferenceInput:
    notification_type: NotificationType


UNREACHABLE_TYPES: tuple[type, ...] = (NotificationPreference, NotificationPreferenceInput)


def _item(uuid: str | None, item_type: str | None, comments: dict[str, Comment]) -> NotificationItem | None:
    kind = to_enum(InkverseType, item_type)
    if uuid is None or kind is None:
        return None
    comment = comments.get(uuid) if kind is InkverseType.COMMENT else None
    return NotificationItem(uuid=strawberry.ID(uuid), type=kind, comment=comment)


def _feed_item(
    entry: FeedEntry, bucket: NotificationTimeBucket, comments: dict[str, Comment]
) -> Notification | AggregatedNotification | None:
    event = to_enum(NotificationEventType, entry.event_type)
    if event is None:
        return None
    target = _item(entry.target_uuid, entry.target_type, comments)
    parent = _item(entry.parent_uuid, entry.parent_type, comments)
    if entry.count:
        return AggregatedNotification(
            id=strawberry.ID(f"{event.value}:{entry.target_uuid}:{bucket.value}"),
            event_type=event,
            latest_created_at=entry.created_at,
            count=entry.count,
            target_item=target,
            parent_item=parent,
        )
    return Notification(
        id=strawberry.ID(str(entry.id)),
        created_at=entry.created_at,
        event_type=event,
        sender_id=entry.sender_id,
        target_item=target,
        parent_item=parent,
    )


async def _comments_in(session: AsyncSession, sections: list[FeedSection]) -> dict[str, Comment]:
    """The comments the items point at, as raw rows (no `replyToUuid`, no `stats`, as the original)."""
    uuids = set()
    for section in sections:
        for entry in section.entries:
            for uuid, item_type in (
                (entry.target_uuid, entry.target_type),
                (entry.parent_uuid, entry.parent_type),
            ):
                if item_type == InkverseType.COMMENT:
                    with suppress(ValidationError):  # a malformed stored uuid names no comment
                        uuids.add(validate_and_trim_uuid(uuid))
    if not uuids:
        return {}
    rows = await session.scalars(select(tables.UserComment).where(tables.UserComment.uuid.in_(uuids)))
    return {
        row.uuid: Comment(
            uuid=strawberry.ID(row.uuid),
            text=row.text,
            created_at=row.created_at,
            target_uuid=strawberry.ID(row.target_uuid),
            target_type=to_enum(InkverseType, row.target_type) or InkverseType.COMICISSUE,
            reply_to_uuid=None,
            is_creator=row.is_creator,
            stats=None,
            user_id=row.user_id,
        )
        for row in rows
    }


@strawberry.type
class NotificationsQuery:
    @strawberry.field
    async def get_notifications_for_user(
        self,
        info: Info,
        buckets: list[NotificationTimeBucket],
        limit: int | None = UNSET,
        offset: int | None = UNSET,
    ) -> NotificationFeed | None:
        viewer = require_user(info, VIEW_FEED)
        page_size, skip = paging(limit, offset)
        async with info.context.read_session() as session:
            sections = await load_feed(
                session, viewer.id, buckets, limit=page_size, offset=skip, now=datetime.now(UTC)
            )
            comments = await _comments_in(session, sections)
        return NotificationFeed(
            user_id=strawberry.ID(str(viewer.id)),
            sections=[
                NotificationSection(
                    bucket=section.bucket,
                    items=[
                        item
                        for entry in section.entries
                        if (item := _feed_item(entry, section.bucket, comments)) is not None
                    ],
                )
                for section in sections
            ],
        )

    @strawberry.field
    async def get_notification_settings(self, info: Info) -> NotificationSettingStatus:
        viewer = require_user(info, VIEW_SETTINGS)
        async with info.context.read_session() as session:
            settings = await effective_settings(session, viewer.id)
        return NotificationSettingStatus(
            user_id=strawberry.ID(str(viewer.id)),
            settings=[NotificationSettingItem.of(viewer.id, setting) for setting in settings],
        )


@strawberry.type
class PushTokenMutation:
    @strawberry.mutation
    async def save_push_token(self, info: Info, fcm_token: str, platform: str) -> bool:
        viewer = require_user(info, SAVE_PUSH_TOKEN)
        token, platform = fcm_token.strip(), platform.strip()
        if not token or not platform:
            raise ValidationError("fcmToken", TOKEN_AND_PLATFORM_REQUIRED)
        if len(token) > MAX_TOKEN_LENGTH or len(platform) > MAX_TOKEN_LENGTH or not is_expo_push_token(token):
            raise ValidationError("fcmToken", PUSH_TOKEN_NOT_SAVED)
        try:
            async with info.context.session() as session, session.begin():
                await save_push_token(session, viewer.id, token, platform)
        except SQLAlchemyError as exc:
            log.error("notifications.push_token_not_saved", user_id=viewer.id, error=str(exc))
            raise RuntimeError(PUSH_TOKEN_NOT_SAVED) from None
        return True


@strawberry.type
class NotificationSettingsMutation:
    @strawberry.mutation
    async def add_or_update_notification_setting(
        self, info: Info, event_type: NotificationEventType, channel: NotificationChannel, is_enabled: bool
    ) -> NotificationSettingItem:
        viewer = require_user(info, UPDATE_SETTINGS)
        setting = ChannelSetting(event_type, channel, is_enabled)
        async with info.context.session() as session, session.begin():
            await save_setting(session, viewer.id, setting)
        purger = await info.context.container.get(CachePurger)
        await purger.purge([Purge(CacheType.NOTIFICATION_SETTINGS, (str(viewer.id),))])
        return NotificationSettingItem.of(viewer.id, setting)
