"""The per-request costs behind the uncached speed: one pooled connection per request, and each
distinct document parsed and validated once per process."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.database.base import Base
from inkverse.database.reads import ReadConnection, WholeRows
from inkverse.database.rows import row_to_dict
from inkverse.graphql import documents
from tests.fixtures.catalog import EventApplier, StatementCounter
from tests.graphql.conftest import Query
from tests.graphql.seed import seed_creator, seed_series
from tests.graphql.validators.client_operations import CLIENT_OPERATIONS

OPERATIONS = {operation.name: operation.document for operation in CLIENT_OPERATIONS}


@contextmanager
def counted_checkouts(engine: AsyncEngine) -> Iterator[list[Any]]:
    """The DBAPI connections checked out while the block runs."""
    checkouts: list[Any] = []

    def on_checkout(dbapi_connection: Any, *_: object) -> None:
        checkouts.append(dbapi_connection)

    event.listen(engine.sync_engine.pool, "checkout", on_checkout)
    try:
        yield checkouts
    finally:
        event.remove(engine.sync_engine.pool, "checkout", on_checkout)


async def test_an_issue_page_reads_through_one_pooled_connection(
    gql: Query, engine: AsyncEngine, events: EventApplier
) -> None:
    seeded = await seed_series(events, issues=3)
    series_uuid = seeded["series"]["uuid"]
    await seed_creator(events, series_uuid)
    issue_uuid = seeded["issues"][1]["uuid"]

    with counted_checkouts(engine) as checkouts:
        body = await gql(OPERATIONS["GetComicIssue"], issueUuid=issue_uuid, seriesUuid=series_uuid)

    issue = body["data"]["getComicIssue"]
    assert issue["previousIssue"]["uuid"] == seeded["issues"][0]["uuid"]
    assert issue["nextIssue"]["uuid"] == seeded["issues"][2]["uuid"]
    assert len(issue["stories"]) == 2
    assert body["data"]["getComicSeries"]["creators"]
    # series, issue, stories, neighbours, creators, their users: six batches, one connection
    assert len(checkouts) == 1


async def test_orm_and_compiled_reads_share_the_connection_and_leave_it_transactional(
    gql: Query, engine: AsyncEngine, events: EventApplier
) -> None:
    """Readers through the ORM session and the loaders' compiled reads take turns on one connection,
    which goes back to the pool as it came: the next writer to get it runs in a transaction."""
    seeded = await seed_series(events, issues=1)
    series_uuid = seeded["series"]["uuid"]
    document = """query Both($uuid: ID) {
      getRecentlyAddedComicSeries { id comicSeries { uuid } }
      getComicSeries(uuid: $uuid) { uuid issueCount }
    }"""

    with counted_checkouts(engine) as checkouts:
        body = await gql(document, uuid=series_uuid)

    assert body["data"]["getComicSeries"] == {"uuid": series_uuid, "issueCount": 1}
    assert series_uuid in [
        item["uuid"] for item in body["data"]["getRecentlyAddedComicSeries"]["comicSeries"]
    ]
    assert len(checkouts) == 1
    assert checkouts[0].autocommit is False


async def test_a_document_is_validated_once_however_often_it_is_sent(
    gql: Query, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated: list[object] = []
    validate = documents.validate_document

    def counting_validate(*args: object) -> object:
        validated.append(args)
        return validate(*args)

    monkeypatch.setattr(documents, "validate_document", counting_validate)
    document = "query OnceOnly { __typename alias: __typename }"
    for _ in range(3):
        assert (await gql(document))["data"] == {"__typename": "Query", "alias": "Query"}
    assert len(validated) == 1


@pytest.mark.parametrize("model", [tables.ComicSeries, tables.ComicIssue, tables.ComicStory, tables.Creator])
async def test_rows_read_past_the_orm_equal_the_orm_rows(
    model: type[Base],
    events: EventApplier,
    engine: AsyncEngine,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Uuids as strings, JSON objects and arrays of them decoded, arrays, timestamps: as the ORM reads them."""
    seeded = await seed_series(events, issues=2)
    await seed_creator(events, seeded["series"]["uuid"])
    async with sessionmaker() as session:
        expected = {row.uuid: row_to_dict(row) for row in await session.scalars(select(model))}  # type: ignore[attr-defined]
    assert expected

    async with sessionmaker() as session:
        with StatementCounter(engine) as counter:
            rows = await WholeRows(model, "uuid").fetch(
                await ReadConnection.of(session), [*expected, "00000000-0000-0000-0000-000000000000"]
            )

    assert {row.uuid: row_to_dict(row) for row in rows} == expected  # type: ignore[attr-defined]
    assert counter.count == 1


async def test_directives_on_selections_follow_each_requests_variables(
    gql: Query, events: EventApplier
) -> None:
    """Collected fields are kept per document across requests only when no directive can change them."""
    seeded = await seed_series(events, issues=2)
    series_uuid = seeded["series"]["uuid"]
    document = """query Q($uuid: ID!, $withName: Boolean!) {
      getIssuesForComicSeries(seriesUuid: $uuid) { seriesUuid issues { uuid name @include(if: $withName) } }
    }"""

    with_names = await gql(document, uuid=series_uuid, withName=True)
    without_names = await gql(document, uuid=series_uuid, withName=False)

    named = with_names["data"]["getIssuesForComicSeries"]["issues"]
    bare = without_names["data"]["getIssuesForComicSeries"]["issues"]
    assert [set(issue) for issue in named] == [{"uuid", "name"}] * 2
    assert [set(issue) for issue in bare] == [{"uuid"}] * 2
    assert [issue["uuid"] for issue in bare] == [issue["uuid"] for issue in named]
