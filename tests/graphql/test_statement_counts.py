"""No N+1: a page costs a fixed number of SQL statements whatever the number of issues or series.

The series page is the real `GetComicSeries` operation with `limitPerPageForIssues: 1000`; the counts
are compared between a series with 10 issues and one with 1,000 (each with two stories).
"""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.catalog.events import TaddyType
from tests.fixtures.catalog import EventApplier, StatementCounter
from tests.fixtures.taddy_payloads import creatorcontent_data
from tests.graphql.conftest import Query
from tests.graphql.seed import add_user, bulk_issues, seed_creator, seed_series
from tests.graphql.validators.client_operations import CLIENT_OPERATIONS

OPERATIONS = {operation.name: operation.document for operation in CLIENT_OPERATIONS}
SERIES_PAGE_STATEMENTS = 5  # series, its creators, their users, issue count, the page of issues
CREATOR_PAGE_STATEMENTS = 2  # creator; the series of its first content page, with the page

ISSUES_WITH_RELATIONS = """query Q($uuid: ID!) {
  getIssuesForComicSeries(seriesUuid: $uuid, limitPerPage: 1000) {
    seriesUuid
    issues { uuid stories { uuid } previewStoryImageUrls previousIssue { uuid } nextIssue { uuid }
             comicSeries { uuid } }
  }
}"""


async def series_with_issues(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession], issues: int
) -> str:
    seeded = await seed_series(events, issues=0)
    series_uuid: str = seeded["series"]["uuid"]
    made = await seed_creator(events, series_uuid)
    await add_user(sessionmaker, f"creator{issues}", creator_uuid=made["creator"]["uuid"])
    await bulk_issues(sessionmaker, series_uuid, issues)
    return series_uuid


async def statements(
    engine: AsyncEngine, gql: Query, query: str, **variables: Any
) -> tuple[int, dict[str, Any]]:
    """The statements one request sends (a cold request: the seeding already opened the connections)."""
    with StatementCounter(engine) as counter:
        body = await gql(query, **variables)
    assert "errors" not in body, body
    return counter.count, body


async def test_series_page_is_a_constant_number_of_statements(
    gql: Query, engine: AsyncEngine, events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    counts = {}
    for size in (10, 1000):
        series_uuid = await series_with_issues(events, sessionmaker, size)
        counts[size], body = await statements(
            engine, gql, OPERATIONS["GetComicSeries"], uuid=series_uuid, sortOrderForIssues="OLDEST",
            limitPerPageForIssues=1000, pageForIssues=1,
        )  # fmt: skip
        assert len(body["data"]["getIssuesForComicSeries"]["issues"]) == size
        assert body["data"]["getComicSeries"]["creators"][0]["user"] is not None
    assert counts == {10: SERIES_PAGE_STATEMENTS, 1000: SERIES_PAGE_STATEMENTS}


async def test_issue_relations_are_batched(
    gql: Query, engine: AsyncEngine, events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    counts = {}
    for size in (10, 1000):
        series_uuid = await series_with_issues(events, sessionmaker, size)
        counts[size], body = await statements(engine, gql, ISSUES_WITH_RELATIONS, uuid=series_uuid)
        issues = body["data"]["getIssuesForComicSeries"]["issues"]
        assert issues[1]["previousIssue"]["uuid"] == issues[2]["uuid"]  # newest first
        assert issues[1]["nextIssue"]["uuid"] == issues[0]["uuid"]
        assert len(issues[1]["stories"]) == 2
    # the issues, their stories, the neighbours by position, the series
    assert counts == {10: 4, 1000: 4}


async def test_issue_page_is_a_constant_number_of_statements(
    gql: Query, engine: AsyncEngine, events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series_uuid = await series_with_issues(events, sessionmaker, 30)
    body = await gql(OPERATIONS["GetComicSeries"], uuid=series_uuid, limitPerPageForIssues=1000)
    issue_uuid = body["data"]["getIssuesForComicSeries"]["issues"][10]["uuid"]
    count, _ = await statements(
        engine, gql, OPERATIONS["GetComicIssue"], issueUuid=issue_uuid, seriesUuid=series_uuid
    )
    # issue; its stories, neighbours, creators and issue count; creators' users. The series row comes
    # from the cache-aside layer, filled by the series page just read.
    assert count == 6


@pytest.mark.parametrize("series_count", [1, 10])
async def test_creator_page_is_a_constant_number_of_statements(
    gql: Query, engine: AsyncEngine, events: EventApplier, series_count: int
) -> None:
    first = await seed_series(events, issues=0)
    made = await seed_creator(events, first["series"]["uuid"])
    creator_uuid = made["creator"]["uuid"]
    for position in range(1, series_count):
        other = await seed_series(events, issues=0, name=f"Series {position}")
        content = creatorcontent_data(creator_uuid, other["series"]["uuid"], position=position)
        await events.created(TaddyType.CREATORCONTENT, content)
    count, body = await statements(engine, gql, OPERATIONS["GetCreator"], uuid=creator_uuid)
    assert len(body["data"]["getCreator"]["comics"]) == series_count
    assert count == CREATOR_PAGE_STATEMENTS
