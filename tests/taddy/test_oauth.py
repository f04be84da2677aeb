"""The Taddy hosting-provider client (OAuth tokens, Patreon following, creator claims) against the
fake Taddy server's auth endpoints."""

from collections.abc import AsyncIterator

import aiohttp
import jwt
import pytest
from pydantic import SecretStr

from inkverse.container import build_container
from inkverse.errors import ConfigurationError
from inkverse.settings import Settings, TaddySettings
from inkverse.taddy.client import TaddyTransientError
from inkverse.taddy.oauth import TADDY_HOSTING_PROVIDER_UUID, TaddyAuthClient, TaddyAuthError
from tests.fixtures.fake_taddy import CLIENT_ID, CLIENT_SECRET, FakeTaddy, public_key_pem, serve_fake_taddy

USER_ID = 42
CREATOR = "c0c0c0c0-2222-4c2d-8e9f-0a1b2c3d4e5f"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTaddy]:
    async for server in serve_fake_taddy():
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def settings_for(fake: FakeTaddy, secret: str | None = CLIENT_SECRET) -> TaddySettings:
    return TaddySettings(
        auth_url=fake.auth_url,
        client_id=CLIENT_ID,
        client_secret=SecretStr(secret) if secret is not None else None,
    )


@pytest.fixture
def client(fake: FakeTaddy, http: aiohttp.ClientSession) -> TaddyAuthClient:
    return TaddyAuthClient(http, settings_for(fake), backoff_seconds=0)


async def test_code_exchange_returns_a_refresh_token_signed_for_the_user(
    client: TaddyAuthClient, fake: FakeTaddy
) -> None:
    tokens = await client.exchange_code(fake.authorize(USER_ID), code_verifier="verifier")

    claims = jwt.decode(tokens.refresh_token, public_key_pem(), algorithms=["RS256"])
    assert (claims["iss"], claims["sub"]) == (TADDY_HOSTING_PROVIDER_UUID, str(USER_ID))
    assert tokens.access_token in fake.access_tokens
    [(path, form)] = fake.auth_requests
    assert path == "/auth/oauth2/token"
    assert form == {
        "grant_type": "authorization_code",
        "code": form["code"],
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code_verifier": "verifier",
    }


async def test_a_used_code_is_refused_with_taddys_reason(client: TaddyAuthClient, fake: FakeTaddy) -> None:
    code = fake.authorize(USER_ID)
    await client.exchange_code(code)
    with pytest.raises(TaddyAuthError) as raised:
        await client.exchange_code(code)
    assert raised.value.status == 400
    assert raised.value.message == "Invalid or expired authorization code"


async def test_the_code_exchange_is_not_retried(client: TaddyAuthClient, fake: FakeTaddy) -> None:
    fake.fail_next(1, 503)
    with pytest.raises(TaddyTransientError):
        await client.exchange_code(fake.authorize(USER_ID))
    assert len(fake.auth_codes) == 1


async def test_patreon_following_through_a_new_access_token(client: TaddyAuthClient, fake: FakeTaddy) -> None:
    fake.patreon_following[USER_ID] = ["annexample", "bobdraws"]

    access_token = await client.new_access_token(fake.refresh_token_for(USER_ID))
    usernames = await client.patreon_following(access_token)

    assert usernames == ["annexample", "bobdraws"]
    assert fake.auth_requests[1] == ("/auth/patreon/following", {"token": access_token})


async def test_a_new_refresh_token_is_issued_for_the_same_user(
    client: TaddyAuthClient, fake: FakeTaddy
) -> None:
    renewed = await client.new_refresh_token(fake.refresh_token_for(USER_ID, lifetime=60))
    claims = jwt.decode(renewed, public_key_pem(), algorithms=["RS256"])
    assert claims["sub"] == str(USER_ID)


async def test_an_expired_refresh_token_is_refused(client: TaddyAuthClient, fake: FakeTaddy) -> None:
    with pytest.raises(TaddyAuthError) as raised:
        await client.new_access_token(fake.refresh_token_for(USER_ID, lifetime=-60))
    assert raised.value.status == 401
    assert "refresh token" in raised.value.message


async def test_an_unknown_access_token_is_refused_by_patreon_following(client: TaddyAuthClient) -> None:
    with pytest.raises(TaddyAuthError, match="401"):
        await client.patreon_following("not-a-token")


async def test_claim_initiation_sends_the_original_body(client: TaddyAuthClient, fake: FakeTaddy) -> None:
    await client.initiate_claim(
        client_user_id=USER_ID,
        client_profile_url="https://inkverse.co/ann",
        creator_uuid=CREATOR,
        claim_token="claim-token",
        callback_url="https://inkverse.co/api/claim-creator/callback",
    )

    assert fake.claims == [
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "client_user_id": USER_ID,
            "client_profile_url": "https://inkverse.co/ann",
            "creator_uuid": CREATOR,
            "claim_token": "claim-token",
            "callback_url": "https://inkverse.co/api/claim-creator/callback",
        }
    ]
    assert client.claim_creator_url(CREATOR, "a b") == (
        f"{fake.auth_url}/dashboard/claim-creator?creator_uuid={CREATOR}&claim_token=a+b"
    )


async def test_wrong_client_credentials_are_refused(fake: FakeTaddy, http: aiohttp.ClientSession) -> None:
    client = TaddyAuthClient(http, settings_for(fake, secret="wrong"))
    with pytest.raises(TaddyAuthError) as raised:
        await client.exchange_code(fake.authorize(USER_ID))
    assert (raised.value.status, raised.value.message) == (401, "Invalid client credentials")


async def test_missing_client_credentials_name_the_settings(
    fake: FakeTaddy, http: aiohttp.ClientSession
) -> None:
    client = TaddyAuthClient(http, settings_for(fake, secret=None))
    with pytest.raises(ConfigurationError, match="TADDY_CLIENT_SECRET"):
        await client.exchange_code("code")
    assert fake.auth_requests == []


async def test_server_errors_are_retried(client: TaddyAuthClient, fake: FakeTaddy) -> None:
    fake.patreon_following[USER_ID] = ["annexample"]
    fake.fail_next(2, 502)
    access_token = await client.new_access_token(fake.refresh_token_for(USER_ID))
    assert await client.patreon_following(access_token) == ["annexample"]


async def test_the_container_wires_the_taddy_auth_settings(fake: FakeTaddy, settings: Settings) -> None:
    fake.patreon_following[USER_ID] = ["annexample"]
    taddy = settings.taddy.model_copy(
        update={"auth_url": fake.auth_url, "client_id": CLIENT_ID, "client_secret": SecretStr(CLIENT_SECRET)}
    )
    container = build_container(settings.model_copy(update={"taddy": taddy}), "test")
    try:
        client = await container.get(TaddyAuthClient)
        access_token = await client.new_access_token(fake.refresh_token_for(USER_ID))
        assert await client.patreon_following(access_token) == ["annexample"]
    finally:
        await container.close()
