"""Cache invalidation vocabulary: the cache types, one purge request, and the purger interfaces.

The cache types are the original's (integrations.md §4.2). Webhook processing and mutations call only
`CachePurger.purge`; `CacheInvalidator` (`inkverse.cache.invalidator`) is the implementation.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import structlog

from inkverse.errors import InkverseError, ValidationError

log = structlog.get_logger(__name__)

RECENTLY_ADDED_ID = "recently-added"
RECENTLY_UPDATED_ID = "recently-updated"


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


_WITHOUT_IDS = frozenset({CacheType.EVERYTHING, CacheType.RECENTLY_ADDED, CacheType.RECENTLY_UPDATED})


@dataclass(frozen=True)
class Purge:
    """What to invalidate: a type, its keys, and what page URLs need.

    `short_url` is the series' short URL (series and issue pages), the creator's (creator pages) or the
    username (profile pages); `name` is the issue's name (issue page slug); `series_uuid` is the
    issue's series (its issue list is purged with it).
    """

    cache_type: CacheType
    ids: tuple[str, ...] = ()
    short_url: str | None = None
    name: str | None = None
    series_uuid: str | None = None


@dataclass(frozen=True)
class PurgedObjects:
    """GraphQL objects of one type, by the values of the type's key field."""

    type_name: str
    keys: tuple[str, ...]


_OBJECT_TYPE_BY_CACHE_TYPE: dict[CacheType, str] = {
    CacheType.DOCUMENTATION: "Documentation",
    CacheType.COMICSERIES: "ComicSeries",
    CacheType.COMICISSUE: "ComicIssue",
    CacheType.COMICISSUE_FOR_SERIES: "ComicIssueForSeries",
    CacheType.COMICSTORY: "ComicStory",
    CacheType.CREATOR: "Creator",
    CacheType.CREATORCONTENT: "CreatorContent",
    CacheType.PROFILE_COMICSERIES: "ProfileComicSeries",
    CacheType.USER: "User",
    CacheType.COMICISSUE_STATS: "ComicIssueStats",
    CacheType.COMICSERIES_STATS: "ComicSeriesStats",
    CacheType.COMMENTS: "CommentsForTarget",
    CacheType.NOTIFICATION_FEED: "NotificationFeed",
    CacheType.NOTIFICATION_SETTINGS: "NotificationSettingStatus",
}

HOME_SCREEN_LIST_IDS: dict[CacheType, str] = {
    CacheType.RECENTLY_ADDED: RECENTLY_ADDED_ID,
    CacheType.RECENTLY_UPDATED: RECENTLY_UPDATED_ID,
}


def purged_objects(purge: Purge) -> list[PurgedObjects]:
    """The GraphQL objects a purge invalidates (response-cache tags, Stellate mutations)."""
    if purge.cache_type in HOME_SCREEN_LIST_IDS:
        return [PurgedObjects("HomeScreenComicSeries", (HOME_SCREEN_LIST_IDS[purge.cache_type],))]
    objects: list[PurgedObjects] = []
    type_name = _OBJECT_TYPE_BY_CACHE_TYPE.get(purge.cache_type)
    if type_name is not None and purge.ids:
        objects.append(PurgedObjects(type_name, purge.ids))
    if purge.cache_type is CacheType.COMICISSUE and purge.series_uuid:
        objects.append(PurgedObjects("ComicIssueForSeries", (purge.series_uuid,)))
    return objects


def missing_inputs(purge: Purge) -> list[str]:
    """Inputs the original required for this type (ids; and the series of an issue)."""
    missing = []
    if purge.cache_type not in _WITHOUT_IDS and not any(purge.ids):
        missing.append("ids")
    if purge.cache_type is CacheType.COMICISSUE and not purge.series_uuid:
        missing.append("series_uuid")
    return missing


def make_purge(
    cache_type: str,
    ids: Iterable[str] = (),
    *,
    short_url: str | None = None,
    name: str | None = None,
    series_uuid: str | None = None,
) -> Purge:
    """A purge from untrusted input (CLI, admin tools): unknown types and missing inputs are refused."""
    try:
        parsed_type = CacheType(cache_type)
    except ValueError:
        known = ", ".join(member.value for member in CacheType)
        raise ValidationError(
            "type", f"unknown cache type {cache_type!r}; expected one of: {known}"
        ) from None
    purge = Purge(parsed_type, tuple(ids), short_url=short_url, name=name, series_uuid=series_uuid)
    missing = missing_inputs(purge)
    if missing:
        raise ValidationError(missing[0], f"required for cache type {parsed_type.value!r}")
    return purge


class PurgeFailedError(InkverseError):
    """A CDN refused a purge or stayed unreachable after the retries."""


class CachePurger(Protocol):
    async def purge(self, purges: Sequence[Purge]) -> None:
        """Invalidate everything listed; failures are logged, never raised to the caller."""


class CdnPurger(Protocol):
    """One CDN's purge API (Cloudflare, Stellate)."""

    @property
    def name(self) -> str: ...

    async def send(self, purges: Sequence[Purge]) -> None:
        """Purge on the CDN; raises PurgeFailedError once the retries are spent."""


class LoggingCdnPurger:
    """Stands in for a CDN that is not configured (no API token): logs what would be purged."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    async def send(self, purges: Sequence[Purge]) -> None:
        for item in purges:
            log.info(
                "cache.cdn_not_configured", cdn=self._name, cache_type=item.cache_type.value, ids=item.ids
            )
