"""`search`: a proxy to Taddy's search, with the series re-read from our own catalog."""

import strawberry
import structlog
from strawberry import UNSET

from inkverse.errors import InkverseError
from inkverse.graphql.arguments import default_if_missing
from inkverse.graphql.context import Context
from inkverse.graphql.enums import Genre
from inkverse.graphql.types import ComicSeries, Creator
from inkverse.taddy.client import TaddyClient

log = structlog.get_logger(__name__)
Info = strawberry.Info[Context, None]
DEFAULT_TYPES: list[str | None] = ["COMICSERIES"]


@strawberry.type
class SearchResults:
    search_id: strawberry.ID
    comic_series: list[ComicSeries | None] | None
    creators: list[Creator | None] | None


@strawberry.type
class SearchQuery:
    @strawberry.field
    async def search(
        self,
        info: Info,
        term: str | None = UNSET,
        page: int | None = UNSET,
        limit_per_page: int | None = UNSET,
        filter_for_types: list[str | None] | None = UNSET,
        filter_for_tags: list[str | None] | None = UNSET,
        filter_for_genres: list[Genre | None] | None = UNSET,
    ) -> SearchResults | None:
        client = await info.context.container.get(TaddyClient)
        no_tags: list[str | None] = []
        no_genres: list[Genre | None] = []
        types = default_if_missing(filter_for_types, DEFAULT_TYPES)
        tags = default_if_missing(filter_for_tags, no_tags)
        genres = default_if_missing(filter_for_genres, no_genres)
        try:
            result = await client.search(
                default_if_missing(term, ""),
                page=default_if_missing(page, 1),
                limit_per_page=default_if_missing(limit_per_page, 25),
                filter_for_types=[kind for kind in types if kind],
                filter_for_tags=[tag for tag in tags if tag] or None,
                filter_for_genres=[genre.value for genre in genres if genre] or None,
            )
        except InkverseError as exc:
            # The original answered null when Taddy failed; clients show "no results".
            log.warning("search.taddy_failed", error=str(exc))
            return None
        rows = await info.context.loaders.series_by_uuid.load_many([ref.uuid for ref in result.comic_series])
        return SearchResults(
            search_id=strawberry.ID(result.search_id or ""),
            comic_series=[ComicSeries.from_row(row) for row in rows if row is not None],
            creators=None,
        )
