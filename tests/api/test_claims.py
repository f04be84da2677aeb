"""Creator claims and the hosting-provider OAuth callback over HTTP, against the fake Taddy (graphql.md §1.3).

The app talks to the fake Taddy's auth endpoints with its client credentials, trusts the fake's signing
key (`TADDY_PUBLIC_KEY`), posts Slack messages to a local webhook and records what it purges.
"""

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dishka import AsyncContainer
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.api.app import build_app
from inkverse.cache.purge import CacheType, Purge
from inkverse.catalog.events import TaddyType
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.messaging.slack import SlackNotifier
from inkverse.settings import Settings, SlackSettings
from inkverse.users.tokens import TokenService, TokenType
from tests.fixtures.catalog import EventApplier
from tests.fixtures.fake_taddy import (
    CLIENT_ID,
    CLIENT_SECRET,
    HOSTING_PROVIDER_UUID,
    FakeTaddy,
    public_key_pem,
    signing_key,
)
from tests.fixtures.taddy_payloads import creatorcontent_data
from tests.graphql.seed import add_comment, add_user, now, seed_creator, seed_series
from tests.messaging.conftest import FakeHttpServer, fake_http  # noqa: F401 - fixture found by name
from tests.taddy.conftest import RecordingPurger, RecordingPurgerProvider

INITIATE = "/api/claim-creator/initiate"
CALLBACK = "/api/claim-creator/callback"
SITE = "https://inkverse.co"
OTHER_PROVIDER = "0b5b3c4e-2f4d-4c8e-9a51-1f0f5e8d7c6a"


@dataclass
class Harness:
    http: httpx.AsyncClient
    container: AsyncContainer
    taddy: FakeTaddy
    slack_hook: FakeHttpServer
    purger: RecordingPurger
    sessionmaker: async_sessionmaker[AsyncSession]

    async def token_for(self, user_id: int) -> str:
        return (await self.container.get(TokenService)).issue(user_id, TokenType.ACCESS)

    async def initiate(self, user_id: int, creator_uuid: str) -> httpx.Response:
        headers = {"authorization": f"Bearer {await self.token_for(user_id)}"}
        return await self.http.post(INITIATE, json={"creatorUuid": creator_uuid}, headers=headers)

    async def claim_token(self, user_id: int, creator_uuid: str) -> str:
        response = await self.initiate(user_id, creator_uuid)
        assert response.status_code == 200, response.text
        return str(self.taddy.claims[-1]["claim_token"])

    async def callback(self, claim_token: str, creator_uuid: str, status: str) -> httpx.Response:
        signed = self.taddy.signed_claim_decision(claim_token, creator_uuid, status)
        return await self.http.post(CALLBACK, json={"signed_claim_token": signed})

    async def slack_texts(self) -> list[str]:
        await (await self.container.get(SlackNotifier)).drain()
        return [request.json()["text"] for request in self.slack_hook.requests]

    async def claim_row(self, user_id: int, creator_uuid: str) -> tables.UserCreatorClaim:
        async with self.sessionmaker() as session:
            statement = select(tables.UserCreatorClaim).where(
                tables.UserCreatorClaim.user_id == user_id,
                tables.UserCreatorClaim.creator_uuid == creator_uuid,
            )
            return (await session.scalars(statement)).one()

    async def user(self, user_id: int) -> tables.User:
        async with self.sessionmaker() as session:
            user = await session.get(tables.User, user_id)
        assert user is not None
        return user


def claims_settings(settings: Settings, taddy: FakeTaddy, slack_url: str, public_key: str) -> Settings:
    return settings.model_copy(
        update={
            "taddy": settings.taddy.model_copy(
                update={
                    "auth_url": taddy.url,
                    "client_id": CLIENT_ID,
                    "client_secret": SecretStr(CLIENT_SECRET),
                    "public_key": public_key,
                }
            ),
            "slack": SlackSettings(webhooks={"general": slack_url}),
        }
    )


@pytest.fixture
async def harness_for(
    settings: Settings,
    engine: AsyncEngine,
    redis: Redis,
    fake_taddy: FakeTaddy,
    fake_http: FakeHttpServer,  # noqa: F811 - the imported fixture
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Any]:
    """Builds the app trusting `public_key` as Taddy's; closed after the test."""
    containers: list[AsyncContainer] = []
    clients: list[httpx.AsyncClient] = []

    async def build(public_key: str) -> Harness:
        configured = claims_settings(settings, fake_taddy, f"{fake_http.url}/slack/general", public_key)
        purger = RecordingPurger()
        container = build_container(configured, "test", RecordingPurgerProvider(purger))
        containers.append(container)
        transport = httpx.ASGITransport(app=build_app(container, configured))
        http = httpx.AsyncClient(transport=transport, base_url="http://inkverse.test")
        clients.append(http)
        return Harness(http, container, fake_taddy, fake_http, purger, sessionmaker)

    yield build
    for http in clients:
        await http.aclose()
    for container in containers:
        await container.close()


@pytest.fixture
async def harness(harness_for: Any) -> Harness:
    built: Harness = await harness_for(public_key_pem())
    return built


@dataclass
class Catalog:
    creator_uuid: str
    creator_short_url: str
    series_uuids: list[str]
    issue_uuids: list[str]
    other_series_uuid: str
    other_issue_uuid: str


@pytest.fixture
async def catalog(events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]) -> Catalog:
    """A creator with two series on Taddy, and a series by someone else."""
    first = await seed_series(events, issues=2, name="The Lighthouse Keeper")
    second = await seed_series(events, issues=1, name="Low Water")
    other = await seed_series(events, issues=1, name="Someone Else's Comic")
    made = await seed_creator(events, first["series"]["uuid"], name="Ann Example")
    creator_uuid = made["creator"]["uuid"]
    await events.created(
        TaddyType.CREATORCONTENT, creatorcontent_data(creator_uuid, second["series"]["uuid"])
    )
    async with sessionmaker() as session:
        creator = await session.get(tables.Creator, creator_uuid)
    assert creator is not None
    return Catalog(
        creator_uuid=creator_uuid,
        creator_short_url=creator.short_url,
        series_uuids=[first["series"]["uuid"], second["series"]["uuid"]],
        issue_uuids=[first["issues"][0]["uuid"], first["issues"][1]["uuid"], second["issues"][0]["uuid"]],
        other_series_uuid=other["series"]["uuid"],
        other_issue_uuid=other["issues"][0]["uuid"],
    )


# initiate


async def test_initiate_announces_a_pending_claim_and_answers_taddys_page(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")

    response = await harness.initiate(user.id, catalog.creator_uuid)

    assert response.status_code == 200, response.text
    [announced] = harness.taddy.claims
    token = announced["claim_token"]
    assert len(token) == 80
    assert int(token, 16) >= 0
    assert announced == {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "client_user_id": user.id,
        "client_profile_url": f"{SITE}/annexample",
        "creator_uuid": catalog.creator_uuid,
        "claim_token": token,
        "callback_url": f"{SITE}/api/claim-creator/callback",
    }
    assert response.json() == {
        "claimCreatorUrl": f"{harness.taddy.auth_url}/dashboard/claim-creator"
        f"?creator_uuid={catalog.creator_uuid}&claim_token={token}"
    }
    claim = await harness.claim_row(user.id, catalog.creator_uuid)
    assert (claim.status, claim.claim_token) == ("PENDING", token)
    assert 7 * 86_400 - 60 < claim.claim_token_expiry - now() <= 7 * 86_400


async def test_initiate_reuses_a_pending_token_and_rotates_an_expired_one(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")
    first = await harness.claim_token(user.id, catalog.creator_uuid)
    assert await harness.claim_token(user.id, catalog.creator_uuid) == first

    async with sessionmaker() as session, session.begin():
        await session.execute(update(tables.UserCreatorClaim).values(claim_token_expiry=now() - 1))
    rotated = await harness.claim_token(user.id, catalog.creator_uuid)

    assert rotated != first
    claim = await harness.claim_row(user.id, catalog.creator_uuid)
    assert (claim.status, claim.claim_token) == ("PENDING", rotated)
    assert claim.claim_token_expiry > now()


async def test_a_rejected_claim_can_be_started_again(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")
    rejected = await harness.claim_token(user.id, catalog.creator_uuid)
    assert (await harness.callback(rejected, catalog.creator_uuid, "REJECTED")).status_code == 200

    again = await harness.initiate(user.id, catalog.creator_uuid)

    assert again.status_code == 200, again.text
    claim = await harness.claim_row(user.id, catalog.creator_uuid)
    assert claim.status == "PENDING"
    assert claim.claim_token not in (rejected, "")


async def test_initiate_refuses_without_a_valid_bearer_token(harness: Harness, catalog: Catalog) -> None:
    body = {"creatorUuid": catalog.creator_uuid}
    anonymous = await harness.http.post(INITIATE, json=body)
    tampered = await harness.http.post(INITIATE, json=body, headers={"authorization": "Bearer not.a.jwt"})

    assert (anonymous.status_code, anonymous.json()) == (401, {"error": "Authentication required"})
    assert (tampered.status_code, tampered.json()) == (401, {"error": "Authentication required"})
    assert harness.taddy.claims == []


async def test_initiate_error_table(
    harness: Harness,
    catalog: Catalog,
    events: EventApplier,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    user = await add_user(sessionmaker, "annexample")
    nameless = await add_user(sessionmaker, "nameless")
    async with sessionmaker() as session, session.begin():
        await session.execute(update(tables.User).where(tables.User.id == nameless.id).values(username=None))
    seriesless = (await seed_creator(events, catalog.other_series_uuid, name="Bea"))["creator"]["uuid"]
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(tables.CreatorContent)
            .where(tables.CreatorContent.creator_uuid == seriesless)
            .values(content_uuid=str(uuid.uuid4()))
        )
    elsewhere = await seed_series(
        events, issues=0, name="Hosted Elsewhere", hostingProvider={"uuid": OTHER_PROVIDER, "sssUrl": None}
    )
    foreign = (await seed_creator(events, elsewhere["series"]["uuid"], name="Cy"))["creator"]["uuid"]
    owned = (await seed_creator(events, catalog.other_series_uuid, name="Di"))["creator"]["uuid"]
    await add_user(sessionmaker, "dee", creator_uuid=owned)

    cases = [
        (user.id, {}, 400, "creatorUuid is required"),
        (nameless.id, {"creatorUuid": catalog.creator_uuid}, 400, "User not found"),
        (987_654, {"creatorUuid": catalog.creator_uuid}, 400, "User not found"),
        (user.id, {"creatorUuid": seriesless}, 400, "Could not determine hosting provider for this creator"),
        (
            user.id,
            {"creatorUuid": "not-a-uuid"},
            400,
            "Could not determine hosting provider for this creator",
        ),
        (user.id, {"creatorUuid": foreign}, 400, "Hosting provider not found"),
        (user.id, {"creatorUuid": owned}, 409, "This creator has already been claimed"),
    ]
    answers = []
    for user_id, body, _, _ in cases:
        headers = {"authorization": f"Bearer {await harness.token_for(user_id)}"}
        response = await harness.http.post(INITIATE, json=body, headers=headers)
        answers.append((response.status_code, response.json()["error"]))

    assert answers == [(status, message) for _, _, status, message in cases]
    assert harness.taddy.claims == []


async def test_initiate_reports_a_provider_that_refuses(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")
    harness.taddy.fail_next(1, status=400)

    response = await harness.initiate(user.id, catalog.creator_uuid)

    assert (response.status_code, response.json()) == (
        500,
        {"error": "Hosting provider error - cannot connect"},
    )


# callback


async def test_approval_links_the_creator_marks_old_comments_posts_to_slack_and_purges(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")
    on_creator = [
        await add_comment(
            sessionmaker, user_id=user.id, issue_uuid=issue, series_uuid=series, created_at=now()
        )
        for issue, series in zip(
            catalog.issue_uuids, [*catalog.series_uuids[:1], *catalog.series_uuids], strict=True
        )
    ]
    elsewhere = await add_comment(
        sessionmaker,
        user_id=user.id,
        issue_uuid=catalog.other_issue_uuid,
        series_uuid=catalog.other_series_uuid,
        created_at=now(),
    )
    token = await harness.claim_token(user.id, catalog.creator_uuid)

    response = await harness.callback(token, catalog.creator_uuid, "APPROVED")

    assert (response.status_code, response.json()) == (
        200,
        {"success": True, "redirectUrl": f"{SITE}/claim-creator/{catalog.creator_uuid}"},
    )
    assert (await harness.user(user.id)).creator_uuid == catalog.creator_uuid
    assert (await harness.claim_row(user.id, catalog.creator_uuid)).status == "APPROVED"
    async with sessionmaker() as session:
        flags = dict(
            (await session.execute(select(tables.UserComment.uuid, tables.UserComment.is_creator))).all()
        )
    assert flags == {**dict.fromkeys(on_creator, True), elsewhere: False}
    assert await harness.slack_texts() == [
        f":white_check_mark: CREATOR CLAIM APPROVED\nCreator UUID: {catalog.creator_uuid}\nUser: {SITE}/annexample"
    ]
    assert harness.purger.purges == [
        Purge(CacheType.CREATOR, (catalog.creator_uuid,), short_url=catalog.creator_short_url),
        Purge(CacheType.USER, (str(user.id),), short_url="annexample"),
        Purge(CacheType.PROFILE_COMICSERIES, (str(user.id),), short_url="annexample"),
        Purge(CacheType.COMMENTS, tuple(sorted(catalog.issue_uuids))),
    ]


async def test_a_repeated_callback_succeeds_without_applying_anything_again(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")
    token = await harness.claim_token(user.id, catalog.creator_uuid)
    first = await harness.callback(token, catalog.creator_uuid, "APPROVED")

    repeat = await harness.callback(token, catalog.creator_uuid, "APPROVED")
    contrary = await harness.callback(token, catalog.creator_uuid, "REJECTED")

    assert repeat.status_code == contrary.status_code == 200
    assert first.json() == repeat.json() == contrary.json()
    assert (await harness.claim_row(user.id, catalog.creator_uuid)).status == "APPROVED"
    assert len(await harness.slack_texts()) == 1
    assert len(harness.purger.purges) == 3


async def test_rejection_marks_the_claim_and_links_nothing(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")
    token = await harness.claim_token(user.id, catalog.creator_uuid)

    response = await harness.callback(token, catalog.creator_uuid, "REJECTED")

    assert (response.status_code, response.json()) == (
        200,
        {"success": True, "redirectUrl": f"{SITE}/claim-creator/{catalog.creator_uuid}"},
    )
    assert (await harness.claim_row(user.id, catalog.creator_uuid)).status == "REJECTED"
    assert (await harness.user(user.id)).creator_uuid is None
    assert await harness.slack_texts() == [
        f":x: CREATOR CLAIM REJECTED\nCreator UUID: {catalog.creator_uuid}\nUser: {SITE}/annexample"
    ]
    assert harness.purger.purges == []


async def test_approval_for_a_creator_another_user_already_has(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first, second = await add_user(sessionmaker, "annexample"), await add_user(sessionmaker, "impostor")
    first_token = await harness.claim_token(first.id, catalog.creator_uuid)
    second_token = await harness.claim_token(second.id, catalog.creator_uuid)
    assert (await harness.callback(first_token, catalog.creator_uuid, "APPROVED")).status_code == 200

    response = await harness.callback(second_token, catalog.creator_uuid, "APPROVED")

    assert (response.status_code, response.json()) == (
        200,
        {
            "success": False,
            "error": "Creator already claimed",
            "redirectUrl": f"{SITE}/claim-creator/{catalog.creator_uuid}",
        },
    )
    assert (await harness.user(second.id)).creator_uuid is None
    assert (await harness.claim_row(second.id, catalog.creator_uuid)).status == "PENDING"


async def test_callback_refusals(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")
    token = await harness.claim_token(user.id, catalog.creator_uuid)
    impostor_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": HOSTING_PROVIDER_UUID, "sub": token, "creator_uuid": catalog.creator_uuid}
    forged = jwt.encode({**claims, "status": "APPROVED"}, impostor_key, algorithm="RS256")
    # The provider's public key used as an HMAC secret: refused, the algorithm is pinned to RS256.
    confused = hs256_token({**claims, "status": "APPROVED"}, public_key_pem())
    unknown_status = jwt.encode({**claims, "status": "MAYBE"}, signing_key(), algorithm="RS256")
    expired_jwt = jwt.encode(
        {**claims, "status": "APPROVED", "exp": int(time.time()) - 10}, signing_key(), algorithm="RS256"
    )
    invalid = "Invalid or expired signed claim token"

    answers = [
        await post_callback(harness, {}),
        await post_callback(harness, {"signed_claim_token": forged}),
        await post_callback(harness, {"signed_claim_token": confused}),
        await post_callback(harness, {"signed_claim_token": unknown_status}),
        await post_callback(harness, {"signed_claim_token": expired_jwt}),
        await post_callback(harness, {"signed_claim_token": "garbage"}),
        await harness.callback("f" * 80, catalog.creator_uuid, "APPROVED"),
        await harness.callback(token, str(uuid.uuid4()), "APPROVED"),
    ]

    assert [(answer.status_code, answer.json()) for answer in answers] == [
        (400, {"success": False, "error": "Missing signed_claim_token"}),
        *[(400, {"success": False, "error": invalid})] * 5,
        (400, {"success": False, "error": "Invalid or expired claim token"}),
        (400, {"success": False, "error": "Creator UUID mismatch"}),
    ]
    assert (await harness.claim_row(user.id, catalog.creator_uuid)).status == "PENDING"
    assert (await harness.user(user.id)).creator_uuid is None


async def test_a_decision_on_an_expired_claim_is_refused(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")
    token = await harness.claim_token(user.id, catalog.creator_uuid)
    async with sessionmaker() as session, session.begin():
        await session.execute(update(tables.UserCreatorClaim).values(claim_token_expiry=now() - 1))

    response = await harness.callback(token, catalog.creator_uuid, "APPROVED")

    assert (response.status_code, response.json()) == (
        400,
        {"success": False, "error": "Invalid or expired claim token"},
    )
    assert (await harness.user(user.id)).creator_uuid is None


async def test_decisions_are_refused_when_no_provider_key_is_configured(
    harness_for: Any, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    harness: Harness = await harness_for("")
    user = await add_user(sessionmaker, "annexample")
    token = await harness.claim_token(user.id, catalog.creator_uuid)

    response = await harness.callback(token, catalog.creator_uuid, "APPROVED")

    assert response.status_code == 400
    assert response.json()["error"] == "Invalid or expired signed claim token"


def hs256_token(claims: dict[str, Any], secret: str) -> str:
    """Signed by hand: PyJWT refuses to HMAC-sign with a PEM key, which is the point of the attack."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = part(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    signing_input = f"{header}.{part(json.dumps(claims).encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{part(signature)}"


async def post_callback(harness: Harness, body: dict[str, str]) -> httpx.Response:
    return await harness.http.post(CALLBACK, json=body)


# hosting-provider OAuth callback


async def test_connecting_stores_the_providers_refresh_token(
    harness: Harness, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")

    first = await connect(harness, HOSTING_PROVIDER_UUID, harness.taddy.authorize(user.id))
    again = await connect(harness, HOSTING_PROVIDER_UUID, harness.taddy.authorize(user.id))

    assert first == again == f"/hosting-provider/{HOSTING_PROVIDER_UUID}?success=true"
    async with sessionmaker() as session:
        [row] = (await session.scalars(select(tables.OAuthToken))).all()
    claims = jwt.decode(row.refresh_token, signing_key().public_key(), algorithms=["RS256"])
    assert (row.user_id, row.hosting_provider_uuid) == (user.id, HOSTING_PROVIDER_UUID)
    assert row.refresh_token_expires_at == claims["exp"]
    assert claims["sub"] == str(user.id)
    assert row.updated_at is not None  # the second connection replaced the first token


async def test_connection_failures_redirect_with_their_reason(
    harness: Harness, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")
    base = f"/hosting-provider/{HOSTING_PROVIDER_UUID}"

    missing = await connect(harness, HOSTING_PROVIDER_UUID, "")
    unknown_provider = await connect(harness, OTHER_PROVIDER, harness.taddy.authorize(user.id))
    refused_code = await connect(harness, HOSTING_PROVIDER_UUID, "never-issued")
    harness.taddy.fail_next(1, status=200)  # an answer without tokens
    no_tokens = await connect(harness, HOSTING_PROVIDER_UUID, harness.taddy.authorize(user.id))
    no_user = await connect(harness, HOSTING_PROVIDER_UUID, harness.taddy.authorize(987_654))

    assert missing == f"{base}?error=missing_parameters"
    assert unknown_provider == f"/hosting-provider/{OTHER_PROVIDER}?error=incorrect_hosting_provider"
    assert refused_code == f"{base}?error=connection_failed"
    assert no_tokens == f"{base}?error=tokens_not_found"
    assert no_user == f"{base}?error=user_not_found"
    async with sessionmaker() as session:
        assert (await session.scalars(select(tables.OAuthToken))).all() == []


async def test_a_refresh_token_not_signed_by_the_configured_key_is_refused(
    harness_for: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = other_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    harness: Harness = await harness_for(pem)
    user = await add_user(sessionmaker, "annexample")

    location = await connect(harness, HOSTING_PROVIDER_UUID, harness.taddy.authorize(user.id))

    assert location == f"/hosting-provider/{HOSTING_PROVIDER_UUID}?error=token_invalid_or_expired"


async def connect(harness: Harness, provider_uuid: str, code: str) -> str:
    response = await harness.http.get(f"/api/hosting-provider/{provider_uuid}", params={"code": code})
    assert response.status_code == 302, response.text
    return response.headers["location"]


# getCreatorClaimStatus

STATUS_QUERY = (
    "query GetCreatorClaimStatus($creatorUuid: ID!) { getCreatorClaimStatus(creatorUuid: $creatorUuid) }"
)


async def claim_status(harness: Harness, creator_uuid: str, user_id: int | None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {await harness.token_for(user_id)}"} if user_id else {}
    payload = {"query": STATUS_QUERY, "variables": {"creatorUuid": creator_uuid}}
    response = await harness.http.post("/api/graphql", json=payload, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_claim_status_follows_the_claim(
    harness: Harness, catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user = await add_user(sessionmaker, "annexample")
    before = await claim_status(harness, catalog.creator_uuid, user.id)
    token = await harness.claim_token(user.id, catalog.creator_uuid)
    pending = await claim_status(harness, catalog.creator_uuid, user.id)
    await harness.callback(token, catalog.creator_uuid, "APPROVED")
    approved = await claim_status(harness, catalog.creator_uuid, user.id)
    someone_else = await add_user(sessionmaker, "reader")

    assert before == {"data": {"getCreatorClaimStatus": None}}
    assert pending == {"data": {"getCreatorClaimStatus": "PENDING"}}
    assert approved == {"data": {"getCreatorClaimStatus": "APPROVED"}}
    assert await claim_status(harness, catalog.creator_uuid, someone_else.id) == {
        "data": {"getCreatorClaimStatus": None}
    }
    assert await claim_status(harness, "not-a-uuid", user.id) == {"data": {"getCreatorClaimStatus": None}}


async def test_claim_status_requires_a_signed_in_user(harness: Harness, catalog: Catalog) -> None:
    body = await claim_status(harness, catalog.creator_uuid, None)

    assert body["data"] == {"getCreatorClaimStatus": None}
    assert [(error["code"], error["message"]) for error in body["errors"]] == [
        ("REQUIRES_USER_AUTHENTICATION", "You must be logged in to check claim status")
    ]
