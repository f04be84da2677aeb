"""A reader's own state for a series: subscriptions, new-episode alerts and episode likes
(database.md `userseries_subscriptions`, `notification_preferences`, `user_likes`).

Every write is one statement guarded by the table's unique constraint (`INSERT ... ON CONFLICT DO
NOTHING RETURNING`, `DELETE ... RETURNING`), never a read-then-write: repeating or racing a call leaves
one row, and the returned rows say whether this call changed anything. The caller owns the session.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Text, cast, delete, exists, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.catalog.ordering import is_live, page_offset
from inkverse.catalog_enums import InkverseType
from inkverse.database import tables
from inkverse.notifications.events import NotificationEventType
from inkverse.notifications.writer import NotificationWriter

Subscription = tables.UserSeriesSubscription
Preference = tables.NotificationPreference
Like = tables.UserLike
Issue = tables.ComicIssue

MAX_SUPER_LIKED_ISSUES = 10_000
"""The original's cap on the episodes one super-like covers."""


@dataclass(frozen=True, slots=True)
class SeriesState:
    """What `UserComicSeries` shows: the reader's subscription, alert and liked episodes."""

    series_uuid: str
    is_subscribed: bool
    has_notification_enabled: bool
    liked_issue_uuids: list[str]


class ReaderSeriesRepository:
    def __init__(self, session: AsyncSession, user_id: int) -> None:
        self._session = session
        self._user_id = user_id

    async def state(self, series_uuid: str) -> SeriesState:
        """The reader's state for the series, in one statement."""
        subscribed = exists().where(
            Subscription.user_id == self._user_id, Subscription.series_uuid == series_uuid
        )
        alerted = exists().where(*self._new_episode_alert(series_uuid))
        liked = (
            select(func.array_agg(aggregate_order_by(cast(Like.likeable_uuid, Text), Like.id)))
            .where(*self._issue_likes_of(series_uuid))
            .scalar_subquery()
        )
        row = (await self._session.execute(select(subscribed, alerted, liked))).one()
        return SeriesState(series_uuid, bool(row[0]), bool(row[1]), list(row[2] or []))

    async def subscribe(self, series_uuids: Sequence[str]) -> bool:
        """Subscribe to every series; True when at least one subscription is new."""
        rows = [{"user_id": self._user_id, "series_uuid": uuid} for uuid in dict.fromkeys(series_uuids)]
        if not rows:
            return False
        statement = (
            insert(Subscription)
            .values(rows)
            .on_conflict_do_nothing(constraint="userseries_subscriptions_user_id_series_uuid_unique")
            .returning(Subscription.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def unsubscribe(self, series_uuid: str) -> bool:
        statement = (
            delete(Subscription)
            .where(Subscription.user_id == self._user_id, Subscription.series_uuid == series_uuid)
            .returning(Subscription.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def enable_new_episode_alerts(self, series_uuid: str) -> None:
        statement = (
            insert(Preference)
            .values(
                user_id=self._user_id,
                notification_type=NotificationEventType.NEW_EPISODE_RELEASED.value,
                value=series_uuid,
            )
            .on_conflict_do_nothing(
                constraint="notification_preferences_user_id_notification_type_value_unique"
            )
        )
        await self._session.execute(statement)

    async def disable_new_episode_alerts(self, series_uuid: str) -> None:
        await self._session.execute(delete(Preference).where(*self._new_episode_alert(series_uuid)))

    async def like_issue(self, issue_uuid: str, series_uuid: str) -> bool:
        """True when this call created the like."""
        statement = (
            insert(Like)
            .values(
                user_id=self._user_id,
                likeable_uuid=issue_uuid,
                likeable_type=InkverseType.COMICISSUE.value,
                parent_uuid=series_uuid,
                parent_type=InkverseType.COMICSERIES.value,
            )
            .on_conflict_do_nothing(constraint="user_likes_user_id_likeable_type_likeable_uuid_unique")
            .returning(Like.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def unlike_issue(self, issue_uuid: str) -> bool:
        """True when this call removed a like."""
        statement = (
            delete(Like)
            .where(
                Like.user_id == self._user_id,
                Like.likeable_type == InkverseType.COMICISSUE.value,
                Like.likeable_uuid == issue_uuid,
            )
            .returning(Like.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def like_every_issue(self, series_uuid: str) -> list[str]:
        """Like every live episode of the series in one INSERT ... SELECT; the newly liked ones."""
        episodes = (
            select(
                literal(self._user_id, Like.user_id.type),
                Issue.uuid,
                literal(InkverseType.COMICISSUE.value, Like.likeable_type.type),
                literal(series_uuid, Like.parent_uuid.type),
                literal(InkverseType.COMICSERIES.value, Like.parent_type.type),
            )
            .where(Issue.series_uuid == series_uuid, is_live(Issue.is_removed))
            .order_by(Issue.position.asc().nulls_last(), Issue.uuid)
            .limit(MAX_SUPER_LIKED_ISSUES)
        )
        columns = ["user_id", "likeable_uuid", "likeable_type", "parent_uuid", "parent_type"]
        statement = (
            insert(Like)
            .from_select(columns, episodes)
            .on_conflict_do_nothing(constraint="user_likes_user_id_likeable_type_likeable_uuid_unique")
            .returning(Like.likeable_uuid)
        )
        return [str(uuid) for uuid in await self._session.scalars(statement)]

    def _new_episode_alert(self, series_uuid: str) -> tuple[ColumnElement[bool], ...]:
        return (
            Preference.user_id == self._user_id,
            Preference.notification_type == NotificationEventType.NEW_EPISODE_RELEASED.value,
            Preference.value == series_uuid,
        )

    def _issue_likes_of(self, series_uuid: str) -> tuple[ColumnElement[bool], ...]:
        return (
            Like.user_id == self._user_id,
            Like.parent_uuid == series_uuid,
            Like.parent_type == InkverseType.COMICSERIES.value,
            Like.likeable_type == InkverseType.COMICISSUE.value,
        )


async def subscribed_series(
    session: AsyncSession, user_id: int, page: int, limit: int
) -> list[tables.ComicSeries]:
    """A reader's subscribed series, most recently subscribed first; series no longer stored are left out."""
    statement = (
        select(tables.ComicSeries)
        .join(Subscription, Subscription.series_uuid == tables.ComicSeries.uuid)
        .where(Subscription.user_id == user_id)
        .order_by(Subscription.created_at.desc(), Subscription.id.desc())
        .limit(limit)
        .offset(page_offset(page, limit))
    )
    return list(await session.scalars(statement))


async def claimed_creator_user_ids(session: AsyncSession, series_uuid: str) -> list[int]:
    """The accounts that claimed a creator of the series, first creator (by `content_position`) first."""
    content, user = tables.CreatorContent, tables.User
    statement = (
        select(user.id)
        .join(content, content.creator_uuid == user.creator_uuid)
        .where(content.content_uuid == series_uuid)
        .order_by(content.content_position.asc().nulls_last(), content.creator_uuid)
    )
    return list(dict.fromkeys(await session.scalars(statement)))


async def notify_creators_of_likes(
    session: AsyncSession, sender_id: int, series_uuid: str, issue_uuids: Sequence[str]
) -> list[int]:
    """CREATOR_EPISODE_LIKED to the series' claimed creators, one per newly liked episode; the recipients."""
    if not issue_uuids:
        return []
    writer = NotificationWriter(session)
    notified = []
    for recipient_id in await claimed_creator_user_ids(session, series_uuid):
        for issue_uuid in issue_uuids:
            if not await writer.notify(
                recipient_id=recipient_id,
                sender_id=sender_id,
                event=NotificationEventType.CREATOR_EPISODE_LIKED,
                target_uuid=issue_uuid,
                target_type=InkverseType.COMICISSUE.value,
                parent_uuid=series_uuid,
                parent_type=InkverseType.COMICSERIES.value,
            ):
                break  # the sender themself, or both channels off: the same for every episode
        else:
            notified.append(recipient_id)
    return notified
