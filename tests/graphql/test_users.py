"""Public user reads: by username and id, self-only fields, and the claimed creator both ways."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.catalog import EventApplier
from tests.graphql.conftest import Query
from tests.graphql.seed import add_user, seed_creator, seed_series

USER_FIELDS = "id username createdAt updatedAt email isEmailVerified ageRange birthYear blueskyDid"
PRIVATE_FIELDS = ("createdAt", "updatedAt", "email", "isEmailVerified", "ageRange", "birthYear", "blueskyDid")


@pytest.fixture
async def claimed(events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, str]:
    seeded = await seed_series(events, issues=0)
    made = await seed_creator(events, seeded["series"]["uuid"], name="Ann Example")
    user = await add_user(
        sessionmaker,
        "inkfan",
        creator_uuid=made["creator"]["uuid"],
        is_email_verified=True,
        age_range="AGE_25_34",
        birth_year=1990,
        bluesky_did="did:plc:abc",
        updated_at=1_700_000_000,
    )
    return {"user_id": str(user.id), "creator_uuid": made["creator"]["uuid"]}


@pytest.mark.parametrize("username", ["inkfan", "  InkFan ", "INKFAN"])
async def test_user_by_username_is_lower_cased_and_trimmed(
    gql: Query, claimed: dict[str, str], username: str
) -> None:
    query = f"query U($u: String!) {{ getUserByUsername(username: $u) {{ {USER_FIELDS} }} }}"
    user = (await gql(query, u=username))["data"]["getUserByUsername"]
    assert user["id"] == claimed["user_id"]
    assert user["username"] == "inkfan"


async def test_self_only_fields_are_null_for_anonymous_requests(gql: Query, claimed: dict[str, str]) -> None:
    query = f"query U($id: ID!) {{ getUserById(id: $id) {{ {USER_FIELDS} }} }}"
    user = (await gql(query, id=claimed["user_id"]))["data"]["getUserById"]
    assert user["id"] == claimed["user_id"]
    assert user["username"] == "inkfan"
    assert {field: user[field] for field in PRIVATE_FIELDS} == dict.fromkeys(PRIVATE_FIELDS)


@pytest.mark.parametrize("user_id", ["999999", "abc", "-1", "", "0", "99999999999999999999", "١٢"])
async def test_unknown_or_malformed_user_id_is_null(
    gql: Query, claimed: dict[str, str], user_id: str
) -> None:
    body = await gql("query U($id: ID!) { getUserById(id: $id) { id } }", id=user_id)
    assert body == {"data": {"getUserById": None}}


async def test_unknown_username_is_null(gql: Query, claimed: dict[str, str]) -> None:
    body = await gql('{ getUserByUsername(username: "nobody") { id } }')
    assert body == {"data": {"getUserByUsername": None}}


async def test_claimed_creator_and_its_user(gql: Query, claimed: dict[str, str]) -> None:
    query = """query C($uuid: ID!, $id: ID!) {
      getCreator(uuid: $uuid) { uuid user { id username email } }
      getUserById(id: $id) { id creator { uuid name } }
    }"""
    data = (await gql(query, uuid=claimed["creator_uuid"], id=claimed["user_id"]))["data"]
    assert data["getCreator"]["user"] == {"id": claimed["user_id"], "username": "inkfan", "email": None}
    assert data["getUserById"]["creator"] == {"uuid": claimed["creator_uuid"], "name": "Ann Example"}


async def test_user_without_a_claim_has_no_creator(
    gql: Query, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "reader")
    body = await gql(f'{{ getUserById(id: "{user.id}") {{ id creator {{ uuid }} }} }}')
    assert body["data"]["getUserById"] == {"id": str(user.id), "creator": None}
