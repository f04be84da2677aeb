"""Per-request DataLoaders, one per relation, named `<target>_by_<key>` by attribute.

Batches read through the request's one connection (`RequestReads`), taken in turn: the catalog's with
reads compiled once, the others in its ORM session.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from inkverse.cache.aside import CacheAside, CacheKey, EntryType
from inkverse.catalog_enums import SortOrder
from inkverse.comics.repository import (
    issue_counts,
    issues_at_positions,
    issues_by_uuids,
    series_by_uuids,
    stories_of_issues,
)
from inkverse.creators.repository import (
    content_pages_of_creators,
    creators_by_uuids,
    creators_of_contents,
    series_of_creators,
)
from inkverse.database import tables
from inkverse.database.base import Base
from inkverse.database.reads import ReadConnection, RequestReads
from inkverse.database.rows import row_from_dict, row_to_dict
from inkverse.social.repository import COMMENT_LIKE, CommentRepository
from inkverse.users.repository import UserRepository, users_of_creators

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
RowT = TypeVar("RowT", bound=Base)
ReadsT = TypeVar("ReadsT")
Fetch = Callable[[ReadConnection, list[K]], Awaitable[Mapping[K, V]]]
SessionFetch = Callable[[AsyncSession, list[K]], Awaitable[Mapping[K, V]]]


class ContentPageKey(NamedTuple):
    """One page of a creator's content (optionally of one content type)."""

    creator_uuid: str
    sort_order: SortOrder
    limit: int
    offset: int
    content_type: tables.ContentType | None = None


COMICS_PER_CREATOR = 10
"""`Creator.comics`: the original's default content page of 10."""

PageShape = tuple[SortOrder, int, int, tables.ContentType | None]


async def content_pages(
    reads: ReadConnection, keys: list[ContentPageKey]
) -> dict[ContentPageKey, list[tables.CreatorContent]]:
    """One query per distinct page shape (order, size, offset, type), whatever the number of creators."""
    by_shape: dict[PageShape, list[ContentPageKey]] = defaultdict(list)
    for key in keys:
        by_shape[key.sort_order, key.limit, key.offset, key.content_type].append(key)
    found: dict[ContentPageKey, list[tables.CreatorContent]] = {}
    for (sort_order, limit, offset, content_type), shape_keys in by_shape.items():
        pages = await content_pages_of_creators(
            reads,
            [key.creator_uuid for key in shape_keys],
            sort_order=sort_order,
            limit=limit,
            offset=offset,
            content_type=content_type,
        )
        found.update({key: pages[key.creator_uuid] for key in shape_keys})
    return found


class Loader(DataLoader[K, V]):
    """Strawberry's DataLoader, whose `load_many` awaits the keys' futures in turn: they all resolve
    with one batch, and `asyncio.gather` would add a task and a callback per key (most of what a
    list of 20 series cost here)."""

    async def load_many(self, keys: Iterable[K]) -> list[V]:
        futures = [self.load(key) for key in keys]
        return [await future for future in futures]


class Loaders:
    """Each loader is built on first use: most requests need two or three of them."""

    def __init__(self, reads: RequestReads, cache: CacheAside | None = None) -> None:
        self._reads = reads
        self._cache = cache

    @cached_property
    def series_by_uuid(self) -> DataLoader[str, tables.ComicSeries | None]:
        return self._cached_rows(EntryType.COMICSERIES, tables.ComicSeries, series_by_uuids)

    @cached_property
    def issue_by_uuid(self) -> DataLoader[str, tables.ComicIssue | None]:
        return self._cached_rows(EntryType.COMICISSUE, tables.ComicIssue, issues_by_uuids)

    @cached_property
    def issue_by_series_position(self) -> DataLoader[tuple[str, int], tables.ComicIssue | None]:
        return self._loader(issues_at_positions)

    @cached_property
    def issue_count_by_series_uuid(self) -> DataLoader[str, int | None]:
        return self._loader(issue_counts)

    @cached_property
    def stories_by_issue_uuid(self) -> DataLoader[str, list[tables.ComicStory] | None]:
        return self._loader(stories_of_issues)

    @cached_property
    def creator_by_uuid(self) -> DataLoader[str, tables.Creator | None]:
        return self._cached_rows(EntryType.CREATOR, tables.Creator, creators_by_uuids)

    @cached_property
    def creators_by_series_uuid(self) -> DataLoader[str, list[tables.Creator] | None]:
        return self._loader(creators_of_contents)

    @cached_property
    def content_page_by_creator(self) -> DataLoader[ContentPageKey, list[tables.CreatorContent] | None]:
        return self._loader(content_pages)

    @cached_property
    def comics_by_creator_uuid(self) -> DataLoader[str, list[tables.ComicSeries] | None]:
        """The series on each creator's first page of series content (`Creator.comics`)."""
        return self._loader(lambda reads, keys: series_of_creators(reads, keys, limit=COMICS_PER_CREATOR))

    @cached_property
    def user_by_id(self) -> DataLoader[int, tables.User | None]:
        return self._session_loader(lambda s, keys: UserRepository(s).by_ids(keys))

    @cached_property
    def user_by_creator_uuid(self) -> DataLoader[str, tables.User | None]:
        return self._loader(users_of_creators)

    @cached_property
    def reply_count_by_comment_uuid(self) -> DataLoader[str, int | None]:
        return self._session_loader(lambda s, keys: CommentRepository(s).reply_counts(keys))

    @cached_property
    def like_count_by_comment_uuid(self) -> DataLoader[str, int | None]:
        return self._session_loader(lambda s, keys: CommentRepository(s).like_counts(keys, COMMENT_LIKE))

    def _loader(self, fetch: Fetch[K, V]) -> DataLoader[K, V | None]:
        return _mapped_loader(self._reads.connection, fetch)

    def _session_loader(self, fetch: SessionFetch[K, V]) -> DataLoader[K, V | None]:
        return _mapped_loader(self._reads.session, fetch)

    def _cached_rows(
        self, entry_type: EntryType, model: type[RowT], fetch: Fetch[str, RowT]
    ) -> DataLoader[str, RowT | None]:
        """A loader of rows by uuid that reads through the cache-aside layer (purged by the webhooks)."""
        cache = self._cache
        if cache is None or not cache.enabled:
            return self._loader(fetch)
        connection = self._reads.connection

        async def from_database(cache_keys: list[CacheKey]) -> list[dict[str, Any] | None]:
            async with connection() as reads:
                found = await fetch(reads, [key.id for key in cache_keys])
            return [row_to_dict(row) if (row := found.get(key.id)) else None for key in cache_keys]

        async def load(keys: Sequence[str]) -> list[RowT | None]:
            return await cache.get_many_or_load(
                [CacheKey(entry_type, key) for key in keys],
                from_database,
                decode=lambda data: row_from_dict(model, data),
            )

        return Loader(load_fn=load)


def _mapped_loader(
    open_reads: Callable[[], AbstractAsyncContextManager[ReadsT]],
    fetch: Callable[[ReadsT, list[K]], Awaitable[Mapping[K, V]]],
) -> DataLoader[K, V | None]:
    """A loader whose batch is one `fetch` in a turn of the request's reads (None for a key not found)."""

    async def load(keys: Sequence[K]) -> list[V | None]:
        async with open_reads() as reads:
            found = await fetch(reads, list(keys))
        return [found.get(key) for key in keys]

    return Loader(load_fn=load)
