"""Cache-aside over Redis for hot reads (the GraphQL loaders' series, issues and creators by uuid).

    key = CacheKey(EntryType.COMICSERIES, uuid)
    series = await cache.get_or_load(key, load_series, decode=SeriesView.model_validate)

Values are stored as JSON (orjson) and every caller gets the JSON round trip of what the loader
returned, passed through `decode` (hit, miss or Redis down alike, so nothing depends on the cache's
state). Without `decode` the JSON value itself is returned; concurrent callers of one key may share it,
so treat it as read-only. A loader returning None stores a negative entry for the id asked for (its own,
shorter TTL), which the purge of that id removes.

With `get_or_load`, concurrent misses of one key in this process share one read and one load (single
flight); `get_many_or_load` batches instead (one read for a DataLoader's keys). Redis errors
and timeouts fall back to the loader, logged and counted; nothing here fails a request because Redis
does. Entries are purged by `CacheInvalidator` (`inkverse.cache.invalidator`), never directly.
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

import orjson

from inkverse.cache.store import CacheStore, CacheUnavailableError, CacheWrite
from inkverse.metrics import Metrics
from inkverse.settings import CacheSettings

T = TypeVar("T")

LAYER = "aside"
_ABSENT = object()


class EntryType(StrEnum):
    """Kinds of cache-aside entries; the value is the key segment and the `CACHE_TTL_SECONDS` name."""

    COMICSERIES = "comicseries"
    COMICSERIES_BY_SHORT_URL = "comicseries-short-url"
    COMICISSUE = "comicissue"
    ISSUES_FOR_SERIES = "comicissueforseries"
    COMICSTORY = "comicstory"
    CREATOR = "creator"
    CREATOR_BY_SHORT_URL = "creator-short-url"
    CREATORCONTENT = "creatorcontent"
    HOME_SCREEN = "homescreen"
    LIST = "list"
    DOCUMENTATION = "documentation"
    USER = "user"
    PROFILE_COMICSERIES = "profilecomicseries"
    COMICISSUE_STATS = "comicissuestats"
    COMICSERIES_STATS = "comicseriesstats"
    COMMENTS = "comments"
    NOTIFICATION_FEED = "notificationfeed"
    NOTIFICATION_SETTINGS = "notificationsettings"


@dataclass(frozen=True, slots=True)
class CacheKey:
    """`type` + `id` is what a purge names; `variant` tells apart several entries of one id (pages,
    sort orders: `CacheKey(EntryType.ISSUES_FOR_SERIES, series_uuid, "LATEST:1:10")`), all purged with it."""

    type: EntryType
    id: str
    variant: str = ""

    @property
    def target(self) -> str:
        return f"{self.type.value}:{self.id}"

    @property
    def name(self) -> str:
        return f"{self.target}#{self.variant}" if self.variant else self.target


def _as_is(value: Any) -> Any:
    return value


class CacheAside:
    def __init__(self, store: CacheStore, settings: CacheSettings, metrics: Metrics) -> None:
        self._store = store
        self._settings = settings
        self._metrics = metrics
        self._flights: dict[CacheKey, asyncio.Future[Any]] = {}

    @property
    def enabled(self) -> bool:
        return self._settings.enabled

    async def get_or_load(
        self,
        key: CacheKey,
        loader: Callable[[], Awaitable[T | None]],
        *,
        ttl: int | None = None,
        decode: Callable[[Any], T] = _as_is,
    ) -> T | None:
        """The cached value of `key`, or what `loader` returns (stored for `ttl`, default per type)."""
        if not self._settings.enabled:
            return _decoded(_json_round_trip(await loader()), decode)
        value = await self._single_flight(key, partial(self._read_through, key, loader, ttl))
        return _decoded(value, decode)

    async def get_many_or_load(
        self,
        keys: Sequence[CacheKey],
        loader: Callable[[list[CacheKey]], Awaitable[Sequence[Any]]],
        *,
        ttl: int | None = None,
        decode: Callable[[Any], T] = _as_is,
    ) -> list[T | None]:
        """For DataLoaders: one Redis read for all keys, then `loader(missing keys)` returning their
        values in the same order (None where absent), stored in one round trip."""
        values = [_ABSENT] * len(keys)
        started: int | None = None
        if self._settings.enabled and keys:
            started = await self._read_many(keys, values)
        missing = [index for index, value in enumerate(values) if value is _ABSENT]
        if missing:
            encoded = await self._load_missing([keys[index] for index in missing], loader)
            if started is not None:
                await self._write(
                    [(keys[i], item) for i, item in zip(missing, encoded, strict=True)], ttl, started
                )
            for index, item in zip(missing, encoded, strict=True):
                values[index] = orjson.loads(item)
        return [_decoded(value, decode) for value in values]

    async def _single_flight(self, key: CacheKey, work: Callable[[], Awaitable[Any]]) -> Any:
        flight = self._flights.get(key)
        if flight is None:
            flight = asyncio.ensure_future(work())
            self._flights[key] = flight
            flight.add_done_callback(partial(self._land, key))
        # Shielded: a caller that gives up must not cancel the load the others are waiting for.
        return await asyncio.shield(flight)

    def _land(self, key: CacheKey, flight: asyncio.Future[Any]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.cancelled():
            flight.exception()  # retrieved here, so a failure nobody awaited any more is not reported twice

    async def _read_through(
        self, key: CacheKey, loader: Callable[[], Awaitable[Any]], ttl: int | None
    ) -> Any:
        try:
            snapshot = await self._store.read(LAYER, [key.name])
        except CacheUnavailableError:
            self._count(key, "error")
            return _json_round_trip(await loader())
        cached = _parse(snapshot.values[0])
        if cached is not _ABSENT:
            self._count(key, "hit")
            return cached
        self._count(key, "miss")
        encoded = orjson.dumps(await loader())
        await self._write([(key, encoded)], ttl, snapshot.started)
        return orjson.loads(encoded)

    async def _read_many(self, keys: Sequence[CacheKey], values: list[Any]) -> int | None:
        try:
            snapshot = await self._store.read(LAYER, [key.name for key in keys])
        except CacheUnavailableError:
            for key in keys:
                self._count(key, "error")
            return None
        for index, (key, raw) in enumerate(zip(keys, snapshot.values, strict=True)):
            values[index] = _parse(raw)
            self._count(key, "miss" if values[index] is _ABSENT else "hit")
        return snapshot.started

    @staticmethod
    async def _load_missing(
        keys: list[CacheKey], loader: Callable[[list[CacheKey]], Awaitable[Sequence[Any]]]
    ) -> list[bytes]:
        loaded = await loader(keys)
        if len(loaded) != len(keys):
            raise ValueError(f"the loader returned {len(loaded)} values for {len(keys)} keys")
        return [orjson.dumps(value) for value in loaded]

    async def _write(self, items: Sequence[tuple[CacheKey, bytes]], ttl: int | None, started: int) -> None:
        writes = [self._cache_write(key, encoded, ttl) for key, encoded in items]
        # A failed write is logged and counted by the store; the value is returned all the same.
        with contextlib.suppress(CacheUnavailableError):
            await self._store.write(LAYER, writes, started)

    def _cache_write(self, key: CacheKey, encoded: bytes, ttl: int | None) -> CacheWrite:
        if encoded == b"null":
            ttl_seconds = self._settings.negative_ttl_seconds
        else:
            ttl_seconds = ttl or self._settings.ttl_for(key.type.value)
        return CacheWrite(
            name=key.name,
            value=encoded,
            ttl_seconds=ttl_seconds,
            targets=(key.target,),
            indexed_under=(key.target,) if key.variant else (),
        )

    def _count(self, key: CacheKey, result: str) -> None:
        self._metrics.cache_lookups.labels(LAYER, key.type.value, result).inc()


def _parse(raw: bytes | None) -> Any:
    """The stored JSON value; `_ABSENT` for no entry or one that does not decode (a miss)."""
    if raw is None:
        return _ABSENT
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _ABSENT


def _json_round_trip(value: object) -> Any:
    return orjson.loads(orjson.dumps(value))


def _decoded(value: Any, decode: Callable[[Any], T]) -> T | None:
    return None if value is None else decode(value)
