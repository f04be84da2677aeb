"""The Bluesky client against the fake XRPC server: one login, refresh before expiry, a new session
when the refresh token is gone or refused, follows paged by cursor, and clear errors."""

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

from inkverse.bluesky.client import BlueskyApiError, BlueskyClient, BlueskyTransientError
from inkverse.container import build_container
from inkverse.errors import ConfigurationError
from inkverse.settings import BlueskySettings, Settings
from tests.fixtures.fake_bluesky import (
    ACCESS_LIFETIME_SECONDS,
    APP_PASSWORD,
    IDENTIFIER,
    REFRESH_LIFETIME_SECONDS,
    FakeBluesky,
    serve_fake_bluesky,
)

LOGIN = "com.atproto.server.createSession"
REFRESH = "com.atproto.server.refreshSession"
PROFILE = "app.bsky.actor.getProfile"
FOLLOWS = "app.bsky.graph.getFollows"


class ManualClock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def fake(clock: ManualClock) -> AsyncIterator[FakeBluesky]:
    async for server in serve_fake_bluesky():
        server.clock = clock
        yield server


def settings_for(fake: FakeBluesky, **overrides: object) -> BlueskySettings:
    values: dict[str, object] = {
        "api_url": fake.url,
        "identifier": IDENTIFIER,
        "app_password": SecretStr(APP_PASSWORD),
        **overrides,
    }
    return BlueskySettings.model_validate(values)


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def client(fake: FakeBluesky, http: aiohttp.ClientSession, clock: ManualClock) -> BlueskyClient:
    return BlueskyClient(http, settings_for(fake), clock=clock, backoff_seconds=0)


async def test_one_login_serves_every_call(client: BlueskyClient, fake: FakeBluesky) -> None:
    ann = fake.add_profile("ann.bsky.social", "Ann", avatar="https://cdn.bsky.app/ann.jpg", description="Ink")

    first = await client.get_profile("ann.bsky.social")
    again = await client.get_profile(ann["did"])

    assert (first.did, first.handle, first.display_name) == (ann["did"], "ann.bsky.social", "Ann")
    assert (first.avatar, first.description) == ("https://cdn.bsky.app/ann.jpg", "Ink")
    assert again == first
    assert fake.method_names() == [LOGIN, PROFILE, PROFILE]


async def test_access_token_is_refreshed_five_minutes_before_it_expires(
    client: BlueskyClient, fake: FakeBluesky, clock: ManualClock
) -> None:
    fake.add_profile("ann.bsky.social")
    await client.get_profile("ann.bsky.social")
    clock.now += ACCESS_LIFETIME_SECONDS - 6 * 60
    await client.get_profile("ann.bsky.social")
    clock.now += 2 * 60
    await client.get_profile("ann.bsky.social")

    assert fake.method_names() == [LOGIN, PROFILE, PROFILE, REFRESH, PROFILE]


async def test_expired_refresh_token_means_a_new_login(
    client: BlueskyClient, fake: FakeBluesky, clock: ManualClock
) -> None:
    fake.add_profile("ann.bsky.social")
    await client.get_profile("ann.bsky.social")
    clock.now += REFRESH_LIFETIME_SECONDS
    await client.get_profile("ann.bsky.social")

    assert fake.method_names() == [LOGIN, PROFILE, LOGIN, PROFILE]


async def test_a_refused_refresh_means_a_new_login(
    client: BlueskyClient, fake: FakeBluesky, clock: ManualClock
) -> None:
    fake.add_profile("ann.bsky.social")
    await client.get_profile("ann.bsky.social")
    fake.revoke_tokens()
    clock.now += ACCESS_LIFETIME_SECONDS
    await client.get_profile("ann.bsky.social")

    assert fake.method_names() == [LOGIN, PROFILE, REFRESH, LOGIN, PROFILE]


async def test_a_refused_access_token_is_dropped_and_the_call_made_once_more(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    fake.add_profile("ann.bsky.social", "Ann")
    await client.get_profile("ann.bsky.social")
    fake.revoke_tokens()

    profile = await client.get_profile("ann.bsky.social")

    assert profile.display_name == "Ann"
    assert fake.method_names() == [LOGIN, PROFILE, PROFILE, LOGIN, PROFILE]


async def test_follows_are_read_page_by_page_with_the_cursor(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    reader = fake.add_profile("reader.bsky.social")
    followed = [fake.add_profile(f"artist{n:03d}.bsky.social") for n in range(250)]
    fake.follow(reader["did"], [profile["did"] for profile in followed])

    follows = await client.follows(reader["did"])

    assert [profile.handle for profile in follows] == [profile["handle"] for profile in followed]
    pages = [query for name, query in fake.calls if name == FOLLOWS]
    assert [query.get("cursor") for query in pages] == [None, "100", "200"]
    assert {query["limit"] for query in pages} == {"100"}
    assert {query["actor"] for query in pages} == {reader["did"]}


async def test_follows_stop_at_the_configured_maximum(
    fake: FakeBluesky, http: aiohttp.ClientSession, clock: ManualClock
) -> None:
    reader = fake.add_profile("reader.bsky.social")
    followed = [fake.add_profile(f"artist{n:03d}.bsky.social") for n in range(250)]
    fake.follow(reader["did"], [profile["did"] for profile in followed])
    client = BlueskyClient(http, settings_for(fake, max_follows=150), clock=clock)

    follows = await client.follows(reader["did"])

    assert [profile.handle for profile in follows] == [profile["handle"] for profile in followed[:150]]
    assert fake.method_names().count(FOLLOWS) == 2


async def test_an_account_that_follows_nobody_has_no_follows(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    reader = fake.add_profile("reader.bsky.social")
    assert await client.follows(reader["did"]) == []


async def test_an_unknown_actor_raises_blueskys_error_without_a_retry(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    with pytest.raises(BlueskyApiError) as raised:
        await client.get_profile("nobody.bsky.social")

    assert (raised.value.status, raised.value.error) == (400, "InvalidRequest")
    assert raised.value.message == "Profile not found"
    assert fake.method_names() == [LOGIN, PROFILE]


async def test_a_wrong_app_password_raises_authentication_required(
    fake: FakeBluesky, http: aiohttp.ClientSession
) -> None:
    client = BlueskyClient(http, settings_for(fake, app_password=SecretStr("wrong")))
    with pytest.raises(BlueskyApiError) as raised:
        await client.get_profile("ann.bsky.social")
    assert (raised.value.status, raised.value.error) == (401, "AuthenticationRequired")
    assert fake.method_names() == [LOGIN]


async def test_a_missing_app_password_names_the_setting(
    fake: FakeBluesky, http: aiohttp.ClientSession
) -> None:
    client = BlueskyClient(http, settings_for(fake, app_password=None))
    with pytest.raises(ConfigurationError, match="BLUESKY_APP_PASSWORD"):
        await client.get_profile("ann.bsky.social")
    assert fake.calls == []


async def test_server_errors_are_retried(client: BlueskyClient, fake: FakeBluesky) -> None:
    fake.add_profile("ann.bsky.social")
    fake.fail_next(1, 503)
    fake.fail_next(1, 429)
    assert (await client.get_profile("ann.bsky.social")).handle == "ann.bsky.social"
    assert fake.method_names() == [LOGIN, LOGIN, LOGIN, PROFILE]


async def test_a_server_that_stays_down_raises_a_transient_error(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    fake.fail_next(3, 502)
    with pytest.raises(BlueskyTransientError, match="HTTP 502"):
        await client.get_profile("ann.bsky.social")


async def test_the_container_shares_one_logged_in_client(fake: FakeBluesky, settings: Settings) -> None:
    fake.clock = time.time  # the container's client reads the real clock
    fake.add_profile("ann.bsky.social")
    container = build_container(settings.model_copy(update={"bluesky": settings_for(fake)}), "test")
    try:
        first, second = await container.get(BlueskyClient), await container.get(BlueskyClient)
        await first.get_profile("ann.bsky.social")
        await second.get_profile("ann.bsky.social")
    finally:
        await container.close()
    assert first is second
    assert fake.method_names() == [LOGIN, PROFILE, PROFILE]
