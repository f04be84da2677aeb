"""Home-screen lists and curated lists."""

import strawberry
from strawberry import UNSET

from inkverse.comics.discovery import ComicDiscovery
from inkverse.database import tables
from inkverse.graphql.arguments import check_range, default_if_missing, default_if_omitted
from inkverse.graphql.context import Context
from inkverse.graphql.enums import (
    ContentRating,
    Genre,
    Language,
    ListType,
    PrivacyType,
    TrendingMetric,
    TrendingPeriod,
)
from inkverse.graphql.types import ComicSeries
from inkverse.lists.editorial import CuratedList, EditorialData

Info = strawberry.Info[Context, None]

MAX_HOME_PAGE = 8
MAX_HOME_PER_PAGE = 25


@strawberry.type
class HomeScreenComicSeries:
    id: strawberry.ID | None
    comic_series: list[ComicSeries | None] | None


@strawberry.type(name="List")
class CuratedListType:
    id: strawberry.ID
    created_at: int | None
    name: str | None
    description: str | None
    banner_image_url: str | None
    type: ListType
    privacy_type: PrivacyType
    user_id: strawberry.ID
    comic_series: list[ComicSeries | None] | None
    tags: list[str | None] | None
    genres: list[Genre | None] | None
    language: Language | None
    content_rating: ContentRating | None

    @classmethod
    def from_data(cls, data: CuratedList, series: list[ComicSeries | None] | None) -> "CuratedListType":
        return cls(
            id=strawberry.ID(data.id),
            created_at=None,
            name=data.name,
            description=data.description,
            banner_image_url=data.banner_image_url,
            type=ListType(data.type),
            privacy_type=PrivacyType(data.privacy_type),
            user_id=strawberry.ID(str(data.user_id)),
            comic_series=series,
            tags=None,
            genres=None,
            language=None,
            content_rating=None,
        )


@strawberry.type
class HomeScreenCuratedList:
    id: strawberry.ID | None
    lists: list[CuratedListType | None] | None


def home_paging(page: int | None, limit_per_page: int | None) -> tuple[int, int]:
    current_page = check_range("page", default_if_omitted(page, 1), 1, MAX_HOME_PAGE)
    limit = check_range("limitPerPage", default_if_omitted(limit_per_page, 10), 1, MAX_HOME_PER_PAGE)
    return current_page, limit


def home_list(list_id: str, rows: list[tables.ComicSeries]) -> HomeScreenComicSeries:
    return HomeScreenComicSeries(
        id=strawberry.ID(list_id), comic_series=[ComicSeries.from_row(r) for r in rows]
    )


async def editorial(info: Info) -> EditorialData:
    return await info.context.container.get(EditorialData)


async def series_in_order(info: Info, uuids: list[str]) -> list[tables.ComicSeries]:
    rows = await info.context.loaders.series_by_uuid.load_many(uuids)
    return [row for row in rows if row is not None]


@strawberry.type
class HomeQuery:
    @strawberry.field
    async def get_recently_added_comic_series(
        self, info: Info, page: int | None = UNSET, limit_per_page: int | None = UNSET
    ) -> HomeScreenComicSeries | None:
        current_page, limit = home_paging(page, limit_per_page)
        async with info.context.read_session() as session:
            rows = await ComicDiscovery(session).recently_added(current_page, limit)
        return home_list("recently-added", rows)

    @strawberry.field
    async def get_recently_updated_comic_series(
        self, info: Info, page: int | None = UNSET, limit_per_page: int | None = UNSET
    ) -> HomeScreenComicSeries | None:
        current_page, limit = home_paging(page, limit_per_page)
        async with info.context.read_session() as session:
            rows = await ComicDiscovery(session).recently_updated(current_page, limit)
        return home_list("recently-updated", rows)

    @strawberry.field
    async def get_most_popular_comic_series(
        self, info: Info, page: int | None = UNSET, limit_per_page: int | None = UNSET
    ) -> HomeScreenComicSeries | None:
        home_paging(page, limit_per_page)
        uuids = (await editorial(info)).most_popular_comic_series_uuids
        return home_list("most-popular", await series_in_order(info, uuids))

    @strawberry.field
    async def get_featured_comic_series(
        self, info: Info, page: int | None = UNSET, limit_per_page: int | None = UNSET
    ) -> HomeScreenComicSeries | None:
        home_paging(page, limit_per_page)
        uuids = (await editorial(info)).featured_series_uuids()
        return home_list("featured-comics", await series_in_order(info, uuids))

    @strawberry.field
    async def get_curated_lists(
        self, info: Info, page: int | None = UNSET, limit_per_page: int | None = UNSET
    ) -> HomeScreenCuratedList | None:
        home_paging(page, limit_per_page)
        lists = (await editorial(info)).home_screen_lists()
        return HomeScreenCuratedList(
            id=strawberry.ID("curated-lists"), lists=[CuratedListType.from_data(item, None) for item in lists]
        )

    @strawberry.field
    async def get_trending_comic_series(
        self,
        info: Info,
        metric: TrendingMetric | None = UNSET,
        period: TrendingPeriod | None = UNSET,
        limit_per_page: int | None = UNSET,
        page: int | None = UNSET,
    ) -> HomeScreenComicSeries | None:
        chosen_metric = default_if_missing(metric, TrendingMetric.LIKED)
        chosen_period = default_if_missing(period, TrendingPeriod.WEEK)
        limit = check_range("limitPerPage", default_if_missing(limit_per_page, 6), 1, MAX_HOME_PER_PAGE)
        current_page = check_range("page", default_if_missing(page, 1), 1, MAX_HOME_PAGE)
        async with info.context.read_session() as session:
            rows = await ComicDiscovery(session).trending(chosen_metric, chosen_period, current_page, limit)
        return home_list(f"trending-{chosen_metric.value}-{chosen_period.value}", rows)

    @strawberry.field
    async def get_list(self, info: Info, id: strawberry.ID) -> CuratedListType | None:  # noqa: A002 - contract
        data = (await editorial(info)).list_by_id(str(id))
        if data is None:
            return None
        rows = await series_in_order(info, data.comic_series_uuids)
        return CuratedListType.from_data(data, [ComicSeries.from_row(row) for row in rows])
