"""The one purge entry point: origin caches first (cache-aside entries and GraphQL responses, in one
Redis script), then the CDNs (Cloudflare, Stellate) concurrently, so a CDN never refetches stale data.

Failures are retried with backoff, logged and counted, and never raised: a webhook or a mutation does
not fail because Redis or a CDN is down. `run` reports each target's outcome (the CLI shows it).
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from inkverse.cache.aside import CacheKey, EntryType
from inkverse.cache.purge import (
    HOME_SCREEN_LIST_IDS,
    CacheType,
    CdnPurger,
    LoggingCdnPurger,
    Purge,
    missing_inputs,
    purged_objects,
)
from inkverse.cache.redis import REDIS_ERRORS
from inkverse.cache.response_store import object_target
from inkverse.cache.store import CacheStore
from inkverse.metrics import Metrics

log = structlog.get_logger(__name__)

REDIS_TARGET = "redis"

_ENTRY_TYPE_BY_CACHE_TYPE: dict[CacheType, EntryType] = {
    CacheType.DOCUMENTATION: EntryType.DOCUMENTATION,
    CacheType.COMICSERIES: EntryType.COMICSERIES,
    CacheType.COMICISSUE: EntryType.COMICISSUE,
    CacheType.COMICISSUE_FOR_SERIES: EntryType.ISSUES_FOR_SERIES,
    CacheType.COMICSTORY: EntryType.COMICSTORY,
    CacheType.CREATOR: EntryType.CREATOR,
    CacheType.CREATORCONTENT: EntryType.CREATORCONTENT,
    CacheType.PROFILE_COMICSERIES: EntryType.PROFILE_COMICSERIES,
    CacheType.USER: EntryType.USER,
    CacheType.COMICISSUE_STATS: EntryType.COMICISSUE_STATS,
    CacheType.COMICSERIES_STATS: EntryType.COMICSERIES_STATS,
    CacheType.COMMENTS: EntryType.COMMENTS,
    CacheType.NOTIFICATION_FEED: EntryType.NOTIFICATION_FEED,
    CacheType.NOTIFICATION_SETTINGS: EntryType.NOTIFICATION_SETTINGS,
}
_BY_SHORT_URL: dict[CacheType, EntryType] = {
    CacheType.COMICSERIES: EntryType.COMICSERIES_BY_SHORT_URL,
    CacheType.CREATOR: EntryType.CREATOR_BY_SHORT_URL,
}


@dataclass(frozen=True)
class PurgeOutcome:
    target: str
    ok: bool
    detail: str = ""


def aside_keys(purge: Purge) -> list[CacheKey]:
    """The cache-aside entries a purge removes (with every variant of each)."""
    entry_type = _ENTRY_TYPE_BY_CACHE_TYPE.get(purge.cache_type)
    keys = [CacheKey(entry_type, key) for key in purge.ids if key] if entry_type else []
    if purge.cache_type in _BY_SHORT_URL and purge.short_url:
        keys.append(CacheKey(_BY_SHORT_URL[purge.cache_type], purge.short_url))
    if purge.cache_type is CacheType.COMICISSUE and purge.series_uuid:
        keys.append(CacheKey(EntryType.ISSUES_FOR_SERIES, purge.series_uuid))
    if purge.cache_type in HOME_SCREEN_LIST_IDS:
        keys.append(CacheKey(EntryType.HOME_SCREEN, HOME_SCREEN_LIST_IDS[purge.cache_type]))
    return keys


def origin_targets(purge: Purge) -> list[str]:
    """Redis purge targets: the cache-aside entries and the response-cache tags of the purged objects."""
    targets = [key.target for key in aside_keys(purge)]
    for objects in purged_objects(purge):
        targets += [object_target(objects.type_name, key) for key in objects.keys if key]
    return targets


class CacheInvalidator:
    """The `CachePurger` of the application."""

    def __init__(
        self,
        store: CacheStore,
        cdns: Sequence[CdnPurger],
        metrics: Metrics,
        *,
        attempts: int = 3,
        wait_seconds: float = 0.2,
    ) -> None:
        self._store = store
        self._cdns = tuple(cdns)
        self._metrics = metrics
        self._attempts = attempts
        self._wait_seconds = wait_seconds

    async def purge(self, purges: Sequence[Purge]) -> None:
        await self.run(purges)

    async def run(self, purges: Sequence[Purge]) -> list[PurgeOutcome]:
        if not purges:
            return []
        for purge in purges:
            if missing := missing_inputs(purge):
                log.warning("cache.purge_incomplete", cache_type=purge.cache_type.value, missing=missing)
        origin = await self._purge_origin(purges)
        cdns = await asyncio.gather(*(self._purge_cdn(cdn, purges) for cdn in self._cdns))
        return [origin, *cdns]

    async def _purge_origin(self, purges: Sequence[Purge]) -> PurgeOutcome:
        everything = any(purge.cache_type is CacheType.EVERYTHING for purge in purges)
        targets = [target for purge in purges for target in origin_targets(purge)]
        removed = 0
        try:
            async for attempt in self._retrying():
                with attempt:
                    removed = await (self._store.flush() if everything else self._store.purge(targets))
        except REDIS_ERRORS as exc:
            return self._failed(REDIS_TARGET, exc)
        log.info(
            "cache.purged", target=REDIS_TARGET, everything=everything, targets=len(targets), removed=removed
        )
        return self._succeeded(REDIS_TARGET, f"{removed} entries removed")

    async def _purge_cdn(self, cdn: CdnPurger, purges: Sequence[Purge]) -> PurgeOutcome:
        try:
            await cdn.send(purges)
        except Exception as exc:  # noqa: BLE001 - a CDN must never fail the webhook or the request
            return self._failed(cdn.name, exc)
        return self._succeeded(
            cdn.name, "not configured: logged only" if isinstance(cdn, LoggingCdnPurger) else ""
        )

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            retry=retry_if_exception_type(REDIS_ERRORS),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential_jitter(
                multiplier=self._wait_seconds, max=self._wait_seconds * 8, jitter=self._wait_seconds
            ),
            reraise=True,
        )

    def _succeeded(self, target: str, detail: str = "") -> PurgeOutcome:
        self._metrics.cache_purges.labels(target, "ok").inc()
        return PurgeOutcome(target, ok=True, detail=detail)

    def _failed(self, target: str, error: Exception) -> PurgeOutcome:
        self._metrics.cache_purges.labels(target, "failed").inc()
        log.error("cache.purge_failed", target=target, error=str(error) or repr(error))
        return PurgeOutcome(target, ok=False, detail=str(error) or repr(error))
