"""Root fields of the comics catalog: series, issues, stories."""

import strawberry
from strawberry import UNSET

from inkverse.catalog.ordering import page_offset
from inkverse.comics.repository import ComicIssueRepository, ComicSeriesRepository, ComicStoryRepository
from inkverse.graphql.arguments import check_range, default_if_missing, default_if_omitted
from inkverse.graphql.context import Context
from inkverse.graphql.enums import SortOrder
from inkverse.graphql.types import ComicIssue, ComicIssueForSeries, ComicSeries, ComicStory
from inkverse.graphql.validation import validate_and_trim_uuid

Info = strawberry.Info[Context, None]

MAX_ISSUE_PAGE = 1000
MAX_ISSUES_PER_PAGE = 1000


@strawberry.type
class ComicsQuery:
    @strawberry.field
    async def get_comic_series(
        self, info: Info, uuid: strawberry.ID | None = UNSET, short_url: str | None = UNSET
    ) -> ComicSeries | None:
        if uuid:
            row = await info.context.loaders.series_by_uuid.load(validate_and_trim_uuid(uuid))
        elif short_url:
            async with info.context.read_session() as session:
                row = await ComicSeriesRepository(session).get_by_short_url(short_url)
        else:
            return None
        return ComicSeries.from_row(row) if row else None

    @strawberry.field
    async def get_comic_issue(
        self, info: Info, uuid: strawberry.ID, series_uuid: strawberry.ID
    ) -> ComicIssue | None:
        row = await info.context.loaders.issue_by_uuid.load(validate_and_trim_uuid(uuid))
        return ComicIssue.from_row(row) if row else None

    @strawberry.field
    async def get_issues_for_comic_series(
        self,
        info: Info,
        series_uuid: strawberry.ID,
        sort_order: SortOrder | None = UNSET,
        limit_per_page: int | None = UNSET,
        page: int | None = UNSET,
        include_removed_issues: bool | None = UNSET,
    ) -> ComicIssueForSeries | None:
        trimmed = validate_and_trim_uuid(series_uuid, "seriesUuid")
        current_page = check_range("page", default_if_omitted(page, 1), 1, MAX_ISSUE_PAGE)
        limit = check_range("limitPerPage", default_if_omitted(limit_per_page, 10), 1, MAX_ISSUES_PER_PAGE)
        order = default_if_missing(sort_order, SortOrder.LATEST)
        async with info.context.read_session() as session:
            rows = await ComicIssueRepository(session).list_for_series(
                trimmed,
                sort_order=order,
                limit=limit,
                offset=page_offset(current_page, limit),
                include_removed=bool(default_if_missing(include_removed_issues, False)),
            )
        return ComicIssueForSeries(
            series_uuid=strawberry.ID(trimmed), issues=[ComicIssue.from_row(r) for r in rows]
        )

    @strawberry.field
    async def get_comic_story(self, info: Info, uuid: strawberry.ID | None = UNSET) -> ComicStory | None:
        if not uuid:
            return None
        async with info.context.read_session() as session:
            row = await ComicStoryRepository(session).get_by_uuid(validate_and_trim_uuid(uuid))
        return ComicStory.from_row(row) if row else None
