"""The in-app notification feed (graphql.md §2.6 `getNotificationsForUser`).

Each requested bucket is a window of creation times with day boundaries in America/Vancouver. Within a
window, likes and creator events are grouped by (event, target, parent) with a count and the latest
time; replies and new episodes are listed one by one. Both lists take the same limit and offset (so a
section holds up to twice the limit, as the original) and are merged newest first. Every sub-list of
every bucket is fetched in one statement.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, ColumnElement, Integer, Select, func, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables
from inkverse.notifications.events import AGGREGATED, INDIVIDUAL, NotificationTimeBucket

Bucket = NotificationTimeBucket
Notification = tables.UserNotification

FEED_TIME_ZONE = ZoneInfo("America/Vancouver")
DEFAULT_LIMIT = 50
MAX_LIMIT = 100

FeedRow = tuple[int, int | None, int | None, int, int | None, str, str, str, str | None, str | None]
"""bucket index, then the fields of `FeedEntry`."""


@dataclass(frozen=True, slots=True)
class Window:
    """Creation times in [start, end); no end for TODAY."""

    start: int
    end: int | None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One feed item: a single notification (`id` set) or a group (`count` set)."""

    id: int | None
    count: int | None
    created_at: int
    sender_id: int | None
    event_type: str
    target_uuid: str
    target_type: str
    parent_uuid: str | None
    parent_type: str | None


@dataclass(frozen=True, slots=True)
class FeedSection:
    bucket: Bucket
    entries: list[FeedEntry]


def paging(limit: int | None, offset: int | None) -> tuple[int, int]:
    """Limit 1..100 (missing or 0 → 50) and offset ≥ 0; the original sent a negative limit to SQL."""
    return min(max(limit or DEFAULT_LIMIT, 1), MAX_LIMIT), max(offset or 0, 0)


def bucket_window(bucket: Bucket, now: datetime) -> Window:
    today = now.astimezone(FEED_TIME_ZONE).date()

    def midnight(days_ago: int) -> int:
        return int(datetime.combine(today - timedelta(days=days_ago), time(), FEED_TIME_ZONE).timestamp())

    match bucket:
        case Bucket.TODAY:
            return Window(midnight(0), None)
        case Bucket.THIS_WEEK:
            return Window(midnight(7), midnight(0))
        case Bucket.THIS_MONTH:
            return Window(midnight(30), midnight(7))
        case Bucket.EARLIER:
            return Window(0, midnight(30))


async def load_feed(
    session: AsyncSession,
    recipient_id: int,
    buckets: Sequence[Bucket],
    *,
    limit: int,
    offset: int,
    now: datetime,
) -> list[FeedSection]:
    """The sections of the requested buckets in request order, empty ones left out."""
    requested = list(dict.fromkeys(buckets))
    if not requested:
        return []
    parts = []
    for index, bucket in enumerate(requested):
        window = bucket_window(bucket, now)
        parts.append(_grouped(recipient_id, window, index).limit(limit).offset(offset))
        parts.append(_individual(recipient_id, window, index).limit(limit).offset(offset))
    rows = (await session.execute(union_all(*parts))).all()
    by_bucket: dict[int, list[FeedEntry]] = {}
    for row in rows:
        by_bucket.setdefault(row.bucket, []).append(_entry(row))
    sections = []
    for index, bucket in enumerate(requested):
        entries = by_bucket.get(index)
        if entries:
            entries.sort(key=lambda entry: entry.created_at, reverse=True)
            sections.append(FeedSection(bucket, entries))
    return sections


def _entry(row: FeedRow) -> FeedEntry:
    _, id_, count, created_at, sender_id, event_type, target_uuid, target_type, parent_uuid, parent_type = row
    return FeedEntry(
        id_, count, created_at, sender_id, event_type, target_uuid, target_type, parent_uuid, parent_type
    )


def _in_window(window: Window) -> list[ColumnElement[bool]]:
    conditions = [Notification.created_at >= window.start]
    if window.end is not None:
        conditions.append(Notification.created_at < window.end)
    return conditions


def _grouped(recipient_id: int, window: Window, bucket_index: int) -> Select[*FeedRow]:
    latest = func.max(Notification.created_at)
    group = (
        Notification.event_type,
        Notification.target_uuid,
        Notification.target_type,
        Notification.parent_uuid,
        Notification.parent_type,
    )
    return (
        select(
            literal(bucket_index, Integer).label("bucket"),
            null().cast(BigInteger).label("id"),
            func.count().label("count"),
            latest.label("created_at"),
            null().cast(BigInteger).label("sender_id"),
            *group,
        )
        .where(Notification.recipient_id == recipient_id, Notification.event_type.in_(AGGREGATED))
        .where(*_in_window(window))
        .group_by(*group)
        .order_by(latest.desc(), Notification.target_uuid)
    )


def _individual(recipient_id: int, window: Window, bucket_index: int) -> Select[*FeedRow]:
    return (
        select(
            literal(bucket_index, Integer).label("bucket"),
            Notification.id,
            null().cast(BigInteger).label("count"),
            Notification.created_at,
            Notification.sender_id,
            Notification.event_type,
            Notification.target_uuid,
            Notification.target_type,
            Notification.parent_uuid,
            Notification.parent_type,
        )
        .where(Notification.recipient_id == recipient_id, Notification.event_type.in_(INDIVIDUAL))
        .where(*_in_window(window))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
