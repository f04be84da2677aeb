"""`hosting-provider-tokens`: stored Taddy refresh tokens about to expire are exchanged for new ones
(a fake Taddy), verified as at sign-in and stored; a refused one is counted as failed and the rest go on;
an expired one is not sent."""

import time
from collections.abc import AsyncIterator

import jwt
import pytest
from dishka import AsyncContainer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.database.engine import make_sessionmaker
from inkverse.jobs.registry import job_named
from inkverse.settings import Settings
from inkverse.taddy.oauth import TADDY_HOSTING_PROVIDER_UUID, TaddyAuthClient
from inkverse.users.hosting_providers import HostingProviderKeys
from inkverse.users.hosting_token_refresh import HostingTokenRefresher, RefreshCounts
from tests.fixtures.fake_taddy import (
    REFRESH_TOKEN_LIFETIME_SECONDS,
    FakeTaddy,
    public_key_pem,
    serve_fake_taddy,
)
from tests.graphql.seed import add_user

DAY = 86_400
Sessionmaker = async_sessionmaker[AsyncSession]


@pytest.fixture
async def fake_taddy() -> AsyncIterator[FakeTaddy]:
    async for server in serve_fake_taddy():
        yield server


@pytest.fixture
def settings(settings: Settings, fake_taddy: FakeTaddy) -> Settings:
    taddy = settings.taddy.model_copy(
        update={"auth_url": fake_taddy.auth_url, "public_key": public_key_pem()}
    )
    return settings.model_copy(update={"taddy": taddy})


async def store_token(sessionmaker: Sessionmaker, username: str, token: str, expires_in: int) -> int:
    user = await add_user(sessionmaker, username)
    async with sessionmaker() as session, session.begin():
        session.add(
            tables.OAuthToken(
                user_id=user.id, hosting_provider_uuid=TADDY_HOSTING_PROVIDER_UUID, refresh_token=token,
                refresh_token_expires_at=int(time.time()) + expires_in,
            )
        )  # fmt: skip
    return user.id


async def stored(sessionmaker: Sessionmaker) -> dict[int, tuple[str, int]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(tables.OAuthToken.user_id, tables.OAuthToken.refresh_token,
                   tables.OAuthToken.refresh_token_expires_at)
        )  # fmt: skip
        return {user_id: (token, expires) for user_id, token, expires in rows}


async def test_expiring_tokens_are_refreshed_and_a_refused_one_is_counted_as_failed(
    container: AsyncContainer, engine: AsyncEngine, fake_taddy: FakeTaddy
) -> None:
    sessionmaker = make_sessionmaker(engine)
    expiring = await store_token(sessionmaker, "expiring", "placeholder", DAY)
    old_token = fake_taddy.refresh_token_for(expiring, lifetime=DAY)
    async with sessionmaker() as session, session.begin():
        row = (await session.scalars(select(tables.OAuthToken))).one()
        row.refresh_token = old_token
    refused = await store_token(sessionmaker, "refused", "not-a-token-taddy-signed", DAY)
    fresh = await store_token(sessionmaker, "fresh", "fresh-token", 30 * DAY)
    expired = await store_token(sessionmaker, "expired", "expired-token", -DAY)
    before = await stored(sessionmaker)
    refresher = HostingTokenRefresher(
        sessionmaker, await container.get(TaddyAuthClient), await container.get(HostingProviderKeys)
    )

    counts = await refresher.refresh_expiring()

    assert counts == RefreshCounts(refreshed=1, failed=1, expired=1)
    after = await stored(sessionmaker)
    new_token, expires_at = after[expiring]
    assert new_token != old_token
    claims = jwt.decode(new_token, options={"verify_signature": False})
    assert claims["sub"] == str(expiring)
    assert expires_at == claims["exp"] >= int(time.time()) + REFRESH_TOKEN_LIFETIME_SECONDS - 60
    assert {user: after[user] for user in (refused, fresh, expired)} == {
        user: before[user] for user in (refused, fresh, expired)
    }
    sent = [body["refresh_token"] for path, body in fake_taddy.auth_requests]
    assert sent == [old_token, "not-a-token-taddy-signed"]  # neither the fresh nor the expired one


async def test_the_job_succeeds_with_a_failing_token(
    container: AsyncContainer, engine: AsyncEngine, fake_taddy: FakeTaddy
) -> None:
    await store_token(make_sessionmaker(engine), "refused", "not-a-token-taddy-signed", DAY)
    job = job_named("hosting-provider-tokens")
    assert job is not None

    await job.run(container)

    assert len(fake_taddy.auth_requests) == 1
