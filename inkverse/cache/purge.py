"""Cache invalidation: the one `purge` entry point that webhook processing and mutations call.

The cache types are the original's (integrations.md §4.2). Until the Redis cache and the CDN purgers
are wired, `LoggingPurger` records what would be purged.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import structlog

log = structlog.get_logger(__name__)


class CacheType(StrEnum):
    EVERYTHING = "everything"
    DOCUMENTATION = "documentation"
    COMICSERIES = "comicseries"
    COMICISSUE = "comicissue"
    COMICISSUE_FOR_SERIES = "comicissueforseries"
    COMICSTORY = "comicstory"
    CREATOR = "creator"
    CREATORCONTENT = "creatorcontent"
    RECENTLY_ADDED = "recentlyAdded"
    RECENTLY_UPDATED = "recentlyUpdated"
    PROFILE_COMICSERIES = "profilecomicseries"
    USER = "user"
    COMICISSUE_STATS = "comicissuestats"
    COMICSERIES_STATS = "comicseriesstats"
    COMMENTS = "comments"
    NOTIFICATION_FEED = "notificationfeed"
    NOTIFICATION_SETTINGS = "notificationsettings"
    SITEMAP = "sitemap"


@dataclass(frozen=True)
class Purge:
    """What to invalidate: a type, its keys, and what page URLs need (short URL, issue name, series)."""

    cache_type: CacheType
    ids: tuple[str, ...] = ()
    short_url: str | None = None
    name: str | None = None
    series_uuid: str | None = None


class CachePurger(Protocol):
    async def purge(self, purges: Sequence[Purge]) -> None:
        """Invalidate everything listed; failures are logged, never raised to the caller."""


class LoggingPurger:
    async def purge(self, purges: Sequence[Purge]) -> None:
        for item in purges:
            log.info(
                "cache.purge",
                cache_type=item.cache_type.value,
                ids=list(item.ids),
                short_url=item.short_url,
                series_uuid=item.series_uuid,
            )
