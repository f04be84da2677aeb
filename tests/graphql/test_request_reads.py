"""The per-request costs behind the uncached speed: one pooled connection per request, and each
distinct document parsed and validated once per process."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from inkverse.graphql import documents
from tests.fixtures.catalog import EventApplier
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
