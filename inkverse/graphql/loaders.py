"""Per-request DataLoaders, one per relation, named `<target>_by_<key>` by attribute.

Batches read through `sessions`: the request's one session (`RequestReads.session`), taken in turn.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from inkverse.cache.aside import CacheAside, CacheKey, EntryType
from inkverse.catalog_enums import SortOrder
from inkverse.comics.repository import ComicIssueRepository, ComicSeriesRepository, ComicStoryRepository
from inkverse.creators.repository import CreatorContentRepository, CreatorRepository
from inkverse.database import tables
from inkverse.database.base import Base
from inkverse.database.reads import SessionOpener
from inkverse.database.rows import row_from_dict, row_to_dict
from inkverse.social.repository import COMMENT_LIKE, CommentRepository
from inkverse.users.repository import UserRepository

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
RowT = TypeVar("RowT", bound=Base)
Fetch = Callable[[AsyncSession, list[K]], Awaitable[Mapping[K, V]]]


class ContentPageKey(NamedTuple):
    """One page of a creator's content (optionally of one content type)."""

    creator_uuid: str
    sort_order: SortOrder
    limit: int
    offset: int
    content_type: tables.ContentType | None = None


PageShape = tuple[SortOrder, int, int, tables.ContentType | None]


async def content_pages(
    session: AsyncSession, keys: list[ContentPageKey]
) -> dict[ContentPageKey, list[tables.CreatorContent]]:
    """One query per distinct page shape (order, size, offset, type), whatever the number of creators."""
    by_shape: dict[PageShape, list[ContentPageKey]] = defaultdict(list)
    for key in keys:
        by_shape[key.sort_order, key.limit, key.offset, key.content_type].append(key)
    repository = CreatorContentRepository(session)
    found: dict[ContentPageKey, list[tables.CreatorContent]] = {}
    for (sort_order, limit, offset, content_type), shape_keys in by_shape.items():
        pages = await repository.map_pages_for_creators(
            [key.creator_uuid for key in shape_keys],
            sort_order=sort_order,
            limit=limit,
            offset=offset,
            content_type=content_type,
        )
        found.update({key: pages[key.creator_uuid] for key in shape_keys})
    return found


class Loaders:
    """Each loader is built on first use: most requests need two or three of them."""

    def __init__(self, sessions: SessionOpener, cache: CacheAside | None = None) -> None:
        self._sessions = sessions
        self._cache = cache

    @cached_property
    def series_by_uuid(self) -> DataLoader[str, tables.ComicSeries | None]:
        return self._cached_rows(
            EntryType.COMICSERIES,
            tables.ComicSeries,
            lambda s, keys: ComicSeriesRepository(s).map_by_uuids(keys),
        )

    @cached_property
    def issue_by_uuid(self) -> DataLoader[str, tables.ComicIssue | None]:
        return self._cached_rows(
            EntryType.COMICISSUE,
            tables.ComicIssue,
            lambda s, keys: ComicIssueRepository(s).map_by_uuids(keys),
        )

    @cached_property
    def issue_by_series_position(self) -> DataLoader[tuple[str, int], tables.ComicIssue | None]:
        return self._loader(lambda s, keys: ComicIssueRepository(s).map_by_positions(keys))

    @cached_property
    def issue_count_by_series_uuid(self) -> DataLoader[str, int | None]:
        return self._loader(lambda s, keys: ComicIssueRepository(s).map_counts_for_series(keys))

    @cached_property
    def stories_by_issue_uuid(self) -> DataLoader[str, list[tables.ComicStory] | None]:
        return self._loader(lambda s, keys: ComicStoryRepository(s).map_for_issues(keys))

    @cached_property
    def creator_by_uuid(self) -> DataLoader[str, tables.Creator | None]:
        return self._cached_rows(
            EntryType.CREATOR, tables.Creator, lambda s, keys: CreatorRepository(s).map_by_uuids(keys)
        )

    @cached_property
    def creators_by_series_uuid(self) -> DataLoader[str, list[tables.Creator] | None]:
        return self._loader(lambda s, keys: CreatorRepository(s).map_for_contents(keys))

    @cached_property
    def content_page_by_creator(self) -> DataLoader[ContentPageKey, list[tables.CreatorContent] | None]:
        return self._loader(content_pages)

    @cached_property
    def user_by_id(self) -> DataLoader[int, tables.User | None]:
        return self._loader(lambda s, keys: UserRepository(s).by_ids(keys))

    @cached_property
    def user_by_creator_uuid(self) -> DataLoader[str, tables.User | None]:
        return self._loader(lambda s, keys: UserRepository(s).by_creator_uuids(keys))

    @cached_property
    def reply_count_by_comment_uuid(self) -> DataLoader[str, int | None]:
        return self._loader(lambda s, keys: CommentRepository(s).reply_counts(keys))

    @cached_property
    def like_count_by_comment_uuid(self) -> DataLoader[str, int | None]:
        return self._loader(lambda s, keys: CommentRepository(s).like_counts(keys, COMMENT_LIKE))

    def _loader(self, fetch: Fetch[K, V]) -> DataLoader[K, V | None]:
        sessions = self._sessions

        async def load(keys: Sequence[K]) -> list[V | None]:
            async with sessions() as session:
                found = await fetch(session, list(keys))
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)

    def _cached_rows(
        self, entry_type: EntryType, model: type[RowT], fetch: Fetch[str, RowT]
    ) -> DataLoader[str, RowT | None]:
        """A loader of rows by uuid that reads through the cache-aside layer (purged by the webhooks)."""
        cache = self._cache
        if cache is None or not cache.enabled:
            return self._loader(fetch)
        sessions = self._sessions

        async def from_database(cache_keys: list[CacheKey]) -> list[dict[str, Any] | None]:
            async with sessions() as session:
                found = await fetch(session, [key.id for key in cache_keys])
            return [row_to_dict(row) if (row := found.get(key.id)) else None for key in cache_keys]

        async def load(keys: Sequence[str]) -> list[RowT | None]:
            return await cache.get_many_or_load(
                [CacheKey(entry_type, key) for key in keys],
                from_database,
                decode=lambda data: row_from_dict(model, data),
            )

        return DataLoader(load_fn=load)
