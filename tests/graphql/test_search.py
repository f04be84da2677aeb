"""`search`: Taddy's search results re-read from our catalog, against the fake Taddy API."""

from typing import Any

import pytest
from pydantic import SecretStr

from inkverse.settings import Settings
from inkverse.taddy.webhooks import TaddyType
from tests.fixtures.catalog import EventApplier
from tests.fixtures.fake_notion import FakeNotion
from tests.fixtures.fake_taddy import FakeTaddy
from tests.fixtures.taddy_payloads import series_data
from tests.graphql.conftest import Query, client_for, query_runner, with_fakes

SEARCH = """query Search($term: String, $page: Int, $limitPerPage: Int, $filterForTypes: [String],
                         $filterForTags: [String], $filterForGenres: [Genre]) {
  search(term: $term, page: $page, limitPerPage: $limitPerPage, filterForTypes: $filterForTypes,
         filterForTags: $filterForTags, filterForGenres: $filterForGenres) {
    searchId comicSeries { uuid name } creators { uuid }
  }
}"""


async def add_series(
    events: EventApplier, fake: FakeTaddy, name: str, *, local: bool = True
) -> dict[str, Any]:
    series = series_data(name=name)
    if local:
        await events.created(TaddyType.COMICSERIES, series)
    fake.add_series(series)
    return series


async def test_taddy_order_is_kept_and_unknown_series_dropped(
    wired_gql: Query, events: EventApplier, fake_taddy: FakeTaddy
) -> None:
    second = await add_series(events, fake_taddy, "Lighthouse at Dusk")
    await add_series(events, fake_taddy, "Lighthouse Unknown Here", local=False)
    first = await add_series(events, fake_taddy, "The Lighthouse Keeper")
    await add_series(events, fake_taddy, "Something Else")
    body = await wired_gql(SEARCH, term="lighthouse", limitPerPage=20, filterForTypes=["COMICSERIES"])
    assert body == {
        "data": {
            "search": {
                "searchId": "fake-search",
                "comicSeries": [
                    {"uuid": second["uuid"], "name": "Lighthouse at Dusk"},
                    {"uuid": first["uuid"], "name": "The Lighthouse Keeper"},
                ],
                "creators": None,
            }
        }
    }


async def test_omitted_arguments_take_the_reference_defaults(wired_gql: Query, fake_taddy: FakeTaddy) -> None:
    await wired_gql("{ search { searchId } }")
    [request] = fake_taddy.requests
    assert request["variables"] == {
        "term": "",
        "page": 1,
        "limitPerPage": 25,
        "filterForTypes": ["COMICSERIES"],
        "filterForTags": None,
        "filterForGenres": None,
    }


async def test_filters_are_forwarded(wired_gql: Query, fake_taddy: FakeTaddy) -> None:
    await wired_gql(
        SEARCH,
        term="",
        page=2,
        limitPerPage=30,
        filterForTags=["romance"],
        filterForGenres=["COMICSERIES_BL"],
    )
    variables = fake_taddy.requests[0]["variables"]
    assert variables["page"] == 2
    assert variables["limitPerPage"] == 30
    assert variables["filterForTags"] == ["romance"]
    assert variables["filterForGenres"] == ["COMICSERIES_BL"]


@pytest.mark.parametrize("failure", ["wrong key", "not configured"])
async def test_a_taddy_failure_makes_search_null(
    settings: Settings, engine: object, fake_taddy: FakeTaddy, fake_notion: FakeNotion, failure: str
) -> None:
    wired = with_fakes(settings, fake_taddy, fake_notion)
    taddy = (
        wired.taddy.model_copy(update={"api_key": SecretStr("wrong")})
        if failure == "wrong key"
        else wired.taddy.model_copy(update={"user_id": None, "api_key": None})
    )
    async with client_for(wired.model_copy(update={"taddy": taddy})) as http:
        body = await query_runner(http)(SEARCH, term="lighthouse")
    assert body == {"data": {"search": None}}


async def test_taddy_down_makes_search_null(wired_gql: Query, fake_taddy: FakeTaddy) -> None:
    fake_taddy.fail_next(10, status=503)
    body = await wired_gql(SEARCH, term="lighthouse")
    assert body == {"data": {"search": None}}
