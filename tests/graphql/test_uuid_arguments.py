"""Uuid arguments are case-insensitive: stored, cached and purged uuids are lower case."""

from tests.fixtures.catalog import EventApplier
from tests.graphql.conftest import Query
from tests.graphql.seed import seed_creator, seed_series


async def test_upper_case_uuids_find_the_catalog(gql: Query, events: EventApplier) -> None:
    seeded = await seed_series(events, issues=1)
    series_uuid = seeded["series"]["uuid"]
    issue = seeded["issues"][0]
    story_uuid = issue["stories"][0]["uuid"]
    creator_uuid = (await seed_creator(events, series_uuid))["creator"]["uuid"]
    query = """query Q($series: ID!, $issue: ID!, $story: ID!, $creator: ID!) {
        getComicSeries(uuid: $series) { uuid }
        getComicIssue(uuid: $issue, seriesUuid: $series) { uuid }
        getIssuesForComicSeries(seriesUuid: $series) { seriesUuid issues { uuid } }
        getComicStory(uuid: $story) { uuid }
        getCreator(uuid: $creator) { uuid }
        getStatsForComicSeries(seriesUuid: $series) { uuid }
    }"""
    upper = {"series": series_uuid.upper(), "issue": issue["uuid"].upper(), "story": story_uuid.upper(),
             "creator": f" {creator_uuid.upper()} "}  # fmt: skip
    body = await gql(query, **upper)
    assert "errors" not in body
    assert body["data"] == {
        "getComicSeries": {"uuid": series_uuid},
        "getComicIssue": {"uuid": issue["uuid"]},
        "getIssuesForComicSeries": {"seriesUuid": series_uuid, "issues": [{"uuid": issue["uuid"]}]},
        "getComicStory": {"uuid": story_uuid},
        "getCreator": {"uuid": creator_uuid},
        "getStatsForComicSeries": {"uuid": series_uuid},
    }
    # The upper-case read did not leave a negative cache entry behind for the lower-case one.
    lower = await gql(query, series=series_uuid, issue=issue["uuid"], story=story_uuid, creator=creator_uuid)
    assert lower["data"] == body["data"]


async def test_comment_targets_are_echoed_in_lower_case(gql: Query, events: EventApplier) -> None:
    issue_uuid = (await seed_series(events, issues=1))["issues"][0]["uuid"]
    body = await gql(
        """query Q($target: ID!) {
            getComments(targetUuid: $target, targetType: COMICISSUE) { targetUuid }
            getRepliesForComment(targetUuid: $target, targetType: COMICISSUE, commentUuid: $target) { targetUuid }
        }""",
        target=issue_uuid.upper(),
    )
    assert body["data"] == {
        "getComments": {"targetUuid": issue_uuid},
        "getRepliesForComment": {"targetUuid": issue_uuid},
    }
