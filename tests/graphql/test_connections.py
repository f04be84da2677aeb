"""Bluesky, Patreon and hosting-provider tokens over HTTP with a signed-in reader, against real PostgreSQL
and Redis, the fake Bluesky PDS and the fake Taddy (graphql.md §2.6, §2.7)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.settings import Settings
from inkverse.users.tokens import TokenService, TokenType
from tests.fixtures.catalog import EventApplier
from tests.fixtures.fake_bluesky import FakeBluesky
from tests.fixtures.fake_notion import FakeNotion
from tests.fixtures.fake_taddy import HOSTING_PROVIDER_UUID, FakeTaddy
from tests.fixtures.taddy_payloads import link
from tests.graphql.conftest import URL, client_for, with_bluesky, with_fakes
from tests.graphql.seed import add_oauth_token, add_user, seed_creator, seed_series

PROFILE = "query GetBlueskyProfile($handle: String!) { getBlueskyProfile(handle: $handle) { did handle displayName avatar description } }"
FROM_BLUESKY = "query { getComicsFromBlueskyCreators { uuid name } }"
FROM_PATREON = "query { getComicsFromPatreonCreators { uuid name } }"
SAVE_DID = "mutation SaveBlueskyDid($did: String!) { saveBlueskyDid(did: $did) { id blueskyDid } }"
ONE_TOKEN = """mutation FetchRefreshTokenForHostingProvider($hostingProviderUuid: String!) {
  fetchRefreshTokenForHostingProvider(hostingProviderUuid: $hostingProviderUuid)
}"""
ALL_TOKENS = "mutation { fetchAllHostingProviderTokens }"
PROFILE_NOT_FOUND = (
    "Error getting Bluesky profile. Make sure you use your handle (ex: bsky.app/profile/yourhandle)"
)
OTHER_PROVIDER = "0b6f2a4e-52d8-4c3f-9a1e-7d5c3b2a1f00"
Sessionmaker = async_sessionmaker[AsyncSession]


class Reader:
    """POSTs GraphQL as the signed-in reader (or anonymously) and returns the JSON body."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self._http = http
        self._token = token

    async def ask(self, query: str, *, anonymous: bool = False, **variables: Any) -> dict[str, Any]:
        headers = {} if anonymous else {"Authorization": f"Bearer {self._token}"}
        response = await self._http.post(URL, json={"query": query, "variables": variables}, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(error["code"], error["message"]) for error in body.get("errors", [])]


def names(body: dict[str, Any], field: str) -> list[str]:
    return [series["name"] for series in body["data"][field]]


@pytest.fixture
async def user(sessionmaker: Sessionmaker) -> tables.User:
    return await add_user(sessionmaker, "reader")


@pytest.fixture
async def reader(wired_client: httpx.AsyncClient, container: AsyncContainer, user: tables.User) -> Reader:
    tokens = await container.get(TokenService)
    return Reader(wired_client, tokens.issue(user.id, TokenType.ACCESS))


@pytest.fixture
async def creators(events: EventApplier) -> None:
    """Ann (Bluesky `ann.example.com`, Patreon `annexample`) and Bob (Bluesky `bob.example.com`)."""
    lighthouse = await seed_series(events, issues=1, name="The Lighthouse Keeper")
    await seed_creator(events, lighthouse["series"]["uuid"], name="Ann Example")
    tides = await seed_series(events, issues=1, name="Tides")
    bob_links = [link("BLUESKY", "bob.example.com", "https://bsky.app/profile/")]
    await seed_creator(events, tides["series"]["uuid"], name="Bob Example", links=bob_links)


async def test_a_bluesky_profile_is_found_by_handle_however_it_is_written(
    reader: Reader, fake_bluesky: FakeBluesky
) -> None:
    ann = fake_bluesky.add_profile("ann.example.com", "Ann Example", avatar="https://cdn.example/ann.jpg",
                                   description="")  # fmt: skip
    expected = {
        "did": ann["did"],
        "handle": "ann.example.com",
        "displayName": "Ann Example",
        "avatar": "https://cdn.example/ann.jpg",
        "description": None,
    }
    for written in ("ann.example.com", " @ann.example.com", "bsky.app/profile/ann.example.com",
                    "https://bsky.app/profile/ann.example.com/", "profile/ann.example.com"):  # fmt: skip
        body = await reader.ask(PROFILE, handle=written)
        assert body == {"data": {"getBlueskyProfile": expected}}, written


async def test_bluesky_profile_errors(reader: Reader, fake_bluesky: FakeBluesky) -> None:
    anonymous = await reader.ask(PROFILE, anonymous=True, handle="ann.example.com")
    assert errors(anonymous) == [
        ("REQUIRES_USER_AUTHENTICATION", "You must be logged in to get your Bluesky profile")
    ]
    assert errors(await reader.ask(PROFILE, handle="   ")) == [
        ("BAD_USER_INPUT", "Bluesky handle cannot be empty")
    ]
    assert errors(await reader.ask(PROFILE, handle="nobody.example.com")) == [
        ("BAD_USER_INPUT", PROFILE_NOT_FOUND)
    ]
    assert errors(await reader.ask(PROFILE, handle="@")) == [("BAD_USER_INPUT", PROFILE_NOT_FOUND)]
    assert fake_bluesky.method_names().count("app.bsky.actor.getProfile") == 1  # never asked for ""


@pytest.mark.usefixtures("creators")
async def test_save_the_did_then_get_the_comics_of_the_creators_followed_on_bluesky(
    reader: Reader, fake_bluesky: FakeBluesky, sessionmaker: Sessionmaker, user: tables.User
) -> None:
    me = fake_bluesky.add_profile("reader.example.com")
    strangers = [fake_bluesky.add_profile(f"stranger{n}.example.com")["did"] for n in range(150)]
    ann = fake_bluesky.add_profile("ann.example.com")["did"]
    fake_bluesky.follow(me["did"], [*strangers, ann])  # Ann is on the second page of follows

    assert errors(await reader.ask(FROM_BLUESKY)) == [
        ("BAD_USER_INPUT", "You must set your Bluesky handle first")
    ]
    saved = await reader.ask(SAVE_DID, did=me["did"])
    assert saved == {"data": {"saveBlueskyDid": {"id": str(user.id), "blueskyDid": me["did"]}}}
    async with sessionmaker() as session:
        stored = await session.get(tables.User, user.id)
    assert stored is not None
    assert stored.bluesky_did == me["did"]

    assert names(await reader.ask(FROM_BLUESKY), "getComicsFromBlueskyCreators") == ["The Lighthouse Keeper"]
    fake_bluesky.follow(me["did"], [fake_bluesky.add_profile("bob.example.com")["did"]])
    assert names(await reader.ask(FROM_BLUESKY), "getComicsFromBlueskyCreators") == [
        "Tides", "The Lighthouse Keeper",
    ]  # fmt: skip


async def test_bluesky_fields_and_the_did_need_a_signed_in_reader(reader: Reader) -> None:
    assert errors(await reader.ask(FROM_BLUESKY, anonymous=True)) == [
        ("REQUIRES_USER_AUTHENTICATION", "You must be logged in to get comics from Bluesky creators")
    ]
    assert errors(await reader.ask(SAVE_DID, anonymous=True, did="did:plc:abc")) == [
        ("REQUIRES_USER_AUTHENTICATION", "You must be logged in to save your Bluesky DID")
    ]
    too_long = await reader.ask(SAVE_DID, did="did:plc:" + "a" * 250)
    assert errors(too_long) == [("BAD_USER_INPUT", "Bluesky DID must be at most 255 characters")]


@pytest.mark.usefixtures("creators")
async def test_comics_of_the_creators_followed_on_patreon_through_the_stored_taddy_token(
    reader: Reader, fake_taddy: FakeTaddy, sessionmaker: Sessionmaker, user: tables.User
) -> None:
    assert errors(await reader.ask(FROM_PATREON)) == [
        ("BAD_USER_INPUT", "You must have a Taddy token to find comics from Patreon creators")
    ]
    await add_oauth_token(sessionmaker, user.id, fake_taddy.refresh_token_for(user.id))
    assert await reader.ask(FROM_PATREON) == {"data": {"getComicsFromPatreonCreators": []}}

    fake_taddy.patreon_following[user.id] = ["someoneelse", "annexample"]
    assert names(await reader.ask(FROM_PATREON), "getComicsFromPatreonCreators") == ["The Lighthouse Keeper"]
    paths = [path for path, _ in fake_taddy.auth_requests]
    assert paths[-2:] == ["/auth/oauth2/new_access_token", "/auth/patreon/following"]


async def test_patreon_errors(reader: Reader, sessionmaker: Sessionmaker, user: tables.User) -> None:
    assert errors(await reader.ask(FROM_PATREON, anonymous=True)) == [
        ("REQUIRES_USER_AUTHENTICATION", "You must be logged in to get comics from Patreon creators")
    ]
    await add_oauth_token(sessionmaker, user.id, "a-token-taddy-no-longer-accepts")
    assert errors(await reader.ask(FROM_PATREON)) == [
        ("BAD_USER_INPUT", "Your Taddy token is no longer valid. Please connect your Patreon account again")
    ]


async def test_the_reader_fetches_their_hosting_provider_tokens(
    reader: Reader, fake_taddy: FakeTaddy, sessionmaker: Sessionmaker, user: tables.User
) -> None:
    assert await reader.ask(ALL_TOKENS) == {"data": {"fetchAllHostingProviderTokens": []}}
    assert await reader.ask(ONE_TOKEN, hostingProviderUuid=HOSTING_PROVIDER_UUID) == {
        "data": {"fetchRefreshTokenForHostingProvider": None}
    }
    token = fake_taddy.refresh_token_for(user.id)
    await add_oauth_token(sessionmaker, user.id, token)
    someone_else = await add_user(sessionmaker, "someoneelse")
    await add_oauth_token(sessionmaker, someone_else.id, fake_taddy.refresh_token_for(someone_else.id))

    assert await reader.ask(ALL_TOKENS) == {"data": {"fetchAllHostingProviderTokens": [token]}}
    for provider, expected in ((HOSTING_PROVIDER_UUID, token), (HOSTING_PROVIDER_UUID.upper(), token),
                               (OTHER_PROVIDER, None), ("not-a-uuid", None)):  # fmt: skip
        answer = await reader.ask(ONE_TOKEN, hostingProviderUuid=provider)
        assert answer == {"data": {"fetchRefreshTokenForHostingProvider": expected}}, provider


async def test_hosting_provider_token_errors(reader: Reader) -> None:
    must_sign_in = [("REQUIRES_USER_AUTHENTICATION", "You must be logged in to fetch tokens")]
    assert errors(await reader.ask(ALL_TOKENS, anonymous=True)) == must_sign_in
    assert errors(await reader.ask(ONE_TOKEN, anonymous=True, hostingProviderUuid=HOSTING_PROVIDER_UUID)) == (
        must_sign_in
    )
    assert errors(await reader.ask(ONE_TOKEN, hostingProviderUuid="")) == [
        ("BAD_USER_INPUT", "Hosting provider UUID is required")
    ]


async def test_bluesky_and_taddy_failures_are_plain_errors(
    reader: Reader, fake_bluesky: FakeBluesky, fake_taddy: FakeTaddy, sessionmaker: Sessionmaker, user: tables.User
) -> None:  # fmt: skip
    fake_bluesky.fail_next(10, 503)
    assert await reader.ask(PROFILE, handle="ann.example.com") == {
        "data": {"getBlueskyProfile": None},
        "errors": [{"code": "INKVERSE_SERVER_ERROR",
                    "message": "Bluesky is not answering right now. Please try again later."}],
    }  # fmt: skip
    await add_oauth_token(sessionmaker, user.id, fake_taddy.refresh_token_for(user.id))
    fake_taddy.fail_next(10, 502)
    assert errors(await reader.ask(FROM_PATREON)) == [
        ("INKVERSE_SERVER_ERROR", "Taddy is not answering right now. Please try again later.")
    ]


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """A server that accepts every request and never answers (until the test ends)."""
    released = asyncio.Event()

    async def never_answer(request: web.Request) -> web.Response:
        await released.wait()
        return web.Response(status=503)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", never_answer)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        released.set()
        await runner.cleanup()


async def test_a_silent_bluesky_or_taddy_fails_the_field_at_the_deadline(
    settings: Settings,
    engine: object,
    container: AsyncContainer,
    sessionmaker: Sessionmaker,
    fake_taddy: FakeTaddy,
    fake_notion: FakeNotion,
    fake_bluesky: FakeBluesky,
    silent_server: str,
) -> None:
    user = await add_user(sessionmaker, "reader", bluesky_did="did:plc:reader")
    await add_oauth_token(sessionmaker, user.id, fake_taddy.refresh_token_for(user.id))
    wired = with_bluesky(with_fakes(settings, fake_taddy, fake_notion), fake_bluesky)
    silent = wired.model_copy(
        update={
            "bluesky": wired.bluesky.model_copy(
                update={"api_url": f"{silent_server}/xrpc", "timeout_seconds": 0.2}
            ),
            "taddy": wired.taddy.model_copy(update={"auth_url": silent_server, "auth_timeout_seconds": 0.2}),
        }
    )
    tokens = await container.get(TokenService)
    async with client_for(silent) as http:
        reader = Reader(http, tokens.issue(user.id, TokenType.ACCESS))
        assert errors(await reader.ask(FROM_BLUESKY)) == [
            ("INKVERSE_SERVER_ERROR", "Bluesky did not answer in time. Please try again later.")
        ]
        assert errors(await reader.ask(FROM_PATREON)) == [
            ("INKVERSE_SERVER_ERROR", "Taddy did not answer in time. Please try again later.")
        ]
