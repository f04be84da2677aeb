"""`/api/auth/login-with-google` and `/api/auth/login-with-apple` over HTTP: real RS256 ID tokens signed
with a test key and served by a local JWKS server, against real PostgreSQL and Redis; the sign-up list
is a fake EmailOctopus. Every refusal of graphql.md §1.3, the three lookup paths, linking and the cookie."""

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.settings import AppleSettings, AuthSettings, GoogleSettings, Settings
from tests.api.test_auth import me
from tests.fixtures.fake_jwks import FakeJwks, SigningKey, serve_fake_jwks
from tests.graphql.conftest import client_for
from tests.graphql.seed import add_user
from tests.messaging.conftest import FakeHttpServer, fake_http  # noqa: F401 - fixture

GOOGLE = "/api/auth/login-with-google"
APPLE = "/api/auth/login-with-apple"
WEB_CLIENT_ID = "1234-web.apps.googleusercontent.com"
IOS_CLIENT_ID = "1234-ios.apps.googleusercontent.com"
APPLE_SERVICE_ID = "co.inkverse.web"
APPLE_CLIENT_ID = "co.inkverse.app"
GOOGLE_USER = "108234567890123456789"
APPLE_USER = "001234.abcdef0123456789.1234"
SIGNUP_LIST = "00000000-0000-0000-0000-0000000000aa"


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("key-1")


@pytest.fixture(scope="module")
def stranger() -> SigningKey:
    """Not published: its signatures do not verify even when the header names the published key."""
    return SigningKey.generate("key-x")


@pytest.fixture
async def jwks(key: SigningKey) -> AsyncIterator[FakeJwks]:
    async for server in serve_fake_jwks(key):
        yield server


def provider_settings(
    settings: Settings, jwks: FakeJwks, octopus: FakeHttpServer, **sections: Any
) -> Settings:
    google = GoogleSettings(client_id_web=WEB_CLIENT_ID, client_id_ios=IOS_CLIENT_ID, jwks_url=jwks.url)
    apple = AppleSettings(service_id=APPLE_SERVICE_ID, client_id=APPLE_CLIENT_ID, jwks_url=jwks.url)
    email = settings.email.model_copy(
        update={
            "octopus_api_url": octopus.url,
            "octopus_api_key": SecretStr("eo_test_key"),
            "lists": {"signup": SIGNUP_LIST},
        }
    )
    return settings.model_copy(update={"google": google, "apple": apple, "email": email, **sections})


@pytest.fixture
def octopus(fake_http: FakeHttpServer) -> FakeHttpServer:  # noqa: F811 - the imported fixture
    """The EmailOctopus API the sign-up list talks to."""
    return fake_http


@pytest.fixture
async def http(
    settings: Settings,
    engine: object,
    jwks: FakeJwks,
    octopus: FakeHttpServer,
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(provider_settings(settings, jwks, octopus)) as client:
        yield client


def google_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": "https://accounts.google.com",
        "aud": WEB_CLIENT_ID,
        "sub": GOOGLE_USER,
        "email": "reader@example.com",
        "email_verified": True,
        "iat": now,
        "exp": now + 3600,
    }
    return {name: value for name, value in (base | changes).items() if value is not None}


def apple_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": "https://appleid.apple.com",
        "aud": APPLE_SERVICE_ID,
        "sub": APPLE_USER,
        "email": "reader@privaterelay.appleid.com",
        "email_verified": "true",
        "iat": now,
        "exp": now + 600,
    }
    return {name: value for name, value in (base | changes).items() if value is not None}


def subscribed(octopus: FakeHttpServer) -> list[str]:
    return [request.json()["email_address"] for request in octopus.requests if request.method == "POST"]


async def reload(sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> tables.User:
    async with sessionmaker() as session:
        user = await session.get(tables.User, user_id)
    assert user is not None
    return user


async def test_google_creates_a_verified_account_signs_it_in_and_subscribes_it(
    http: httpx.AsyncClient,
    key: SigningKey,
    octopus: FakeHttpServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    response = await http.post(
        GOOGLE, json={"googleIdToken": key.sign(google_claims(email="New@Example.com"))}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    user = await reload(sessionmaker, int(body["user"]["id"]))
    assert (user.email, user.google_id, user.is_email_verified) == ("new@example.com", GOOGLE_USER, True)
    assert body["user"] == {"id": str(user.id), "isEmailVerified": True, "username": None}
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"inkverse-refresh-token={body['refreshToken']};")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert subscribed(octopus) == ["new@example.com"]
    answer = await me(http, body["accessToken"])
    assert answer.json()["data"]["me"]["email"] == "new@example.com"


async def test_google_links_an_existing_email_account_from_a_form_body(
    http: httpx.AsyncClient,
    key: SigningKey,
    octopus: FakeHttpServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reader = await add_user(sessionmaker, "reader", is_email_verified=False)
    token = key.sign(google_claims(aud=IOS_CLIENT_ID))

    response = await http.post(GOOGLE, data={"googleIdToken": token, "source": "ios"})

    assert response.status_code == 200, response.text
    assert response.json()["user"] == {"id": str(reader.id), "isEmailVerified": True, "username": "reader"}
    linked = await reload(sessionmaker, reader.id)
    assert (linked.google_id, linked.is_email_verified) == (GOOGLE_USER, True)
    assert subscribed(octopus) == ["reader@example.com"]


async def test_google_finds_the_account_by_its_google_id_first(
    http: httpx.AsyncClient,
    key: SigningKey,
    octopus: FakeHttpServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reader = await add_user(sessionmaker, "reader", google_id=GOOGLE_USER, is_email_verified=True)
    await add_user(sessionmaker, "other")  # owns the address Google now reports
    token = key.sign(google_claims(email="other@example.com"))

    response = await http.post(GOOGLE, json={"googleIdToken": token})

    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == str(reader.id)
    assert subscribed(octopus) == []  # already verified: not subscribed again


async def test_a_first_verified_google_sign_in_verifies_the_account_found_by_google_id(
    http: httpx.AsyncClient,
    key: SigningKey,
    octopus: FakeHttpServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    reader = await add_user(sessionmaker, "reader", google_id=GOOGLE_USER, is_email_verified=False)

    response = await http.post(GOOGLE, json={"googleIdToken": key.sign(google_claims())})

    assert response.json()["user"] == {"id": str(reader.id), "isEmailVerified": True, "username": "reader"}
    assert (await reload(sessionmaker, reader.id)).is_email_verified is True
    assert subscribed(octopus) == ["reader@example.com"]


async def test_an_unverified_google_address_stays_unverified_and_is_not_subscribed(
    http: httpx.AsyncClient,
    key: SigningKey,
    octopus: FakeHttpServer,
) -> None:
    token = key.sign(google_claims(email_verified=False))
    response = await http.post(GOOGLE, json={"googleIdToken": token})
    assert response.json()["user"]["isEmailVerified"] is False
    assert subscribed(octopus) == []


def expired(claims: dict[str, Any]) -> dict[str, Any]:
    return claims | {"iat": claims["iat"] - 7200, "exp": claims["iat"] - 3600}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 400, "Google ID token is required"),
        ({"googleIdToken": ""}, 400, "Google ID token is required"),
        ({"googleIdToken": "not-a-jwt"}, 401, "Malformed Google token"),
        ({"claims": google_claims(email=None)}, 401, "Invalid Google token: missing email"),
        ({"claims": google_claims(sub=None)}, 401, "Invalid Google token: missing user ID"),
        (
            {"claims": google_claims(iss="https://evil.example")},
            401,
            "Invalid Google token: incorrect issuer",
        ),
        ({"claims": expired(google_claims())}, 401, "Expired Google token"),
        ({"claims": google_claims(), "stranger": True}, 401, "Invalid Google token signature"),
        (
            {"claims": google_claims(aud="someone-else.apps.googleusercontent.com")},
            401,
            "Google token was not issued for this application",
        ),
        (
            {"claims": google_claims(aud=WEB_CLIENT_ID), "source": "ios"},
            401,
            "Google token was not issued for this application",
        ),
    ],
)
async def test_google_refusals(
    http: httpx.AsyncClient,
    key: SigningKey,
    stranger: SigningKey,
    body: dict[str, Any],
    status: int,
    error: str,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    fields = {name: value for name, value in body.items() if name not in ("claims", "stranger")}
    if "claims" in body:
        signer = stranger if body.get("stranger") else key
        fields["googleIdToken"] = signer.sign(body["claims"], kid=key.kid)
    response = await http.post(GOOGLE, json=fields)
    assert (response.status_code, response.json()) == (status, {"error": error})
    async with sessionmaker() as session:
        assert await session.get(tables.User, 1) is None  # nothing created


async def test_google_with_an_unknown_source_is_500_with_details(
    http: httpx.AsyncClient, key: SigningKey
) -> None:
    response = await http.post(GOOGLE, json={"googleIdToken": key.sign(google_claims()), "source": "tv"})
    assert response.status_code == 500
    assert response.json() == {"error": "Failed to login with Google", "details": "Invalid source: tv"}


async def test_google_without_a_client_id_is_a_configuration_error(
    settings: Settings,
    engine: object,
    jwks: FakeJwks,
    octopus: FakeHttpServer,
    key: SigningKey,
) -> None:
    unconfigured = provider_settings(settings, jwks, octopus, google=GoogleSettings(jwks_url=jwks.url))
    async with client_for(unconfigured) as client:
        response = await client.post(GOOGLE, json={"googleIdToken": key.sign(google_claims())})
    assert response.status_code == 500
    assert response.json() == {"error": "Server configuration error: Missing Google Client ID"}


async def test_apple_creates_then_finds_the_account_by_apple_id_without_an_address(
    http: httpx.AsyncClient,
    key: SigningKey,
    octopus: FakeHttpServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    first = await http.post(APPLE, json={"id_token": key.sign(apple_claims())})
    assert first.status_code == 200, first.text
    user = await reload(sessionmaker, int(first.json()["user"]["id"]))
    assert (user.email, user.apple_id, user.is_email_verified) == (
        "reader@privaterelay.appleid.com", APPLE_USER, True
    )  # fmt: skip
    assert first.headers["set-cookie"].startswith("inkverse-refresh-token=")

    # Apple sends the address only at the first sign-in; the app's tokens are for its client id.
    token = key.sign(apple_claims(email=None, email_verified=None, aud=APPLE_CLIENT_ID))
    again = await http.post(APPLE, data={"id_token": token, "source": "ios"})
    assert again.status_code == 200, again.text
    assert again.json()["user"]["id"] == str(user.id)
    assert subscribed(octopus) == ["reader@privaterelay.appleid.com"]


async def test_apple_links_an_existing_email_account(
    http: httpx.AsyncClient, key: SigningKey, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    reader = await add_user(sessionmaker, "reader")
    response = await http.post(APPLE, json={"id_token": key.sign(apple_claims(email="Reader@Example.com"))})
    assert response.json()["user"] == {"id": str(reader.id), "isEmailVerified": True, "username": "reader"}
    assert (await reload(sessionmaker, reader.id)).apple_id == APPLE_USER


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 400, "ID token is required"),
        ({"claims": apple_claims(email=None)}, 401, "Email is required for new account creation"),
        ({"claims": apple_claims(sub=None)}, 401, "Invalid Apple ID token: missing user ID"),
        ({"claims": expired(apple_claims())}, 401, "Expired Apple ID token"),
        ({"claims": apple_claims(), "stranger": True}, 401, "Invalid Apple ID token: invalid signature"),
        ({"id_token": "not-a-jwt"}, 401, "Invalid Apple ID token: jwt malformed"),
        (
            {"claims": apple_claims(aud=APPLE_CLIENT_ID)},
            401,
            f"Invalid Apple ID token: jwt audience invalid. expected: {APPLE_SERVICE_ID}",
        ),
        (
            {"claims": apple_claims(iss="https://evil.example")},
            401,
            "Invalid Apple ID token: jwt issuer invalid. expected: https://appleid.apple.com",
        ),
    ],
)
async def test_apple_refusals(
    http: httpx.AsyncClient,
    key: SigningKey,
    stranger: SigningKey,
    body: dict[str, Any],
    status: int,
    error: str,
) -> None:
    fields = {name: value for name, value in body.items() if name not in ("claims", "stranger")}
    if "claims" in body:
        signer = stranger if body.get("stranger") else key
        fields["id_token"] = signer.sign(body["claims"], kid=key.kid)
    response = await http.post(APPLE, json=fields)
    assert (response.status_code, response.json()) == (status, {"error": error})


async def test_apple_without_a_service_id_is_a_configuration_error(
    settings: Settings,
    engine: object,
    jwks: FakeJwks,
    octopus: FakeHttpServer,
    key: SigningKey,
) -> None:
    unconfigured = provider_settings(settings, jwks, octopus, apple=AppleSettings(jwks_url=jwks.url))
    async with client_for(unconfigured) as client:
        response = await client.post(APPLE, json={"id_token": key.sign(apple_claims())})
    assert response.status_code == 500
    assert response.json() == {"error": "Server configuration error: Missing Apple Service ID"}


async def test_provider_sign_ins_share_the_token_exchange_limit_per_client(
    settings: Settings,
    engine: object,
    jwks: FakeJwks,
    octopus: FakeHttpServer,
    key: SigningKey,
) -> None:
    limited = provider_settings(settings, jwks, octopus, auth=AuthSettings(token_exchanges_per_ip=2))
    async with client_for(limited) as client:
        google = await client.post(GOOGLE, json={"googleIdToken": key.sign(google_claims())})
        apple = await client.post(APPLE, json={"id_token": "not-a-jwt"})  # failures count too
        refused = await client.post(GOOGLE, json={"googleIdToken": key.sign(google_claims())})
    assert (google.status_code, apple.status_code, refused.status_code) == (200, 401, 429)
    assert refused.json() == {"error": "Too many requests, try again later"}
    assert 0 < int(refused.headers["retry-after"]) <= 900
