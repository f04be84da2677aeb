"""`search`: Taddy's search (against the fake Taddy API) and our own catalogue search, and the choice."""

import asyncio
from typing import Any

import pytest
from dishka import AsyncContainer
from pydantic import SecretStr

from inkverse.catalog.events import TaddyType
from inkverse.settings import SearchSettings, Settings
from inkverse.taddy.processing import WebhookProcessor
from inkverse.taddy.webhooks import TaddyWebhook
from tests.fixtures.catalog import EventApplier
from tests.fixtures.fake_notion import FakeNotion
from tests.fixtures.fake_taddy import FakeTaddy
from tests.fixtures.taddy_payloads import creator_data, creatorcontent_data, series_data
from tests.graphql.conftest import Query, client_for, query_runner, with_fakes
from tests.graphql.validators.client_operations import CLIENT_OPERATIONS

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
        limitPerPage=20,
        filterForTags=["romance"],
        filterForGenres=["COMICSERIES_BL"],
    )
    variables = fake_taddy.requests[0]["variables"]
    assert variables["page"] == 2
    assert variables["limitPerPage"] == 20
    assert variables["filterForTags"] == ["romance"]
    assert variables["filterForGenres"] == ["COMICSERIES_BL"]


# --- Our own catalogue search: no Taddy credentials in the default settings, so `auto` answers locally.

HORROR, FANTASY, DRAMA = "COMICSERIES_HORROR", "COMICSERIES_FANTASY", "COMICSERIES_DRAMA"


def found(body: dict[str, Any]) -> list[str]:
    return [series["name"] for series in body["data"]["search"]["comicSeries"]]


async def local_series(events: EventApplier, name: str, **fields: Any) -> dict[str, Any]:
    series = series_data(
        name=name, **{"description": "A quiet story.", "tags": [], "genres": [DRAMA], **fields}
    )
    await events.created(TaddyType.COMICSERIES, series)
    return series


@pytest.fixture
async def shelf(events: EventApplier) -> dict[str, dict[str, Any]]:
    return {
        "keeper": await local_series(events, "The Lighthouse Keeper", tags=["Dark Fantasy", "sea"],
                                     genres=[FANTASY, DRAMA], datePublished=300),
        "night": await local_series(events, "Night Shift", tags=["horror"], genres=[HORROR],
                                    description="A lighthouse keeper hears knocking.", datePublished=200),
        "cafe": await local_series(events, "Café Ángel", tags=["DarkFantasy"], genres=[DRAMA, HORROR],
                                   datePublished=100),
    }  # fmt: skip


async def test_a_term_matches_names_first_then_descriptions(gql: Query, shelf: dict[str, Any]) -> None:
    body = await gql(SEARCH, term="lighthouse keeper")
    assert found(body) == ["The Lighthouse Keeper", "Night Shift"]


async def test_the_last_word_matches_as_a_prefix(gql: Query, shelf: dict[str, Any]) -> None:
    assert found(await gql(SEARCH, term="the lightho")) == ["The Lighthouse Keeper"]
    assert found(await gql(SEARCH, term="lightho the")) == []


async def test_case_and_accents_are_ignored_both_ways(gql: Query, shelf: dict[str, Any]) -> None:
    assert found(await gql(SEARCH, term="CAFE angel")) == ["Café Ángel"]
    assert found(await gql(SEARCH, term="nïght shíft")) == ["Night Shift"]


async def test_tags_match_any_of_them_case_insensitively(gql: Query, shelf: dict[str, Any]) -> None:
    body = await gql(SEARCH, term="", filterForTags=["dark fantasy", "darkfantasy"])
    assert found(body) == ["The Lighthouse Keeper", "Café Ángel"]  # newest first without a term


async def test_genres_match_any_of_the_three_columns(gql: Query, shelf: dict[str, Any]) -> None:
    assert found(await gql(SEARCH, term="", filterForGenres=[HORROR])) == ["Night Shift", "Café Ángel"]
    assert found(await gql(SEARCH, filterForGenres=[FANTASY])) == ["The Lighthouse Keeper"]


async def test_filters_and_term_combine(gql: Query, shelf: dict[str, Any]) -> None:
    body = await gql(SEARCH, term="keeper", filterForTags=["horror"], filterForGenres=[HORROR])
    assert found(body) == ["Night Shift"]
    assert found(await gql(SEARCH, term="keeper", filterForGenres=[DRAMA])) == ["The Lighthouse Keeper"]
    assert found(await gql(SEARCH, term="cafe", filterForTags=["sea"])) == []


async def test_creator_names_are_searchable(gql: Query, events: EventApplier, shelf: dict[str, Any]) -> None:
    creator = creator_data(name="Zoë Ångström")
    await events.created(TaddyType.CREATOR, creator)
    await events.created(
        TaddyType.CREATORCONTENT, creatorcontent_data(creator["uuid"], shelf["night"]["uuid"])
    )
    assert found(await gql(SEARCH, term="zoe angstrom")) == ["Night Shift"]


async def test_paging_within_the_bounds(gql: Query, shelf: dict[str, Any]) -> None:
    pages = [found(await gql(SEARCH, filterForTags=["dark fantasy", "darkfantasy"], page=page, limitPerPage=1))
             for page in (1, 2, 3)]  # fmt: skip
    assert pages == [["The Lighthouse Keeper"], ["Café Ángel"], []]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"page": 0}, "page must be between 1 and 20"),
        ({"page": 21}, "page must be between 1 and 20"),
        ({"limitPerPage": 0}, "limitPerPage must be between 1 and 25"),
        ({"limitPerPage": 26}, "limitPerPage must be between 1 and 25"),
    ],
)
async def test_paging_out_of_bounds_is_bad_user_input(
    gql: Query, variables: dict[str, int], message: str
) -> None:
    body = await gql(SEARCH, term="keeper", **variables)
    assert body["errors"] == [{"message": message, "code": "BAD_USER_INPUT"}]
    assert body["data"] == {"search": None}


async def test_blocked_series_are_never_returned(
    gql: Query, events: EventApplier, shelf: dict[str, Any]
) -> None:
    await local_series(events, "Lighthouse Banned", isBlocked=True)
    assert found(await gql(SEARCH, term="lighthouse")) == ["The Lighthouse Keeper", "Night Shift"]


async def test_nothing_matching_is_an_empty_list_with_a_stable_search_id(
    gql: Query, shelf: dict[str, Any]
) -> None:
    first = await gql(SEARCH, term="submarine")
    again = await gql(SEARCH, term="Submarine")
    other = await gql(SEARCH, term="submarines")
    assert first["data"]["search"]["comicSeries"] == []
    assert first["data"]["search"]["searchId"] == again["data"]["search"]["searchId"]
    assert first["data"]["search"]["searchId"] != other["data"]["search"]["searchId"]
    assert (await gql(SEARCH, term="keeper", filterForTypes=["CREATOR"]))["data"]["search"][
        "comicSeries"
    ] == []


async def test_a_webhook_update_shows_in_the_next_search(
    gql: Query, container: AsyncContainer, shelf: dict[str, Any]
) -> None:
    """Through the worker's processor, which purges the cached search responses holding the series."""
    processor = await container.get(WebhookProcessor)
    assert found(await gql(SEARCH, term="keeper")) == ["The Lighthouse Keeper", "Night Shift"]
    renamed = {**shelf["keeper"], "name": "Nebula Runner", "description": "Space.", "tags": ["space"]}
    await processor.process(webhook("comicseries", "updated", renamed))
    assert found(await gql(SEARCH, term="keeper")) == ["Night Shift"]
    assert found(await gql(SEARCH, term="nebula")) == ["Nebula Runner"]
    await processor.process(webhook("comicseries", "deleted", {"uuid": shelf["night"]["uuid"]}))
    assert found(await gql(SEARCH, term="keeper")) == []


def webhook(taddy_type: str, action: str, data: dict[str, Any]) -> TaddyWebhook:
    return TaddyWebhook.model_validate(
        {"uuid": data["uuid"], "taddyType": taddy_type, "action": action, "timestamp": 200, "data": data}
    )


async def test_the_website_search_operation_answers_without_taddy(gql: Query, shelf: dict[str, Any]) -> None:
    [operation] = [operation for operation in CLIENT_OPERATIONS if operation.name == "Search"]
    body = await gql(operation.document, term="", filterForTags=["dark fantasy", "darkfantasy"])
    assert "errors" not in body
    assert [series["name"] for series in body["data"]["search"]["comicSeries"]] == [
        "The Lighthouse Keeper",
        "Café Ángel",
    ]


# --- The choice between Taddy and the local search.


def fake_taddy_settings(
    settings: Settings, fake_taddy: FakeTaddy, fake_notion: FakeNotion, **search: Any
) -> Settings:
    wired = with_fakes(settings, fake_taddy, fake_notion)
    return wired.model_copy(update={"search": SearchSettings(**search)})


async def test_taddy_down_gives_the_local_answer(
    wired_gql: Query, fake_taddy: FakeTaddy, events: EventApplier
) -> None:
    await add_series(events, fake_taddy, "Lighthouse at Dusk")
    fake_taddy.fail_next(10, status=503)
    body = await wired_gql(SEARCH, term="dusk")
    assert found(body) == ["Lighthouse at Dusk"]
    assert body["data"]["search"]["searchId"] != "fake-search"


async def test_a_taddy_refusing_the_key_gives_the_local_answer(
    settings: Settings, engine: object, fake_taddy: FakeTaddy, fake_notion: FakeNotion, events: EventApplier
) -> None:
    await add_series(events, fake_taddy, "Lighthouse at Dusk")
    wired = with_fakes(settings, fake_taddy, fake_notion)
    wrong_key = wired.model_copy(update={"taddy": wired.taddy.model_copy(update={"api_key": SecretStr("x")})})
    async with client_for(wrong_key) as http:
        body = await query_runner(http)(SEARCH, term="dusk")
    assert found(body) == ["Lighthouse at Dusk"]


async def test_a_slow_taddy_gives_the_local_answer_after_the_timeout(
    settings: Settings, engine: object, fake_taddy: FakeTaddy, fake_notion: FakeNotion, events: EventApplier
) -> None:
    await add_series(events, fake_taddy, "Lighthouse at Dusk")
    fake_taddy.stall = asyncio.Event()  # Taddy never answers; released when the fake stops
    async with client_for(
        fake_taddy_settings(settings, fake_taddy, fake_notion, taddy_timeout_seconds=0.2)
    ) as http:
        body = await query_runner(http)(SEARCH, term="dusk")
    assert found(body) == ["Lighthouse at Dusk"]
    assert body["data"]["search"]["searchId"] != "fake-search"


async def test_backend_taddy_keeps_the_original_null_on_failure(
    settings: Settings, engine: object, fake_taddy: FakeTaddy, fake_notion: FakeNotion, events: EventApplier
) -> None:
    await add_series(events, fake_taddy, "Lighthouse at Dusk")
    fake_taddy.fail_next(10, status=503)
    async with client_for(fake_taddy_settings(settings, fake_taddy, fake_notion, backend="taddy")) as http:
        body = await query_runner(http)(SEARCH, term="dusk")
    assert body == {"data": {"search": None}}


async def test_backend_local_never_asks_taddy(
    settings: Settings, engine: object, fake_taddy: FakeTaddy, fake_notion: FakeNotion, events: EventApplier
) -> None:
    await add_series(events, fake_taddy, "Lighthouse at Dusk")
    async with client_for(fake_taddy_settings(settings, fake_taddy, fake_notion, backend="local")) as http:
        body = await query_runner(http)(SEARCH, term="dusk")
    assert found(body) == ["Lighthouse at Dusk"]
    assert fake_taddy.requests == []
