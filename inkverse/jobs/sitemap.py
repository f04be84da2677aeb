"""The `sitemap` job (integrations.md §7.2): the `comicseries` and `creator` sitemaps, uploaded to R2.

Each type's pages (blocked series and creators left out) are read in keyset pages and written as
sitemap files of at most `SITEMAP_MAX_URLS` URLs: `sitemap/<type>-1.xml`, `-2.xml`, ... in the `ink0`
bucket (`-1-dev.xml` outside production, as the original), `Content-Type: application/xml`. A sitemap
index listing every file (`sitemap/index.xml`) follows, then parts left from an earlier, longer run are
deleted, and every file written or deleted is purged from the CDN. Each run rewrites whole objects, so a
rerun never appends to what an earlier one wrote.
"""

import enum
import io
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import structlog
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.cloudflare.purge import SITEMAP_BUCKET
from inkverse.cloudflare.storage import ObjectStore
from inkverse.database import tables

log = structlog.get_logger(__name__)

FOLDER = "sitemap/"
CONTENT_TYPE = "application/xml"
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
PRIORITY = "0.8"
PAGE_SIZE = 2000
_HEADER = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n'
_FOOTER = "</urlset>\n"


class SitemapType(enum.StrEnum):
    COMICSERIES = "comicseries"
    CREATOR = "creator"


_PAGE_PATH = {SitemapType.COMICSERIES: "comics", SitemapType.CREATOR: "creators"}


@dataclass(frozen=True, slots=True)
class Entry:
    short_url: str
    lastmod: datetime | None


@dataclass(slots=True)
class SitemapResult:
    files: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    urls: dict[str, int] = field(default_factory=dict)


def w3c_datetime(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the original's `toISOString()`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SitemapBuilder:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        store: ObjectStore,
        purger: CachePurger,
        *,
        website_url: str,
        max_urls: int,
        production: bool,
        bucket: str = SITEMAP_BUCKET,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._store = store
        self._purger = purger
        self._site = website_url.rstrip("/")
        self._max_urls = max_urls
        self._suffix = "" if production else "-dev"
        self._bucket = bucket

    async def build(self) -> SitemapResult:
        result = SitemapResult()
        for sitemap_type in SitemapType:
            parts, urls = await self._write_type(sitemap_type)
            result.files += parts
            result.urls[sitemap_type.value] = urls
            result.deleted += await self._stale_parts(sitemap_type, len(parts))
        index = f"index{self._suffix}.xml"
        await self._put(index, self._index(result.files))
        for name in result.deleted:
            await self._store.delete(self._bucket, FOLDER + name)
        await self._purger.purge([Purge(CacheType.SITEMAP, ids=(*result.files, index, *result.deleted))])
        result.files.append(index)
        log.info("sitemap.written", files=result.files, deleted=result.deleted, urls=result.urls)
        return result

    async def _write_type(self, sitemap_type: SitemapType) -> tuple[list[str], int]:
        """Write the type's files; their names and the number of URLs."""
        names: list[str] = []
        part, count, total = io.StringIO(), 0, 0
        async for entry in self._entries(sitemap_type):
            if count == self._max_urls:
                names.append(await self._finish(sitemap_type, len(names) + 1, part))
                part, count = io.StringIO(), 0
            part.write(self._url(sitemap_type, entry))
            count += 1
            total += 1
        if count or not names:
            names.append(await self._finish(sitemap_type, len(names) + 1, part))
        return names, total

    async def _finish(self, sitemap_type: SitemapType, number: int, urls: io.StringIO) -> str:
        name = f"{sitemap_type.value}-{number}{self._suffix}.xml"
        await self._put(name, f"{_HEADER}{urls.getvalue()}{_FOOTER}")
        return name

    async def _put(self, name: str, xml: str) -> None:
        await self._store.put(self._bucket, FOLDER + name, xml.encode(), content_type=CONTENT_TYPE)

    def _url(self, sitemap_type: SitemapType, entry: Entry) -> str:
        loc = f"{self._site}/{_PAGE_PATH[sitemap_type]}/{quote(entry.short_url, safe='')}"
        lastmod = f"<lastmod>{w3c_datetime(entry.lastmod)}</lastmod>" if entry.lastmod else ""
        return f"<url><loc>{escape(loc)}</loc>{lastmod}<priority>{PRIORITY}</priority></url>\n"

    def _index(self, names: Sequence[str]) -> str:
        now = w3c_datetime(datetime.now(UTC))
        sitemaps = "".join(
            f"<sitemap><loc>{escape(f'{self._site}/{FOLDER}{name}')}</loc><lastmod>{now}</lastmod></sitemap>\n"
            for name in names
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">\n'
            f"{sitemaps}</sitemapindex>\n"
        )

    async def _stale_parts(self, sitemap_type: SitemapType, written: int) -> list[str]:
        """Parts of this type numbered past `written`: left by an earlier run with more URLs."""
        pattern = re.compile(rf"{re.escape(sitemap_type.value)}-(\d+){re.escape(self._suffix)}\.xml")
        stale = []
        async for item in self._store.list_objects(self._bucket, f"{FOLDER}{sitemap_type.value}-"):
            name = item.key.removeprefix(FOLDER)
            match = pattern.fullmatch(name)
            if match and int(match.group(1)) > written:
                stale.append(name)
        return stale

    async def _entries(self, sitemap_type: SitemapType) -> AsyncIterator[Entry]:
        """The type's pages in id order, one short read per page (no transaction held across uploads)."""
        after = 0
        while True:
            async with self._sessionmaker() as session:
                rows = (await session.execute(_page(sitemap_type, after))).all()
            for _, short_url, lastmod in rows:
                yield Entry(short_url, _as_datetime(lastmod))
            if len(rows) < PAGE_SIZE:
                return
            after = rows[-1][0]


def _page(sitemap_type: SitemapType, after: int) -> Select[int, str, Any]:
    if sitemap_type is SitemapType.COMICSERIES:
        series, issue = tables.ComicSeries, tables.ComicIssue
        newest_issue = (
            select(func.max(issue.date_published)).where(issue.series_uuid == series.uuid).scalar_subquery()
        )
        return (
            select(series.id, series.short_url, newest_issue)
            .where(series.id > after, series.is_blocked.is_not(True))
            .order_by(series.id)
            .limit(PAGE_SIZE)
        )
    creator = tables.Creator
    return (
        select(creator.id, creator.short_url, func.coalesce(creator.updated_at, creator.created_at))
        .where(creator.id > after, creator.is_blocked.is_not(True))
        .order_by(creator.id)
        .limit(PAGE_SIZE)
    )


def _as_datetime(value: object) -> datetime | None:
    """A series' newest `date_published` (epoch seconds) or a creator's timestamp; None without one."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, int):
        return datetime.fromtimestamp(value, UTC)
    return None
