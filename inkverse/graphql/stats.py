"""Like and comment counts of an issue and a series."""

import strawberry

from inkverse.comics.stats import ComicStatsRepository
from inkverse.graphql.context import Context
from inkverse.graphql.validation import validate_and_trim_uuid

Info = strawberry.Info[Context, None]


@strawberry.type
class ComicIssueStats:
    uuid: strawberry.ID
    like_count: int | None
    comment_count: int | None


@strawberry.type
class ComicSeriesStats:
    uuid: strawberry.ID
    like_count: int | None
    comment_count: int | None


@strawberry.type
class StatsQuery:
    @strawberry.field
    async def get_stats_for_comic_issue(
        self, info: Info, issue_uuid: strawberry.ID
    ) -> ComicIssueStats | None:
        uuid = validate_and_trim_uuid(issue_uuid, "issueUuid")
        async with info.context.read_session() as session:
            stats = ComicStatsRepository(session)
            likes = await stats.issue_like_count(uuid)
            comments = await stats.issue_comment_count(uuid)
        return ComicIssueStats(uuid=strawberry.ID(uuid), like_count=likes, comment_count=comments)

    @strawberry.field
    async def get_stats_for_comic_series(
        self, info: Info, series_uuid: strawberry.ID
    ) -> ComicSeriesStats | None:
        uuid = validate_and_trim_uuid(series_uuid, "seriesUuid")
        async with info.context.read_session() as session:
            stats = ComicStatsRepository(session)
            likes = await stats.series_like_count(uuid)
            comments = await stats.series_comment_count(uuid)
        return ComicSeriesStats(uuid=strawberry.ID(uuid), like_count=likes, comment_count=comments)
