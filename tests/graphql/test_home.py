"""Home-screen lists, curated lists and trending (graphql.md §2.6), seeded with the editorial data."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.events import TaddyType
from inkverse.lists.editorial import load_editorial
from tests.fixtures.catalog import EventApplier
from tests.fixtures.taddy_payloads import issue_data, series_data
from tests.graphql.conftest import Query
from tests.graphql.seed import DAY, add_comment, like_issue, now, seed_series

EDITORIAL = load_editorial()
HOME_FIELDS = [
    "getRecentlyAddedComicSeries",
    "getRecentlyUpdatedComicSeries",
    "getMostPopularComicSeries",
    "getFeaturedComicSeries",
    "getCuratedLists",
]


def uuids(home_list: dict[str, Any]) -> list[str]:
    return [series["uuid"] for series in home_list["comicSeries"]]


async def add_series(events: EventApplier, uuid: str | None = None, **overrides: Any) -> str:
    series = series_data(uuid=uuid, **overrides)
    await events.created(TaddyType.COMICSERIES, series)
    return str(series["uuid"])


async def add_issue(events: EventApplier, series_uuid: str, date_published: int) -> str:
    issue = issue_data(series_uuid, datePublished=date_published, stories=1)
    await events.created(TaddyType.COMICISSUE, issue)
    return str(issue["uuid"])


HOME_QUERY = """query Home($p: Int, $l: Int) {{ {field}(page: $p, limitPerPage: $l) {{ id {selection} }} }}"""


def home_query(field: str) -> str:
    selection = "lists { id }" if field == "getCuratedLists" else "comicSeries { uuid }"
    return HOME_QUERY.format(field=field, selection=selection)


@pytest.mark.parametrize("field", HOME_FIELDS)
@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"p": 0}, "page must be between 1 and 8"),
        ({"p": 9}, "page must be between 1 and 8"),
        ({"p": None}, "page must be between 1 and 8"),
        ({"l": 0}, "limitPerPage must be between 1 and 25"),
        ({"l": 26}, "limitPerPage must be between 1 and 25"),
        ({"l": None}, "limitPerPage must be between 1 and 25"),
    ],
)
async def test_home_list_bounds(gql: Query, field: str, variables: dict[str, Any], message: str) -> None:
    body = await gql(home_query(field), **variables)
    assert body["errors"] == [{"message": message, "code": "BAD_USER_INPUT"}]
    assert body["data"] == {field: None}


@pytest.mark.parametrize("field", HOME_FIELDS)
async def test_home_list_extremes_are_accepted(gql: Query, field: str) -> None:
    body = await gql(home_query(field), p=8, l=25)
    assert "errors" not in body


async def test_recently_added_newest_first_without_blocked(gql: Query, events: EventApplier) -> None:
    first = await add_series(events, name="First")
    await add_series(events, name="Blocked", isBlocked=True)
    second = await add_series(events, name="Second")
    third = await add_series(events, name="Third")
    query = "query Q($p: Int, $l: Int) { getRecentlyAddedComicSeries(page: $p, limitPerPage: $l) { id comicSeries { uuid } } }"
    default = (await gql(query))["data"]["getRecentlyAddedComicSeries"]
    assert default["id"] == "recently-added"
    assert uuids(default) == [third, second, first]
    page_two = (await gql(query, p=2, l=2))["data"]["getRecentlyAddedComicSeries"]
    assert uuids(page_two) == [first]


async def test_recently_updated_by_newest_published_issue(gql: Query, events: EventApplier) -> None:
    """Series on the same recently-added page are left out: six newer series fill that page."""
    today = now()
    older = [await add_series(events, name=f"Older {n}") for n in range(4)]
    for index, days_ago in ((0, 3), (1, 1), (2, 2), (3, 10)):
        await add_issue(events, older[index], today - days_ago * DAY)
    await add_issue(events, older[3], today + 30 * DAY)  # not published yet: does not count
    blocked = await add_series(events, name="Blocked", isBlocked=True)
    await add_issue(events, blocked, today - DAY // 2)
    newer = [await add_series(events, name=f"Newer {n}") for n in range(6)]
    await add_issue(events, newer[0], today)
    query = "{ getRecentlyUpdatedComicSeries(limitPerPage: 6) { id comicSeries { uuid } } }"
    updated = (await gql(query))["data"]["getRecentlyUpdatedComicSeries"]
    assert updated["id"] == "recently-updated"
    assert uuids(updated) == [older[1], older[2], older[0], older[3]]
    again = (await gql(query))["data"]["getRecentlyUpdatedComicSeries"]
    assert uuids(again) == uuids(updated)


async def test_most_popular_follows_the_editorial_order(gql: Query, events: EventApplier) -> None:
    popular = EDITORIAL.most_popular_comic_series_uuids
    for uuid in (popular[5], popular[0], popular[3]):
        await add_series(events, uuid=uuid)
    query = "{ getMostPopularComicSeries(limitPerPage: 1) { id comicSeries { uuid } } }"
    body = (await gql(query))["data"]["getMostPopularComicSeries"]
    assert body["id"] == "most-popular"
    assert uuids(body) == [popular[0], popular[3], popular[5]]


async def test_featured_is_every_curated_series_once_in_list_order(gql: Query, events: EventApplier) -> None:
    featured = EDITORIAL.featured_series_uuids()
    in_two_lists = "a7046949-a79d-4471-b3e0-9c6df652b9c8"
    only_in_list_ten = EDITORIAL.list_by_id("10").comic_series_uuids[-1]  # type: ignore[union-attr]
    blocked = featured[4]
    for uuid in (only_in_list_ten, in_two_lists, blocked):
        await add_series(events, uuid=uuid, isBlocked=uuid == blocked)
    body = (await gql("{ getFeaturedComicSeries { id comicSeries { uuid } } }"))["data"][
        "getFeaturedComicSeries"
    ]
    assert body["id"] == "featured-comics"
    assert uuids(body) == sorted([only_in_list_ten, in_two_lists, blocked], key=featured.index)


async def test_curated_lists_in_the_home_screen_order_without_series(gql: Query, engine: object) -> None:
    query = "{ getCuratedLists { id lists { id name description bannerImageUrl type privacyType userId comicSeries { uuid } } } }"
    body = (await gql(query))["data"]["getCuratedLists"]
    assert body["id"] == "curated-lists"
    assert [item["id"] for item in body["lists"]] == ["4", "2", "3", "8", "10", "5", "6", "9", "7"]
    female_leads = body["lists"][0]
    assert female_leads == {
        "id": "4",
        "name": "Female Leads",
        "description": female_leads["description"],
        "bannerImageUrl": female_leads["bannerImageUrl"],
        "type": "COMICSERIES",
        "privacyType": "PUBLIC",
        "userId": "2",
        "comicSeries": None,
    }
    assert female_leads["bannerImageUrl"].startswith("https://ink0.inkverse.co/curated-lists/")


async def test_get_list_with_its_series_in_list_order(gql: Query, events: EventApplier) -> None:
    listed = EDITORIAL.list_by_id("1").comic_series_uuids  # type: ignore[union-attr]
    for uuid in (listed[2], listed[0]):
        await add_series(events, uuid=uuid)
    query = """query L($id: ID!) { getList(id: $id) {
      id name type privacyType userId createdAt tags genres language contentRating comicSeries { uuid } } }"""
    body = (await gql(query, id="1"))["data"]["getList"]
    assert body["name"] == "Most Recommended"
    assert [series["uuid"] for series in body["comicSeries"]] == [listed[0], listed[2]]
    assert [body[key] for key in ("createdAt", "tags", "genres", "language", "contentRating")] == [None] * 5
    assert (await gql(query, id="11"))["data"] == {"getList": None}


TRENDING = """query T($m: TrendingMetric, $p: TrendingPeriod, $l: Int, $page: Int) {
  getTrendingComicSeries(metric: $m, period: $p, limitPerPage: $l, page: $page) { id comicSeries { uuid } }
}"""


async def seed_trending(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> dict[str, str]:
    """A: 3 recent likes, 2 comments; B: 5 recent likes, 1 comment and 3 hidden; C: 7 likes a month ago;
    Blocked: 9 recent likes."""
    today = now()
    seeded = {name: await seed_series(events, issues=1, name=name, isBlocked=name == "Blocked")
              for name in ("A", "B", "C", "Blocked")}  # fmt: skip
    series = {name: value["series"]["uuid"] for name, value in seeded.items()}
    issue = {name: value["issues"][0]["uuid"] for name, value in seeded.items()}
    for name, count, age_days in (("A", 3, 1), ("B", 5, 2), ("C", 7, 30), ("Blocked", 9, 1)):
        await like_issue(sessionmaker, issue[name], series[name], count, today - age_days * DAY)
    for name, visible in (("A", True), ("A", True), ("B", True), ("B", False), ("B", False), ("B", False)):
        await add_comment(sessionmaker, user_id=1, issue_uuid=issue[name], series_uuid=series[name],
                          created_at=today - DAY, visible=visible)  # fmt: skip
    return series


async def test_trending_liked_and_discussed_in_their_windows(
    gql: Query, events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series = await seed_trending(events, sessionmaker)
    week = (await gql(TRENDING))["data"]["getTrendingComicSeries"]
    assert week["id"] == "trending-LIKED-WEEK"
    assert uuids(week) == [series["B"], series["A"]]
    month = (await gql(TRENDING, m="LIKED", p="MONTH"))["data"]["getTrendingComicSeries"]
    assert month["id"] == "trending-LIKED-MONTH"
    assert uuids(month) == [series["C"], series["B"], series["A"]]
    discussed = (await gql(TRENDING, m="DISCUSSED", p="WEEK"))["data"]["getTrendingComicSeries"]
    assert discussed["id"] == "trending-DISCUSSED-WEEK"
    assert uuids(discussed) == [series["A"], series["B"]]


async def test_trending_pages_before_dropping_blocked(
    gql: Query, events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series = await seed_trending(events, sessionmaker)
    first = (await gql(TRENDING, l=2, page=1))["data"]["getTrendingComicSeries"]
    assert uuids(first) == [series["B"]]
    second = (await gql(TRENDING, l=2, page=2))["data"]["getTrendingComicSeries"]
    assert uuids(second) == [series["A"]]


async def test_trending_null_arguments_take_the_defaults(gql: Query, engine: object) -> None:
    body = await gql(TRENDING, m=None, p=None, l=None, page=None)
    assert body == {"data": {"getTrendingComicSeries": {"id": "trending-LIKED-WEEK", "comicSeries": []}}}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"l": 26, "page": 9}, "limitPerPage must be between 1 and 25"),
        ({"l": 0}, "limitPerPage must be between 1 and 25"),
        ({"page": 9}, "page must be between 1 and 8"),
        ({"page": 0}, "page must be between 1 and 8"),
    ],
)
async def test_trending_bounds(gql: Query, engine: object, variables: dict[str, Any], message: str) -> None:
    body = await gql(TRENDING, **variables)
    assert body["errors"] == [{"message": message, "code": "BAD_USER_INPUT"}]
