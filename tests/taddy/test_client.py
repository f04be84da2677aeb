"""The Taddy client against the fake Taddy server: headers, operations, errors, retries."""

from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

from inkverse.errors import ConfigurationError
from inkverse.settings import TaddySettings
from inkverse.taddy.client import TaddyApiError, TaddyClient, TaddyTransientError
from tests.fixtures.fake_taddy import API_KEY, USER_ID, FakeTaddy, serve_fake_taddy

SERIES = "6f1d2a3b-1111-4c2d-8e9f-0a1b2c3d4e5f"
ISSUES = [f"0b9f4c2e-7d1a-4a55-9a0e-{n:012d}" for n in range(30)]
CREATOR = "c0c0c0c0-2222-4c2d-8e9f-0a1b2c3d4e5f"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTaddy]:
    async for server in serve_fake_taddy():
        server.add_series(
            {
                "uuid": SERIES,
                "name": "The Lighthouse",
                "status": "ONGOING",
                "tags": ["sea"],
                "isBlocked": None,
            },
            issues=[
                {"uuid": uuid, "seriesUuid": SERIES, "name": f"Ep {i}", "stories": []}
                for i, uuid in enumerate(ISSUES)
            ],
            creators=[CREATOR],
        )
        server.add_creator({"uuid": CREATOR, "name": "Ada", "linksAsString": "[]"})
        yield server


@pytest.fixture
async def client(fake: FakeTaddy) -> AsyncIterator[TaddyClient]:
    settings = TaddySettings(api_url=fake.url, user_id=USER_ID, api_key=SecretStr(API_KEY))
    async with aiohttp.ClientSession() as http:
        yield TaddyClient(http, settings, backoff_seconds=0)


async def test_get_comic_series_sends_the_original_query(client: TaddyClient, fake: FakeTaddy) -> None:
    series = await client.get_comic_series(SERIES)
    assert series is not None
    assert series.uuid == SERIES
    assert series.total_issues_count == 30
    data = series.data()
    assert data["name"] == "The Lighthouse"
    assert data["tags"] == ["sea"]
    assert "query GetComicSeries($uuid: ID)" in fake.requests[0]["query"]
    assert fake.requests[0]["variables"] == {"uuid": SERIES}


async def test_unknown_uuid_is_none(client: TaddyClient) -> None:
    assert await client.get_comic_series("00000000-0000-4000-8000-000000000000") is None


async def test_graphql_error_raises_with_taddys_code(client: TaddyClient) -> None:
    with pytest.raises(TaddyApiError) as raised:
        await client.get_comic_issue("123")
    assert raised.value.code == "BAD_USER_INPUT"


async def test_wrong_key_is_api_key_invalid(fake: FakeTaddy) -> None:
    settings = TaddySettings(api_url=fake.url, user_id=USER_ID, api_key=SecretStr("nope"))
    async with aiohttp.ClientSession() as http:
        with pytest.raises(TaddyApiError) as raised:
            await TaddyClient(http, settings).get_creator(CREATOR)
    assert raised.value.code == "API_KEY_INVALID"


async def test_missing_credentials_name_the_settings() -> None:
    async with aiohttp.ClientSession() as http:
        with pytest.raises(ConfigurationError, match="TADDY_USER_ID"):
            await TaddyClient(http, TaddySettings()).get_creator(CREATOR)


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_transient_failures_are_retried(client: TaddyClient, fake: FakeTaddy, status: int) -> None:
    fake.fail_next(2, status=status)
    creator = await client.get_creator(CREATOR)
    assert creator is not None
    assert creator.name == "Ada"


async def test_persistent_failure_gives_up(client: TaddyClient, fake: FakeTaddy) -> None:
    fake.fail_next(10, status=502)
    with pytest.raises(TaddyTransientError, match="502"):
        await client.get_creator(CREATOR)
    assert not fake.requests  # every attempt hit the injected failure


async def test_issue_pages_of_25(client: TaddyClient) -> None:
    assert await client.get_issue_uuids(SERIES, 1) == ISSUES[:25]
    assert await client.get_issue_uuids(SERIES, 2) == ISSUES[25:]


async def test_creators_of_series(client: TaddyClient) -> None:
    [creator] = await client.get_creators_of_series(SERIES)
    assert creator.uuid == CREATOR


async def test_multiple_series_are_chunked_by_25(client: TaddyClient, fake: FakeTaddy) -> None:
    uuids = [SERIES] + [f"aaaaaaaa-0000-4000-8000-{n:012d}" for n in range(30)]
    found = await client.get_multiple_comic_series(uuids)
    assert [series.uuid for series in found] == [SERIES]
    assert [len(request["variables"]["uuids"]) for request in fake.requests] == [25, 6]


async def test_search_returns_series_uuids_in_order(client: TaddyClient) -> None:
    result = await client.search(term="light")
    assert result.search_id == "fake-search"
    assert [ref.uuid for ref in result.comic_series] == [SERIES]
