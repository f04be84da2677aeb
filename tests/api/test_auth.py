"""`/api/auth/*` over HTTP against real PostgreSQL, Redis and moto's SES: e-mail sign-in, the single-use
login token, token exchanges with their error tables, the rate limits, and bearer tokens on GraphQL."""

import email
import re
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from dishka import AsyncContainer
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.api.app import build_app
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.dev.keys import with_jwt_keys
from inkverse.errors import ConfigurationError
from inkverse.settings import AuthSettings, Environment, JwtSettings, RedisSettings, Settings
from inkverse.users.tokens import (
    ISSUER,
    TokenService,
    TokenType,
    configured_key_pair,
    escape_pem,
    generate_key_pair,
)
from tests.conftest import CANNY_SSO_KEY
from tests.graphql.conftest import client_for
from tests.graphql.seed import add_user, now
from tests.graphql.validators.client_operations import CLIENT_OPERATIONS
from tests.messaging.conftest import moto_reset, ses_backend, verified_sender  # noqa: F401 - fixtures

LOGIN = "/api/auth/login-with-email"
OTP = "/api/auth/exchange-otp"
ACCESS = "/api/auth/exchange-refresh-token-for-access-token"
REFRESH = "/api/auth/exchange-refresh-token-for-refresh-token"
ME = "query GetMeDetails { me { id email username isEmailVerified __typename } }"
HMAC_KEY = "a-secret-an-attacker-might-try-to-use"
TOKEN_IN_LINK = re.compile(r"/reset\?token=([0-9]+\.[0-9a-f]{40})")


def sent_tokens(settings: Settings, to: str) -> list[tuple[str, str]]:
    """(subject, login token) of every e-mail moto's SES received for `to`, oldest first."""
    found = []
    for sent in ses_backend(settings).sent_messages:
        if to in sent.destinations:
            message = email.message_from_string(sent.raw_data, policy=default_policy)
            text = message.get_body(preferencelist=("plain",))
            assert isinstance(text, EmailMessage)
            match = TOKEN_IN_LINK.search(text.get_content())
            assert match is not None, text.get_content()
            found.append((str(message["Subject"]), match.group(1)))
    return found


async def user_by_email(sessionmaker: async_sessionmaker[AsyncSession], address: str) -> tables.User | None:
    async with sessionmaker() as session:
        return (await session.scalars(select(tables.User).where(tables.User.email == address))).first()


async def sign_in(client: httpx.AsyncClient, settings: Settings, address: str) -> dict[str, Any]:
    response = await client.post(LOGIN, json={"email": address})
    assert response.status_code == 200, response.text
    _, token = sent_tokens(settings, address.strip().lower())[-1]
    exchanged = await client.post(OTP, json={"otp": token})
    assert exchanged.status_code == 200, exchanged.text
    body: dict[str, Any] = exchanged.json()
    return body


async def me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
async def tokens(container: AsyncContainer) -> TokenService:
    return await container.get(TokenService)


@pytest.mark.usefixtures("verified_sender")
async def test_sign_up_by_email_then_exchange_the_link_for_tokens_and_ask_who_i_am(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:  # fmt: skip
    response = await client.post(LOGIN, json={"email": "  New.Reader@Example.com "})
    assert response.status_code == 200
    assert response.json() == {"success": True}
    [(subject, token)] = sent_tokens(settings, "new.reader@example.com")
    assert subject == "Welcome to Inkverse - Complete Your Sign Up"
    user = await user_by_email(sessionmaker, "new.reader@example.com")
    assert user is not None
    assert not user.is_email_verified
    assert user.reset_password_token is not None
    assert token not in user.reset_password_token  # only a hash is stored

    exchanged = await client.post(OTP, data={"otp": token})  # a form body works too
    assert exchanged.status_code == 200, exchanged.text
    body = exchanged.json()
    assert body["user"] == {"id": str(user.id), "isEmailVerified": True, "username": None}
    cookie = exchanged.headers["set-cookie"]
    assert cookie.startswith(f"inkverse-refresh-token={body['refreshToken']};")
    assert "HttpOnly" in cookie
    assert "Max-Age=15552000" in cookie
    assert "SameSite=strict" in cookie
    assert "Secure" not in cookie

    answer = await me(client, body["accessToken"])
    assert answer.status_code == 200
    assert answer.json() == {
        "data": {
            "me": {
                "id": str(user.id),
                "email": "new.reader@example.com",
                "username": None,
                "isEmailVerified": True,
                "__typename": "User",
            }
        }
    }


@pytest.mark.usefixtures("verified_sender")
async def test_an_existing_user_gets_the_login_link_and_each_link_works_once(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:  # fmt: skip
    await add_user(sessionmaker, "reader")
    assert (await client.post(LOGIN, json={"email": "reader@example.com"})).status_code == 200
    [(subject, token)] = sent_tokens(settings, "reader@example.com")
    assert subject == "Inkverse Login Link"

    assert (await client.post(OTP, json={"otp": token})).status_code == 200
    again = await client.post(OTP, json={"otp": token})
    assert again.status_code == 401
    assert again.json() == {"error": "Invalid or expired OTP token"}


@pytest.mark.usefixtures("verified_sender")
async def test_a_newer_link_replaces_the_older_one(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:  # fmt: skip
    await add_user(sessionmaker, "reader")
    for _ in range(2):
        assert (await client.post(LOGIN, json={"email": "reader@example.com"})).status_code == 200
    (_, first), (_, second) = sent_tokens(settings, "reader@example.com")
    assert (await client.post(OTP, json={"otp": first})).status_code == 401
    assert (await client.post(OTP, json={"otp": second})).status_code == 200


@pytest.mark.usefixtures("verified_sender")
async def test_an_expired_link_is_refused(
    client: httpx.AsyncClient, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:  # fmt: skip
    user = await add_user(sessionmaker, "reader")
    assert (await client.post(LOGIN, json={"email": "reader@example.com"})).status_code == 200
    [(_, token)] = sent_tokens(settings, "reader@example.com")
    async with sessionmaker() as session, session.begin():
        row = await session.get(tables.User, user.id)
        assert row is not None
        row.reset_password_expiry = now() - 1
    response = await client.post(OTP, json={"otp": token})
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid or expired OTP token"}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 400, "OTP token is required"),
        ({"otp": "   "}, 400, "OTP token is required"),
        ({"otp": "not-a-token"}, 401, "Invalid or expired OTP token"),
        ({"otp": "1." + "0" * 40}, 401, "Invalid or expired OTP token"),
    ],
)
async def test_exchange_otp_errors(
    client: httpx.AsyncClient, engine: object, body: dict[str, str], status: int, message: str
) -> None:
    response = await client.post(OTP, json=body)
    assert response.status_code == status
    assert response.json() == {"error": message}


@pytest.mark.parametrize("address", ["", "no-at-sign", "a@b", "two words@example.com", "a@@example.com"])
async def test_login_with_an_invalid_address_is_400(
    client: httpx.AsyncClient, engine: object, address: str
) -> None:
    response = await client.post(LOGIN, json={"email": address})
    assert response.status_code == 400
    assert response.json() == {"error": "Invalid email address"}


@pytest.mark.usefixtures("moto_reset")
async def test_login_is_500_when_the_email_cannot_be_sent(client: httpx.AsyncClient, engine: object) -> None:
    # No verified sender identity on moto: SES refuses the message.
    response = await client.post(LOGIN, json={"email": "reader@example.com"})
    assert response.status_code == 500
    assert response.json() == {"error": "Authentication failed"}


async def test_refresh_exchanges_issue_new_tokens_from_the_body_or_the_cookie(
    client: httpx.AsyncClient, tokens: TokenService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "reader")
    refresh = tokens.issue(user.id, TokenType.REFRESH)

    by_body = await client.post(ACCESS, json={"token": refresh})
    assert by_body.status_code == 200
    assert tokens.verify(by_body.json()["accessToken"]).token_type == "access"

    client.cookies.set("inkverse-refresh-token", refresh)
    rotated = await client.post(REFRESH)
    assert rotated.status_code == 200
    new_refresh = rotated.json()["refreshToken"]
    claims = tokens.verify(new_refresh)
    assert (claims.user_id, claims.token_type) == (user.id, "refresh")
    assert rotated.headers["set-cookie"].startswith(f"inkverse-refresh-token={new_refresh};")


@pytest.mark.parametrize(("path", "kind"), [(ACCESS, "access"), (REFRESH, "refresh")])
async def test_refresh_exchange_errors(
    client: httpx.AsyncClient,
    tokens: TokenService,
    sessionmaker: async_sessionmaker[AsyncSession],
    path: str,
    kind: str,
) -> None:
    user = await add_user(sessionmaker, "reader")
    failed = {"error": f"Failed to refresh {kind} token"}
    expired = tokens.issue(user.id, TokenType.REFRESH, now=now() - 15_552_001)
    other_key = TokenService(generate_key_pair(2048)).issue(user.id, TokenType.REFRESH)
    cases = [
        ({}, {"error": "No token provided"}),
        ({"token": expired}, {"error": "Refresh token has expired"}),
        ({"token": "garbage"}, failed),
        ({"token": other_key}, failed),  # signed by someone else's key
        ({"token": tokens.issue(user.id, TokenType.ACCESS)}, failed),  # an access token is no refresh token
        ({"token": tokens.issue(user.id + 1000, TokenType.REFRESH)}, failed),  # no such user
    ]
    for body, expected in cases:
        response = await client.post(path, json=body)
        assert (response.status_code, response.json()) == (401, expected), body


async def test_a_bearer_token_that_does_not_verify_is_401_even_for_public_queries(
    client: httpx.AsyncClient, tokens: TokenService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "reader")
    good = tokens.issue(user.id, TokenType.ACCESS)
    header, _payload, signature = good.split(".")
    forged_claims = {"iss": ISSUER, "sub": "1", "tokenType": "access", "iat": now(), "exp": now() + 60}
    forged_payload = jwt.encode(forged_claims, HMAC_KEY, algorithm="HS256").split(".")[1]
    bad_tokens = {
        "expired": tokens.issue(user.id, TokenType.ACCESS, now=now() - 7201),
        "tampered": f"{header}.{forged_payload}.{signature}",
        "hs256": jwt.encode(forged_claims, HMAC_KEY, algorithm="HS256"),
        "garbage": "not.a.jwt",
    }
    for name, token in bad_tokens.items():
        response = await client.post(
            "/api/graphql",
            json={"query": '{ getUserByUsername(username: "reader") { id } }'},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 401, name
        assert response.json() == {
            "errors": [{"message": "Invalid or expired token", "code": "REQUIRES_USER_AUTHENTICATION"}]
        }, name


@pytest.mark.parametrize("header", ["", "Bearer", "Basic abc", "Bearer "])
async def test_no_usable_authorization_header_is_anonymous(
    client: httpx.AsyncClient, engine: object, header: str
) -> None:
    response = await client.post("/api/graphql", json={"query": ME}, headers={"Authorization": header})
    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


async def test_a_refresh_token_works_as_a_bearer_token_and_a_deleted_user_is_anonymous(
    client: httpx.AsyncClient, tokens: TokenService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "reader")
    answer = await me(client, tokens.issue(user.id, TokenType.REFRESH))
    assert answer.json()["data"]["me"]["username"] == "reader"
    gone = await me(client, tokens.issue(user.id + 1000, TokenType.ACCESS))
    assert gone.json() == {"data": {"me": None}}


async def test_self_only_fields_are_shown_to_the_user_themself_only(
    client: httpx.AsyncClient, tokens: TokenService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    reader = await add_user(sessionmaker, "reader")
    other = await add_user(sessionmaker, "other")
    query = 'query { getUserByUsername(username: "reader") { id email } }'
    for token, shown in ((tokens.issue(reader.id, TokenType.ACCESS), "reader@example.com"),
                         (tokens.issue(other.id, TokenType.ACCESS), None)):  # fmt: skip
        response = await client.post(
            "/api/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.json()["data"]["getUserByUsername"]["email"] == shown


@pytest.fixture
async def limited_client(settings: Settings, engine: object) -> AsyncIterator[httpx.AsyncClient]:
    limits = AuthSettings(login_emails_per_address=2, login_emails_per_ip=4, token_exchanges_per_ip=2)
    async with client_for(settings.model_copy(update={"auth": limits})) as http:
        yield http


@pytest.mark.usefixtures("verified_sender")
async def test_login_emails_are_limited_per_address_then_per_client(
    limited_client: httpx.AsyncClient,
) -> None:
    statuses = [
        (await limited_client.post(LOGIN, json={"email": "a@example.com"})).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert (await limited_client.post(LOGIN, json={"email": "b@example.com"})).status_code == 200
    refused = await limited_client.post(LOGIN, json={"email": "c@example.com"})  # 5th from this client
    assert refused.status_code == 429
    assert refused.json() == {"error": "Too many requests, try again later"}
    assert 0 < int(refused.headers["retry-after"]) <= 900


async def test_token_exchanges_are_limited_per_client_failed_ones_included(
    limited_client: httpx.AsyncClient,
) -> None:
    statuses = [(await limited_client.post(OTP, json={"otp": "wrong"})).status_code for _ in range(2)]
    assert statuses == [401, 401]
    refused = await limited_client.post(ACCESS, json={"token": "wrong"})
    assert refused.status_code == 429
    assert "retry-after" in refused.headers


async def test_the_limits_fail_open_when_redis_is_down(settings: Settings, engine: object) -> None:
    unreachable = RedisSettings(url="redis://127.0.0.1:1/0", socket_timeout_seconds=0.2)
    broken = settings.model_copy(
        update={"auth": AuthSettings(token_exchanges_per_ip=1), "redis": unreachable}
    )
    container = build_container(broken, "test")
    try:
        transport = httpx.ASGITransport(app=build_app(container, broken))
        async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
            statuses = [(await http.post(OTP, json={"otp": "wrong"})).status_code for _ in range(3)]
    finally:
        await container.close()
    assert statuses == [401, 401, 401]


async def test_canny_sso_for_the_signed_in_user(
    client: httpx.AsyncClient, tokens: TokenService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "reader")
    query = next(operation for operation in CLIENT_OPERATIONS if operation.name == "CannySso").document
    bearer = {"Authorization": f"Bearer {tokens.issue(user.id, TokenType.ACCESS)}"}
    variables = {"redirectPath": "https://inkverse.canny.io/feature"}
    anonymous = await client.post("/api/graphql", json={"query": query})
    answer = await client.post("/api/graphql", json={"query": query, "variables": variables}, headers=bearer)
    assert anonymous.json()["errors"] == [
        {"message": "You must be logged in to access Canny SSO", "code": "REQUIRES_USER_AUTHENTICATION"}
    ]
    assert "errors" not in answer.json(), answer.json()
    sso = answer.json()["data"]["cannySso"]
    assert sso["userId"] == str(user.id)
    assert jwt.decode(sso["ssoToken"], CANNY_SSO_KEY, algorithms=["HS256"]) == {
        "email": "reader@example.com", "id": str(user.id), "name": "reader"
    }  # fmt: skip
    assert sso["redirectUrl"].startswith(
        "https://canny.io/api/redirects/sso?companyID=inkverse-test&ssoToken="
    )
    assert sso["redirectUrl"].endswith("&redirect=https%3A%2F%2Finkverse.canny.io%2Ffeature")


async def test_production_shows_the_authentication_message_unmasked(
    settings: Settings, engine: object
) -> None:
    production = settings.model_copy(
        update={"server": settings.server.model_copy(update={"env": Environment.PRODUCTION})}
    )
    async with client_for(production) as http:
        response = await http.post("/api/graphql", json={"query": "{ cannySso { userId } }"})
    assert response.json()["errors"] == [
        {"message": "You must be logged in to access Canny SSO", "code": "REQUIRES_USER_AUTHENTICATION"}
    ]


async def test_signed_in_readers_share_cached_public_answers_but_never_personal_ones(
    client: httpx.AsyncClient, tokens: TokenService, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    reader = await add_user(sessionmaker, "reader")
    other = await add_user(sessionmaker, "other")
    public = {"query": 'query { getUserByUsername(username: "reader") { id username } }'}
    personal = {"query": 'query { getUserByUsername(username: "reader") { id email } }'}

    def bearer(user: tables.User) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens.issue(user.id, TokenType.ACCESS)}"}

    first = await client.post("/api/graphql", json=public, headers=bearer(reader))
    assert first.headers["x-cache"] == "MISS"
    for headers in (bearer(other), {}):
        assert (await client.post("/api/graphql", json=public, headers=headers)).headers["x-cache"] == "HIT"

    for user, email_shown in ((reader, "reader@example.com"), (other, None), (reader, "reader@example.com")):
        response = await client.post("/api/graphql", json=personal, headers=bearer(user))
        assert response.headers["x-cache"] == "BYPASS"
        assert response.json()["data"]["getUserByUsername"]["email"] == email_shown
    for _ in range(2):
        response = await client.post("/api/graphql", json={"query": ME}, headers=bearer(reader))
        assert response.headers["x-cache"] == "BYPASS"
        assert response.json()["data"]["me"]["username"] == "reader"

    expired = tokens.issue(reader.id, TokenType.ACCESS, now=now() - 7201)
    refused = await client.post("/api/graphql", json=public, headers={"Authorization": f"Bearer {expired}"})
    assert refused.status_code == 401


@pytest.mark.usefixtures("verified_sender")
async def test_development_keeps_every_email_as_an_eml_file(
    settings: Settings, engine: object, tmp_path: Path
) -> None:
    server = settings.server.model_copy(update={"env": Environment.DEVELOPMENT, "data_dir": tmp_path})
    async with client_for(settings.model_copy(update={"server": server})) as http:
        assert (await http.post(LOGIN, json={"email": "reader@example.com"})).status_code == 200
    [saved] = (tmp_path / "mail").glob("*-signup_link-*.eml")
    message = email.message_from_bytes(saved.read_bytes(), policy=default_policy)
    assert message["To"] == "reader@example.com"
    assert message["Subject"] == "Welcome to Inkverse - Complete Your Sign Up"


def test_production_refuses_to_start_without_the_key_pair(settings: Settings) -> None:
    production = settings.model_copy(
        update={
            "server": settings.server.model_copy(update={"env": Environment.PRODUCTION}),
            "jwt": JwtSettings(public_jwt=settings.jwt.public_jwt),
        }
    )
    with pytest.raises(ConfigurationError, match=r"^PRIVATE_JWT: not set"):
        build_app(build_container(production, "test"), production)


def test_the_development_key_pair_is_made_once_and_kept(settings: Settings, tmp_path: Path) -> None:
    server = settings.server.model_copy(update={"data_dir": tmp_path})
    unset = settings.model_copy(update={"server": server, "jwt": JwtSettings()})
    first, second = with_jwt_keys(unset), with_jwt_keys(unset)
    assert first.jwt == second.jwt
    assert first.jwt.public_jwt == (tmp_path / "jwt" / "public.pem").read_text()
    assert (tmp_path / "jwt" / "private.pem").stat().st_mode & 0o077 == 0
    issued = TokenService(configured_key_pair(first.jwt, production=True)).issue(7, TokenType.ACCESS)
    # The escaped one-line form deployments (and dev.env) store verifies the same tokens.
    escaped = JwtSettings(
        private_jwt=SecretStr(escape_pem(first.jwt.private_jwt.get_secret_value())),  # type: ignore[union-attr]
        public_jwt=escape_pem(first.jwt.public_jwt or ""),
    )
    assert TokenService(configured_key_pair(escaped, production=True)).verify(issued).user_id == 7


async def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(
    settings: Settings, engine: object
) -> None:
    # httpx's in-process transport connects from 127.0.0.1: here that is the load balancer.
    limits = AuthSettings(token_exchanges_per_ip=1, trusted_proxies=["127.0.0.0/8"])
    async with client_for(settings.model_copy(update={"auth": limits})) as http:

        async def exchange(headers: dict[str, str]) -> int:
            return (await http.post(OTP, json={"otp": "wrong"}, headers=headers)).status_code

        assert await exchange({"CF-Connecting-IP": "203.0.113.7"}) == 401
        assert await exchange({"CF-Connecting-IP": "203.0.113.7"}) == 429
        assert await exchange({"CF-Connecting-IP": "203.0.113.8"}) == 401
        assert await exchange({"X-Forwarded-For": "198.51.100.1, 127.0.0.5"}) == 401
        assert await exchange({"X-Forwarded-For": "198.51.100.1"}) == 429


async def test_forwarding_headers_from_anyone_else_are_ignored(settings: Settings, engine: object) -> None:
    limits = AuthSettings(token_exchanges_per_ip=1)
    async with client_for(settings.model_copy(update={"auth": limits})) as http:
        first = await http.post(OTP, json={"otp": "wrong"}, headers={"CF-Connecting-IP": "203.0.113.7"})
        spoofed = await http.post(OTP, json={"otp": "wrong"}, headers={"X-Forwarded-For": "203.0.113.9"})
    assert (first.status_code, spoofed.status_code) == (401, 429)
