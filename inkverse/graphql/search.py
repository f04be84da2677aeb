"""`search`: Taddy's search or our own catalogue's (`SEARCH_BACKEND`), series re-read from our catalog."""

import strawberry
from strawberry import UNSET

from inkverse.comics.search import MAX_LIMIT_PER_PAGE, MAX_PAGE, CatalogSearch, SearchCriteria
from inkverse.graphql.arguments import check_range, default_if_missing
from inkverse.graphql.context import Context
from inkverse.graphql.enums import Genre
from inkverse.graphql.types import ComicSeries, Creator

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
        no_tags: list[str | None] = []
        no_genres: list[Genre | None] = []
        criteria = SearchCriteria(
            term=default_if_missing(term, ""),
            page=check_range("page", default_if_missing(page, 1), 1, MAX_PAGE),
            limit=check_range("limitPerPage", default_if_missing(limit_per_page, 25), 1, MAX_LIMIT_PER_PAGE),
            types=tuple(kind for kind in default_if_missing(filter_for_types, DEFAULT_TYPES) if kind),
            tags=tuple(tag for tag in default_if_missing(filter_for_tags, no_tags) if tag),
            genres=tuple(genre.value for genre in default_if_missing(filter_for_genres, no_genres) if genre),
        )
        search = await info.context.container.get(CatalogSearch)
        answer = await search.search(criteria, info.context.session)
        if answer is None:
            return None
        rows = await info.context.loaders.series_by_uuid.load_many(answer.series_uuids)
        return SearchResults(
            search_id=strawberry.ID(answer.search_id),
            comic_series=[ComicSeries.from_row(row) for row in rows if row is not None],
            creators=None,
        )
