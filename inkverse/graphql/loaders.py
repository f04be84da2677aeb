"""Per-request DataLoaders, one per relation, named `<Target>By<Key>Loader` by attribute.

Every batch opens its own short-lived session, so concurrently resolving fields never share one.
"""

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from inkverse.comics.repository import ComicIssueRepository, ComicSeriesRepository, ComicStoryRepository
from inkverse.creators.repository import CreatorRepository
from inkverse.social.repository import COMMENT_LIKE, CommentRepository
from inkverse.users.repository import UserRepository

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Fetch = Callable[[AsyncSession, list[K]], Awaitable[Mapping[K, V]]]


class Loaders:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self.series_by_uuid = self._loader(lambda s, keys: ComicSeriesRepository(s).map_by_uuids(keys))
        self.issue_by_uuid = self._loader(lambda s, keys: ComicIssueRepository(s).map_by_uuids(keys))
        self.issue_count_by_series_uuid = self._loader(
            lambda s, keys: ComicIssueRepository(s).map_counts_for_series(keys)
        )
        self.stories_by_issue_uuid = self._loader(
            lambda s, keys: ComicStoryRepository(s).map_for_issues(keys)
        )
        self.creator_by_uuid = self._loader(lambda s, keys: CreatorRepository(s).map_by_uuids(keys))
        self.creators_by_series_uuid = self._loader(
            lambda s, keys: CreatorRepository(s).map_for_contents(keys)
        )
        self.user_by_id = self._loader(lambda s, keys: UserRepository(s).by_ids(keys))
        self.user_by_creator_uuid = self._loader(lambda s, keys: UserRepository(s).by_creator_uuids(keys))
        self.reply_count_by_comment_uuid = self._loader(
            lambda s, keys: CommentRepository(s).reply_counts(keys)
        )
        self.like_count_by_comment_uuid = self._loader(
            lambda s, keys: CommentRepository(s).like_counts(keys, COMMENT_LIKE)
        )

    def _loader(self, fetch: Fetch[K, V]) -> DataLoader[K, V | None]:
        sessionmaker = self._sessionmaker

        async def load(keys: Sequence[K]) -> list[V | None]:
            async with sessionmaker() as session:
                found = await fetch(session, list(keys))
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)
