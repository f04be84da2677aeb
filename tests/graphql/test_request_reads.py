"""The per-request costs behind the uncached speed: one pooled connection per request, and each
distinct document parsed and validated once per process."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.database.base import Base
from inkverse.database.reads import WholeRows
from inkverse.database.rows import row_to_dict
from inkverse.graphql import documents
from tests.fixtures.catalog import EventApplier, StatementCounter
from tests.graphql.conftest import Query
from tests.graphql.seed import seed_creator, seed_series
from tests.graphql.validators.client_operations import CLIENT_OPERATIONS

OPERATIONS = {operation.name: operation.document for operation in CLIENT_OPERATIONS}


@contextmanager
def counted_checkouts(engine: AsyncEngine) -> Iterator[list[object]]:
    checkouts: list[object] = []

    def on_checkout(*_: object) -> None:
        checkouts.append(object())

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
                session, [*expected, "00000000-0000-0000-0000-000000000000"]
            )

    assert {row.uuid: row_to_dict(row) for row in rows} == expected  # type: ignore[attr-defined]
    assert counter.count == 1
