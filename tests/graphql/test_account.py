"""`updateUserProfile`, `updateUserEmail` and `resendVerificationEmail` over HTTP, signed in with a bearer
token, against real PostgreSQL, Redis and moto's SES: every username rule and reserved name, the age
rules, the taken checks, the confirmation e-mail (whose link signs in and verifies) and the auth errors."""

from typing import Any

import httpx
import pytest
from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.settings import Environment, Settings
from inkverse.users.profile import RESERVED_USERNAMES
from inkverse.users.tokens import TokenService, TokenType
from tests.api.test_auth import OTP, sent_tokens
from tests.graphql.conftest import client_for, run
from tests.graphql.seed import add_user
from tests.messaging.conftest import moto_reset, verified_sender  # noqa: F401 - fixtures

PROFILE = """
mutation UpdateUserProfile($username: String, $ageRange: UserAgeRange, $birthYear: Int) {
  updateUserProfile(username: $username, ageRange: $ageRange, birthYear: $birthYear) {
    id username email isEmailVerified ageRange birthYear
  }
}"""
EMAIL = "mutation UpdateUserEmail($email: String!) { updateUserEmail(email: $email) { id email isEmailVerified } }"
RESEND = "mutation ResendVerificationEmail { resendVerificationEmail }"
PATTERN = (
    "Username can only contain letters, numbers, underscores, and hyphens. "
    "It must start and end with a letter or number."
)


@pytest.fixture
async def reader(sessionmaker: async_sessionmaker[AsyncSession]) -> tables.User:
    return await add_user(sessionmaker, "reader", is_email_verified=True)


@pytest.fixture
async def bearer(container: AsyncContainer, reader: tables.User) -> dict[str, str]:
    tokens = await container.get(TokenService)
    return {"Authorization": f"Bearer {tokens.issue(reader.id, TokenType.ACCESS)}"}


def refused(body: dict[str, Any], message: str, code: str = "BAD_USER_INPUT") -> bool:
    return body["errors"] == [{"message": message, "code": code}]


async def stored(sessionmaker: async_sessionmaker[AsyncSession], user_id: int) -> tables.User:
    async with sessionmaker() as session:
        user = await session.get(tables.User, user_id)
    assert user is not None
    return user


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        (PROFILE, {"username": "reader2"}, "You must be logged in to update your profile"),
        (EMAIL, {"email": "new@example.com"}, "You must be logged in to update your email"),
        (RESEND, {}, "You must be logged in to resend a verification email"),
    ],
)
async def test_every_account_mutation_needs_a_signed_in_user(
    client: httpx.AsyncClient, engine: object, query: str, variables: dict[str, Any], message: str
) -> None:
    body = await run(client, query, **variables)
    assert refused(body, message, "REQUIRES_USER_AUTHENTICATION")


async def test_production_does_not_mask_the_profile_authentication_message(
    settings: Settings, engine: object
) -> None:
    production = settings.model_copy(
        update={"server": settings.server.model_copy(update={"env": Environment.PRODUCTION})}
    )
    async with client_for(production) as http:
        body = await run(http, PROFILE, username="reader2")
    assert refused(body, "You must be logged in to update your profile", "REQUIRES_USER_AUTHENTICATION")


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("   ", "Username cannot be empty"),
        ("ab", "Username must be at least 3 characters long"),
        ("  ab  ", "Username must be at least 3 characters long"),
        ("a" * 21, "Username must be no more than 20 characters long"),
        ("-reader", PATTERN),
        ("reader_", PATTERN),
        ("read er", PATTERN),
        ("réader", PATTERN),
        ("read.er", PATTERN),
        ("Admin", "This username is reserved and cannot be used"),
        (" INKVERSE ", "This username is reserved and cannot be used"),
    ],
)
async def test_username_rules(
    client: httpx.AsyncClient,
    bearer: dict[str, str],
    reader: tables.User,
    sessionmaker: async_sessionmaker[AsyncSession],
    username: str,
    message: str,
) -> None:
    body = await run(client, PROFILE, bearer, username=username)
    assert refused(body, message)
    assert body["data"] == {"updateUserProfile": None}
    assert (await stored(sessionmaker, reader.id)).username == "reader"


async def test_every_reserved_name_is_refused_in_any_case(
    client: httpx.AsyncClient, bearer: dict[str, str]
) -> None:
    accepted = []
    for name in sorted(RESERVED_USERNAMES):
        body = await run(client, PROFILE, bearer, username=name.capitalize())
        if not refused(body, "This username is reserved and cannot be used"):
            accepted.append(name)
    assert accepted == []


async def test_a_valid_username_is_stored_trimmed_and_lower_cased(
    client: httpx.AsyncClient, bearer: dict[str, str], reader: tables.User
) -> None:
    body = await run(client, PROFILE, bearer, username="  Ann_Example-1 ")
    assert body == {
        "data": {
            "updateUserProfile": {
                "id": str(reader.id),
                "username": "ann_example-1",
                "email": "reader@example.com",
                "isEmailVerified": True,
                "ageRange": None,
                "birthYear": None,
            }
        }
    }
    found = await run(client, 'query { getUserByUsername(username: "ANN_EXAMPLE-1") { id } }')
    assert found["data"]["getUserByUsername"] == {"id": str(reader.id)}


async def test_a_username_taken_by_someone_else_is_refused_but_ones_own_is_kept(
    client: httpx.AsyncClient,
    bearer: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await add_user(sessionmaker, "taken")
    assert refused(await run(client, PROFILE, bearer, username=" Taken "), "This username is already taken")
    own = await run(client, PROFILE, bearer, username="Reader", ageRange="AGE_18_24")
    assert own["data"]["updateUserProfile"]["username"] == "reader"


async def test_renaming_purges_the_cached_profile(client: httpx.AsyncClient, bearer: dict[str, str]) -> None:
    old = 'query { getUserByUsername(username: "reader") { id username } }'
    for expected in ("MISS", "HIT"):
        response = await client.post("/api/graphql", json={"query": old})
        assert response.headers["x-cache"] == expected
    await run(client, PROFILE, bearer, username="renamed")
    answer = await client.post("/api/graphql", json={"query": old})
    assert answer.json() == {"data": {"getUserByUsername": None}}


@pytest.mark.parametrize(
    ("variables", "age_range", "birth_year"),
    [
        ({"ageRange": "UNDER_18", "birthYear": 2011}, "UNDER_18", 2011),
        ({"ageRange": "AGE_25_34", "birthYear": 1990}, "AGE_25_34", None),
        ({"ageRange": "AGE_35_PLUS"}, "AGE_35_PLUS", None),
    ],
)
async def test_the_age_range_sets_the_birth_year_only_for_minors(
    client: httpx.AsyncClient,
    bearer: dict[str, str],
    variables: dict[str, Any],
    age_range: str,
    birth_year: int | None,
) -> None:
    body = await run(client, PROFILE, bearer, **variables)
    assert "errors" not in body, body
    profile = body["data"]["updateUserProfile"]
    assert (profile["ageRange"], profile["birthYear"], profile["username"]) == (
        age_range,
        birth_year,
        "reader",
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ageRange": "UNDER_18"}, "Birth year is required for users under 18"),
        ({"ageRange": "UNDER_18", "birthYear": 0}, "Birth year is required for users under 18"),
        ({"birthYear": 1990}, "No valid fields to update"),
        ({"username": ""}, "No valid fields to update"),
        ({}, "No valid fields to update"),
    ],
)
async def test_profile_updates_without_what_they_need_are_refused(
    client: httpx.AsyncClient, bearer: dict[str, str], variables: dict[str, Any], message: str
) -> None:
    assert refused(await run(client, PROFILE, bearer, **variables), message)


@pytest.mark.usefixtures("verified_sender")
async def test_a_new_address_is_stored_normalised_unverified_and_confirmed_by_its_link(
    client: httpx.AsyncClient,
    bearer: dict[str, str],
    reader: tables.User,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    body = await run(client, EMAIL, bearer, email="  New.Address@Example.COM ")

    assert body == {
        "data": {
            "updateUserEmail": {
                "id": str(reader.id),
                "email": "new.address@example.com",
                "isEmailVerified": None,
            }
        }
    }
    assert (await stored(sessionmaker, reader.id)).is_email_verified is False
    [(subject, token)] = sent_tokens(settings, "new.address@example.com")
    assert subject == "Confirm your email address for Inkverse"
    exchanged = await client.post(OTP, json={"otp": token})
    assert exchanged.status_code == 200, exchanged.text
    assert exchanged.json()["user"]["isEmailVerified"] is True


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "Invalid email format"),
        ("two@@example.com", "Invalid email format"),
        ("Other@Example.com", "This email is already taken"),
    ],
)
async def test_an_invalid_or_taken_address_is_refused(
    client: httpx.AsyncClient,
    bearer: dict[str, str],
    reader: tables.User,
    sessionmaker: async_sessionmaker[AsyncSession],
    email: str,
    message: str,
) -> None:
    await add_user(sessionmaker, "other")
    assert refused(await run(client, EMAIL, bearer, email=email), message)
    assert (await stored(sessionmaker, reader.id)).email == "reader@example.com"


@pytest.mark.usefixtures("verified_sender")
async def test_resending_unverifies_and_mails_a_working_confirmation_link(
    client: httpx.AsyncClient,
    bearer: dict[str, str],
    reader: tables.User,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    assert await run(client, RESEND, bearer) == {"data": {"resendVerificationEmail": True}}

    assert (await stored(sessionmaker, reader.id)).is_email_verified is False
    [(subject, token)] = sent_tokens(settings, "reader@example.com")
    assert subject == "Confirm your email address for Inkverse"
    assert (await client.post(OTP, json={"otp": token})).json()["user"]["isEmailVerified"] is True


@pytest.mark.usefixtures("moto_reset")
async def test_an_address_change_whose_email_cannot_be_sent_is_reported(
    client: httpx.AsyncClient, bearer: dict[str, str]
) -> None:
    body = await run(client, EMAIL, bearer, email="new@example.com")  # the sender is not verified on SES
    assert refused(body, "Failed to update email", "INKVERSE_SERVER_ERROR")
    resent = await run(client, RESEND, bearer)
    assert refused(resent, "Failed to to user for email verification", "INKVERSE_SERVER_ERROR")
