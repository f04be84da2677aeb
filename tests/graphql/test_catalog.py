"""The public catalog over GraphQL against real PostgreSQL, seeded through the webhook writers."""

import json
from typing import Any

import pytest

from inkverse.catalog.events import TaddyType
from tests.fixtures.catalog import EventApplier
from tests.fixtures.taddy_payloads import (
    creatorcontent_data,
    issue_data,
    link,
    new_uuid,
    series_data,
    story_data,
)
from tests.graphql.conftest import Query
from tests.graphql.seed import seed_creator, seed_series

SERIES_FIELDS = """uuid name shortUrl status layoutType isBlocked sssUrl genre0 genre1 genre2 language
                   coverImageAsString tags issueCount"""


async def test_get_comic_series_by_uuid_and_short_url(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, name="The Lighthouse Keeper")
    uuid = seeded["series"]["uuid"]
    by_uuid = await gql(f'{{ getComicSeries(uuid: "{uuid}") {{ {SERIES_FIELDS} }} }}')
    series = by_uuid["data"]["getComicSeries"]
    assert series["name"] == "The Lighthouse Keeper"
    assert series["shortUrl"] == "the-lighthouse-keeper"
    assert series["issueCount"] == 3
    assert series["genre0"] == "COMICSERIES_DRAMA"
    assert series["layoutType"] == "VERTICAL_SCROLL_TOP_TO_BOTTOM"
    assert json.loads(series["coverImageAsString"])["cover_md"] == "cover-md.webp"
    by_short = await gql('{ getComicSeries(shortUrl: "the-lighthouse-keeper") { uuid } }')
    assert by_short["data"]["getComicSeries"]["uuid"] == uuid


async def test_blocked_series_hides_its_feed_url(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, issues=0, isBlocked=True)
    body = await gql(f'{{ getComicSeries(uuid: "{seeded["series"]["uuid"]}") {{ uuid isBlocked sssUrl }} }}')
    assert body["data"]["getComicSeries"] == {
        "uuid": seeded["series"]["uuid"],
        "isBlocked": True,
        "sssUrl": None,
    }


@pytest.mark.parametrize(
    "arguments", ["", 'uuid: "00000000-0000-4000-8000-000000000000"', 'shortUrl: "nope"']
)
async def test_missing_series_is_null(gql: Query, engine: object, arguments: str) -> None:
    query = f"{{ getComicSeries{f'({arguments})' if arguments else ''} {{ uuid }} }}"
    assert (await gql(query))["data"] == {"getComicSeries": None}


async def test_invalid_uuid_is_bad_user_input(gql: Query, engine: object) -> None:
    body = await gql('{ getComicSeries(uuid: "123") { uuid } }')
    assert body["errors"] == [{"message": "123 is not a valid uuid", "code": "BAD_USER_INPUT"}]


async def test_issues_for_series_ordering_paging_and_removed(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, issues=5)
    uuid = seeded["series"]["uuid"]
    removed = issue_data(uuid, position=5, isRemoved=True)
    await events.created(TaddyType.COMICISSUE, removed)
    query = """query Q($s: ID!, $o: SortOrder, $l: Int, $p: Int, $r: Boolean) {
      getIssuesForComicSeries(seriesUuid: $s, sortOrder: $o, limitPerPage: $l, page: $p, includeRemovedIssues: $r) {
        seriesUuid issues { uuid position }
      }
    }"""
    latest = (await gql(query, s=f"  {uuid} "))["data"]["getIssuesForComicSeries"]
    assert latest["seriesUuid"] == uuid
    assert [issue["position"] for issue in latest["issues"]] == [4, 3, 2, 1, 0]
    oldest = (await gql(query, s=uuid, o="OLDEST", l=2, p=2))["data"]["getIssuesForComicSeries"]
    assert [issue["position"] for issue in oldest["issues"]] == [2, 3]
    with_removed = (await gql(query, s=uuid, r=True))["data"]["getIssuesForComicSeries"]
    assert [issue["position"] for issue in with_removed["issues"]] == [5, 4, 3, 2, 1, 0]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"p": 0}, "page must be between 1 and 1000"),
        ({"l": 1001}, "limitPerPage must be between 1 and 1000"),
        ({"p": None}, "page must be between 1 and 1000"),
    ],
)
async def test_issue_paging_bounds(
    gql: Query, engine: object, variables: dict[str, Any], message: str
) -> None:
    query = """query Q($s: ID!, $l: Int, $p: Int) {
      getIssuesForComicSeries(seriesUuid: $s, limitPerPage: $l, page: $p) { seriesUuid }
    }"""
    body = await gql(query, s=new_uuid(), **variables)
    assert body["errors"] == [{"message": message, "code": "BAD_USER_INPUT"}]


async def test_issue_page_fields(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, issues=3)
    series_uuid = seeded["series"]["uuid"]
    middle = seeded["issues"][1]
    query = """query Q($u: ID!, $s: ID!) { getComicIssue(uuid: $u, seriesUuid: $s) {
      uuid name position stories { uuid issueUuid storyImageAsString }
      previewStoryImageUrls previousIssue { uuid position } nextIssue { uuid position }
      comicSeries { uuid name } dateExclusiveContentAvailable
    } }"""
    issue = (await gql(query, u=middle["uuid"], s=series_uuid))["data"]["getComicIssue"]
    assert issue["name"] == "Episode 2"
    assert [story["uuid"] for story in issue["stories"]] == [story["uuid"] for story in middle["stories"]]
    first_image = json.loads(middle["stories"][0]["storyImageAsString"])
    assert issue["previewStoryImageUrls"][0] == first_image["base_url"] + first_image["story"]
    assert issue["previousIssue"] == {"uuid": seeded["issues"][0]["uuid"], "position": 0}
    assert issue["nextIssue"] == {"uuid": seeded["issues"][2]["uuid"], "position": 2}
    assert issue["comicSeries"]["uuid"] == series_uuid


async def test_exclusive_date_is_served(gql: Query, events: EventApplier) -> None:
    series = series_data()
    await events.created(TaddyType.COMICSERIES, series)
    issue = issue_data(series["uuid"], position=0, scopesForExclusiveContent=["patreon"],
                       dateExclusiveContentIsAvailable=1800000000)  # fmt: skip
    await events.created(TaddyType.COMICISSUE, issue)
    query = f'{{ getComicIssue(uuid: "{issue["uuid"]}", seriesUuid: "{series["uuid"]}") {{ uuid dateExclusiveContentAvailable scopesForExclusiveContent }} }}'
    body = (await gql(query))["data"]["getComicIssue"]
    assert body["dateExclusiveContentAvailable"] == 1800000000
    assert body["scopesForExclusiveContent"] == ["patreon"]


async def test_comic_story(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, issues=1)
    story = seeded["issues"][0]["stories"][0]
    query = f'{{ getComicStory(uuid: "{story["uuid"]}") {{ uuid hash comicIssue {{ uuid }} comicSeries {{ uuid }} }} }}'
    body = (await gql(query))["data"]["getComicStory"]
    assert body["comicIssue"]["uuid"] == seeded["issues"][0]["uuid"]
    assert body["comicSeries"]["uuid"] == seeded["series"]["uuid"]


async def test_creator_page(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, issues=1)
    series_uuid = seeded["series"]["uuid"]
    links = [
        link("PATREON", "annexample", "https://patreon.com/"),
        link("MASTODON", "@ann", "https://mastodon.social/"),
        link("EMAIL", "ann@example.com", "mailto:"),
        link("WEBSITE", "ann.example.com", "https://"),
        link("NOT_A_NETWORK", "x", "https://"),
    ]
    made = await seed_creator(events, series_uuid, name="Ann Example", links=links)
    uuid = made["creator"]["uuid"]
    query = f"""{{ getCreator(uuid: "{uuid}") {{
      uuid name shortUrl links {{ type url }} content {{ uuid contentUuid contentType roles comicseries {{ uuid }} }}
      comics {{ uuid }} user {{ id }}
    }} }}"""
    creator = (await gql(query))["data"]["getCreator"]
    assert creator["shortUrl"] == "ann-example"
    assert creator["links"] == [
        {"type": "PATREON", "url": "https://patreon.com/annexample"},
        {"type": "MASTODON", "url": "https://mastodon.social/@ann"},
        {"type": "EMAIL", "url": "ann@example.com"},
        {"type": "WEBSITE", "url": "https://ann.example.com"},
    ]
    assert creator["content"][0]["contentUuid"] == series_uuid
    assert creator["content"][0]["contentType"] == "COMICSERIES"
    assert creator["content"][0]["comicseries"] == {"uuid": series_uuid}
    assert creator["comics"] == [{"uuid": series_uuid}]
    assert creator["user"] is None
    series = await gql(f'{{ getComicSeries(uuid: "{series_uuid}") {{ uuid creators {{ uuid name }} }} }}')
    assert series["data"]["getComicSeries"]["creators"] == [{"uuid": uuid, "name": "Ann Example"}]
    by_short = await gql('{ getCreator(shortUrl: "ann-example") { uuid } }')
    assert by_short["data"]["getCreator"]["uuid"] == uuid


async def test_creator_links_for_series_keep_unknown_types(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, issues=0)
    series_uuid = seeded["series"]["uuid"]
    made = await seed_creator(events, series_uuid, links=[link("PATREON", "ann", "https://patreon.com/")])
    query = f'{{ getCreatorLinksForSeries(seriesUuid: "{series_uuid}") {{ type url creatorUuid }} }}'
    links = (await gql(query))["data"]["getCreatorLinksForSeries"]
    assert links == [
        {"type": "PATREON", "url": "https://patreon.com/ann", "creatorUuid": made["creator"]["uuid"]}
    ]


async def test_creator_content_paging_bounds(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, issues=0)
    made = await seed_creator(events, seeded["series"]["uuid"])
    query = (
        f'{{ getCreator(uuid: "{made["creator"]["uuid"]}") {{ uuid content(limitPerPage: 26) {{ uuid }} }} }}'
    )
    body = await gql(query)
    assert body["errors"] == [{"message": "limitPerPage must be between 1 and 25", "code": "BAD_USER_INPUT"}]


async def test_get_creator_content(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, issues=0)
    made = await seed_creator(events, seeded["series"]["uuid"])
    query = f"""{{ getCreatorContent(creatorUuid: "{made["creator"]["uuid"]}",
                                     contentUuid: "{seeded["series"]["uuid"]}") {{ uuid position }} }}"""
    assert (await gql(query))["data"]["getCreatorContent"]["uuid"] == made["content"]["uuid"]
    assert (await gql("{ getCreatorContent { uuid } }"))["data"]["getCreatorContent"] is None


async def test_stats(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, issues=1)
    issue_uuid, series_uuid = seeded["issues"][0]["uuid"], seeded["series"]["uuid"]
    query = f"""{{ getStatsForComicIssue(issueUuid: "{issue_uuid}") {{ uuid likeCount commentCount }}
                  getStatsForComicSeries(seriesUuid: "{series_uuid}") {{ uuid likeCount commentCount }} }}"""
    body = (await gql(query))["data"]
    assert body["getStatsForComicIssue"] == {"uuid": issue_uuid, "likeCount": 0, "commentCount": 0}
    assert body["getStatsForComicSeries"] == {"uuid": series_uuid, "likeCount": 0, "commentCount": 0}


async def test_story_created_with_explicit_story_list(events: EventApplier, gql: Query) -> None:
    series = series_data()
    await events.created(TaddyType.COMICSERIES, series)
    issue_uuid = new_uuid()
    stories = [story_data(series["uuid"], issue_uuid) for _ in range(7)]
    await events.created(TaddyType.COMICISSUE, issue_data(series["uuid"], uuid=issue_uuid, stories=stories))
    body = await gql(
        f'{{ getComicIssue(uuid: "{issue_uuid}", seriesUuid: "{series["uuid"]}") {{ uuid previewStoryImageUrls }} }}'
    )
    assert len(body["data"]["getComicIssue"]["previewStoryImageUrls"]) == 5


async def test_creator_content_order_and_pages(gql: Query, events: EventApplier) -> None:
    first = await seed_series(events, issues=0)
    made = await seed_creator(events, first["series"]["uuid"])
    creator_uuid = made["creator"]["uuid"]
    series = [first["series"]["uuid"]]
    for position in (1, 2):
        other = await seed_series(events, issues=0, name=f"Series {position}")
        series.append(other["series"]["uuid"])
        content = creatorcontent_data(creator_uuid, other["series"]["uuid"], position=position)
        await events.created(TaddyType.CREATORCONTENT, content)
    query = """query C($uuid: ID!) { getCreator(uuid: $uuid) { uuid
      latest: content { uuid contentUuid position }
      oldest: content(sortOrder: OLDEST, limitPerPage: 2) { uuid contentUuid }
      second: content(sortOrder: OLDEST, limitPerPage: 2, page: 2) { uuid contentUuid }
      comics { uuid }
    } }"""
    creator = (await gql(query, uuid=creator_uuid))["data"]["getCreator"]
    assert [item["contentUuid"] for item in creator["latest"]] == series[::-1]
    assert [item["contentUuid"] for item in creator["oldest"]] == series[:2]
    assert [item["contentUuid"] for item in creator["second"]] == series[2:]
    assert [item["uuid"] for item in creator["comics"]] == series[::-1]
