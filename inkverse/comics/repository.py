"""Reads of `comicseries`, `comicissue` and `comicstory`. The caller owns the session.

Methods named `map_...` take a list of keys and return a dict (missing keys absent, or an empty
list / zero where stated), for DataLoaders; `list_by_uuids` keeps the order of the keys it is given.
Webhook writes are in `inkverse.comics.writers`.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import ARRAY, ColumnElement, Integer, bindparam, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.catalog.ordering import is_live, position_order
from inkverse.catalog_enums import SortOrder
from inkverse.database import tables
from inkverse.database.reads import CompiledSelect, Entity, ReadConnection, WholeRows, any_of

Series = tables.ComicSeries
Issue = tables.ComicIssue
Story = tables.ComicStory

# The DataLoaders' statements, built once: building a statement costs more than running a cached one.
_SERIES_BY_UUIDS = WholeRows(Series, "uuid")
_ISSUES_BY_UUIDS = WholeRows(Issue, "uuid")
_ISSUE = Entity(Issue)
_SERIES = Entity(Series)
_RECENTLY_ADDED = CompiledSelect(
    select(*_SERIES.columns)
    .where(Series.is_blocked.is_not(True))
    .order_by(Series.created_at.desc(), Series.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_RECENTLY_UPDATED = CompiledSelect(
    select(Issue.series_uuid)
    .where(Issue.date_published.is_not(None), Issue.date_published <= func.extract("epoch", func.now()))
    .group_by(Issue.series_uuid)
    .order_by(func.max(Issue.date_published).desc(), Issue.series_uuid)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_ISSUE_COUNTS = CompiledSelect(
    select(Issue.series_uuid, func.count(Issue.uuid))
    .where(any_of(Issue.series_uuid, "uuids"))
    .group_by(Issue.series_uuid)
)
_POSITIONS = (
    func.unnest(
        bindparam("series_uuids", type_=ARRAY(Issue.series_uuid.type)),
        bindparam("positions", type_=ARRAY(Integer())),
    )
    .table_valued("series_uuid", "position")
    .render_derived()
)
_ISSUES_AT_POSITIONS = CompiledSelect(
    select(*_ISSUE.columns)
    .where(
        tuple_(Issue.series_uuid, Issue.position).in_(select(_POSITIONS.c.series_uuid, _POSITIONS.c.position))
    )
    .order_by(Issue.series_uuid, Issue.position, Issue.uuid)
)


# Reads by key for the DataLoaders, on the request's connection; the repositories' `map_...` methods
# run the same reads in a session.


async def series_by_uuids(reads: ReadConnection, uuids: Sequence[str]) -> dict[str, tables.ComicSeries]:
    """Blocked series included, as the original; callers decide whether to show them."""
    if not uuids:
        return {}
    return {row.uuid: row for row in await _SERIES_BY_UUIDS.fetch(reads, list(set(uuids)))}


async def issues_by_uuids(reads: ReadConnection, uuids: Sequence[str]) -> dict[str, tables.ComicIssue]:
    if not uuids:
        return {}
    return {row.uuid: row for row in await _ISSUES_BY_UUIDS.fetch(reads, list(set(uuids)))}


async def issues_at_positions(
    reads: ReadConnection, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], tables.ComicIssue]:
    """The issue at each (series uuid, position); the lowest uuid when several share a position."""
    if not keys:
        return {}
    distinct = set(keys)
    records = await _ISSUES_AT_POSITIONS.fetch(
        reads,
        series_uuids=[series_uuid for series_uuid, _ in distinct],
        positions=[position for _, position in distinct],
    )
    found: dict[tuple[str, int], tables.ComicIssue] = {}
    for record in records:
        row = _ISSUE.row(record)
        if row.position is not None:
            found.setdefault((row.series_uuid, row.position), row)
    return found


async def issue_counts(reads: ReadConnection, series_uuids: Sequence[str]) -> dict[str, int]:
    """Issue count per series; every requested series is present (0 when it has none)."""
    counts = dict.fromkeys(series_uuids, 0)
    if series_uuids:
        for series_uuid, count in await _ISSUE_COUNTS.values(reads, uuids=list(set(series_uuids))):
            counts[series_uuid] = count
    return counts


async def issues_of_series(
    reads: ReadConnection,
    series_uuid: str,
    *,
    sort_order: SortOrder = SortOrder.LATEST,
    limit: int = 10,
    offset: int = 0,
    include_removed: bool = False,
) -> list[tables.ComicIssue]:
    """A page of a series' issues by position; blocked issues are not filtered (as the original)."""
    statement = _issues_of_series(sort_order, include_removed=include_removed)
    records = await statement.fetch(reads, series_uuid=series_uuid, limit=limit, offset=offset)
    return [_ISSUE.row(record) for record in records]


async def stories_of_issues(
    reads: ReadConnection, issue_uuids: Sequence[str], *, include_removed: bool = False
) -> dict[str, list[tables.ComicStory]]:
    """Stories per issue in position order; every requested issue is present (maybe empty)."""
    stories: dict[str, list[tables.ComicStory]] = defaultdict(list)
    if issue_uuids:
        for story in await _stories_of(include_removed).fetch(reads, list(set(issue_uuids))):
            stories[story.issue_uuid].append(story)
    return {issue_uuid: stories[issue_uuid] for issue_uuid in issue_uuids}


class ComicSeriesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_uuid(self, uuid: str) -> tables.ComicSeries | None:
        return await self._session.get(Series, uuid)

    async def get_by_short_url(self, short_url: str) -> tables.ComicSeries | None:
        statement = select(Series).where(Series.short_url == short_url)
        return (await self._session.scalars(statement)).first()

    async def get_by_issue_uuid(self, issue_uuid: str) -> tables.ComicSeries | None:
        statement = (
            select(Series).join(Issue, Issue.series_uuid == Series.uuid).where(Issue.uuid == issue_uuid)
        )
        return (await self._session.scalars(statement)).first()

    async def map_by_uuids(self, uuids: Sequence[str]) -> dict[str, tables.ComicSeries]:
        """Blocked series included, as the original; callers decide whether to show them."""
        return await series_by_uuids(await ReadConnection.of(self._session), uuids)

    async def list_by_uuids(self, uuids: Sequence[str]) -> list[tables.ComicSeries]:
        """The series in the order of `uuids`; unknown uuids are skipped, a repeated one appears once."""
        found = await self.map_by_uuids(uuids)
        return [found[uuid] for uuid in dict.fromkeys(uuids) if uuid in found]

    async def recently_added(self, limit: int, offset: int = 0) -> list[tables.ComicSeries]:
        """Newest first by insertion time; blocked series left out (a NULL `is_blocked` is not blocked)."""
        reads = await ReadConnection.of(self._session)
        return [
            _SERIES.row(record) for record in await _RECENTLY_ADDED.fetch(reads, limit=limit, offset=offset)
        ]

    async def recently_updated_uuids(self, limit: int, offset: int = 0) -> list[str]:
        """Series by the date of their newest issue already published (epoch seconds, not in the future).

        The original compared seconds with milliseconds, so future-dated issues counted; issues without
        a date never count. Removed and blocked issues count, as in the original.
        """
        reads = await ReadConnection.of(self._session)
        return [
            series_uuid
            for (series_uuid,) in await _RECENTLY_UPDATED.values(reads, limit=limit, offset=offset)
        ]

    async def list_for_creators(self, creator_uuids: Sequence[str]) -> list[tables.ComicSeries]:
        """Non-blocked series any of the creators worked on, newest first, each series once."""
        if not creator_uuids:
            return []
        linked = select(tables.CreatorContent.content_uuid).where(
            tables.CreatorContent.creator_uuid.in_(set(creator_uuids)),
            tables.CreatorContent.content_type == tables.ContentType.COMICSERIES,
        )
        statement = (
            select(Series)
            .where(Series.uuid.in_(linked), Series.is_blocked.is_not(True))
            .order_by(Series.created_at.desc(), Series.id.desc())
        )
        return list(await self._session.scalars(statement))


class ComicIssueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_uuid(self, uuid: str) -> tables.ComicIssue | None:
        return await self._session.get(Issue, uuid)

    async def map_by_uuids(self, uuids: Sequence[str]) -> dict[str, tables.ComicIssue]:
        return await issues_by_uuids(await ReadConnection.of(self._session), uuids)

    async def list_for_series(
        self,
        series_uuid: str,
        *,
        sort_order: SortOrder = SortOrder.LATEST,
        limit: int = 10,
        offset: int = 0,
        include_removed: bool = False,
    ) -> list[tables.ComicIssue]:
        """A page of a series' issues by position; blocked issues are not filtered (as the original)."""
        return await issues_of_series(
            await ReadConnection.of(self._session), series_uuid, sort_order=sort_order, limit=limit,
            offset=offset, include_removed=include_removed,
        )  # fmt: skip

    async def map_by_positions(
        self, keys: Sequence[tuple[str, int]]
    ) -> dict[tuple[str, int], tables.ComicIssue]:
        """The issue at each (series uuid, position); the lowest uuid when several share a position."""
        return await issues_at_positions(await ReadConnection.of(self._session), keys)

    async def count_for_series(self, series_uuid: str) -> int:
        """All the series' issues, removed and blocked ones included (as the original)."""
        return (await self.map_counts_for_series([series_uuid]))[series_uuid]

    async def map_counts_for_series(self, series_uuids: Sequence[str]) -> dict[str, int]:
        """Issue count per series; every requested series is present (0 when it has none)."""
        return await issue_counts(await ReadConnection.of(self._session), series_uuids)


class ComicStoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_by_uuid(self, uuid: str) -> tables.ComicStory | None:
        return await self._session.get(Story, uuid)

    async def list_for_issue(
        self, issue_uuid: str, *, include_removed: bool = False
    ) -> list[tables.ComicStory]:
        """The issue's stories by position (removed ones, which have none, last when included)."""
        return (await self.map_for_issues([issue_uuid], include_removed=include_removed))[issue_uuid]

    async def map_for_issues(
        self, issue_uuids: Sequence[str], *, include_removed: bool = False
    ) -> dict[str, list[tables.ComicStory]]:
        """Stories per issue in position order; every requested issue is present (maybe empty)."""
        return await stories_of_issues(
            await ReadConnection.of(self._session), issue_uuids, include_removed=include_removed
        )


class StoryImageRepository:
    """Story image URLs to measure and the sizes measured."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def image_urls(self, story_uuids: Sequence[str]) -> dict[str, str]:
        """`base_url + story` of each live story that has both parts."""
        if not story_uuids:
            return {}
        statement = select(Story.uuid, Story.story_image).where(
            Story.uuid.in_(set(story_uuids)), is_live(Story.is_removed), _of_a_sizable_issue()
        )
        return {
            uuid: url for uuid, image in await self._session.execute(statement) if (url := _image_url(image))
        }

    async def unsized(self, after_id: int, limit: int) -> list[tuple[int, str, str]]:
        """(id, uuid, issue uuid) of live stories without a size whose images may be measured, in id
        order after `after_id`."""
        statement = (
            select(Story.id, Story.uuid, Story.issue_uuid)
            .where(
                Story.id > after_id, Story.width.is_(None), is_live(Story.is_removed), _of_a_sizable_issue()
            )
            .order_by(Story.id)
            .limit(limit)
        )
        return [
            (row_id, uuid, issue_uuid) for row_id, uuid, issue_uuid in await self._session.execute(statement)
        ]

    async def set_sizes(self, sizes: dict[str, tuple[int, int]]) -> None:
        """Store measured sizes; the stories count as updated (`updated_at`), like any other change."""
        if sizes:
            now = datetime.now(UTC)
            values = [
                {"uuid": uuid, "width": width, "height": height, "updated_at": now}
                for uuid, (width, height) in sizes.items()
            ]
            await self._session.execute(update(Story), values)


def _of_a_sizable_issue() -> ColumnElement[bool]:
    """Images of exclusive-content issues are never downloaded (nor measured)."""
    exclusive = select(Issue.uuid).where(
        Issue.uuid == Story.issue_uuid,
        func.coalesce(func.cardinality(Issue.scopes_for_exclusive_content), 0) > 0,
    )
    return ~exclusive.exists()


def _image_url(image: dict[str, object] | None) -> str | None:
    base, story = (image or {}).get("base_url"), (image or {}).get("story")
    return f"{base}{story}" if isinstance(base, str) and isinstance(story, str) and base and story else None


@cache
def _issues_of_series(sort_order: SortOrder, *, include_removed: bool) -> CompiledSelect:
    """A page of one series' issues (built once per variant)."""
    statement = select(*_ISSUE.columns).where(Issue.series_uuid == bindparam("series_uuid"))
    if not include_removed:
        statement = statement.where(is_live(Issue.is_removed))
    statement = statement.order_by(position_order(Issue.position, sort_order), Issue.uuid)
    return CompiledSelect(statement.limit(bindparam("limit")).offset(bindparam("offset")))


@cache
def _stories_of(include_removed: bool) -> WholeRows[tables.ComicStory]:
    """The stories of some issues, in order (built once per variant)."""
    return WholeRows(
        Story,
        "issue_uuid",
        where=() if include_removed else (is_live(Story.is_removed),),
        order_by=(Story.issue_uuid, Story.position.asc().nulls_last(), Story.uuid),
    )
