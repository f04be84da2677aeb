"""The Expo push client against a local fake Expo speaking the real wire format."""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.database.engine import make_sessionmaker
from inkverse.messaging.push import (
    ExpoPushClient,
    ExpoPushError,
    ExpoTransientError,
    PushMessage,
    RichContent,
    delete_device_tokens,
)
from inkverse.settings import Environment, ExpoSettings, ServerSettings
from tests.fixtures.fake_expo import FakeExpo, serve_fake_expo
from tests.graphql.seed import add_user


@pytest.fixture
async def fake() -> AsyncIterator[FakeExpo]:
    async for server in serve_fake_expo():
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def client_for(
    http: aiohttp.ClientSession, api_url: str | None, data_dir: Path, env: Environment = Environment.TEST
) -> ExpoPushClient:
    expo = ExpoSettings(api_url=api_url, push_access_token=SecretStr("expo-access"))
    return ExpoPushClient(http, expo, ServerSettings(env=env, data_dir=data_dir), backoff_seconds=0)


@pytest.fixture
def client(fake: FakeExpo, http: aiohttp.ClientSession, tmp_path: Path) -> ExpoPushClient:
    return client_for(http, fake.url, tmp_path)


def new_episode(token: str) -> PushMessage:
    return PushMessage(
        to=token,
        title="New Episode Released",
        body="A new episode of Ink just got released!",
        data={"type": "NEW_EPISODE_RELEASED", "seriesUuid": "s-1", "issueUuid": "i-1"},
        channel_id="NEW_EPISODE_RELEASED",
        mutable_content=True,
        rich_content=RichContent(image="https://ink0.inkverse.co/banner.jpg"),
    )


async def test_250_messages_go_in_3_requests_of_at_most_100(fake: FakeExpo, client: ExpoPushClient) -> None:
    messages = [new_episode(f"ExponentPushToken[{n}]") for n in range(250)]

    result = await client.send(messages)

    assert [len(request) for request in fake.send_requests] == [100, 100, 50]
    assert [ticket.status for ticket in result.tickets] == ["ok"] * 250
    assert [message["to"] for message in fake.messages] == [m.to for m in messages]
    assert fake.authorizations == ["Bearer expo-access"] * 3


async def test_a_message_has_expo_field_names(fake: FakeExpo, client: ExpoPushClient) -> None:
    await client.send([new_episode("ExponentPushToken[a]")])

    assert fake.messages == [
        {
            "to": "ExponentPushToken[a]",
            "title": "New Episode Released",
            "body": "A new episode of Ink just got released!",
            "data": {"type": "NEW_EPISODE_RELEASED", "seriesUuid": "s-1", "issueUuid": "i-1"},
            "channelId": "NEW_EPISODE_RELEASED",
            "mutableContent": True,
            "richContent": {"image": "https://ink0.inkverse.co/banner.jpg"},
        }
    ]


@pytest.mark.parametrize("status", [429, 503])
async def test_throttling_and_server_errors_are_retried(
    fake: FakeExpo, client: ExpoPushClient, status: int
) -> None:
    fake.fail_next(2, status)

    result = await client.send([new_episode("ExponentPushToken[a]")])

    assert [ticket.status for ticket in result.tickets] == ["ok"]
    assert len(fake.send_requests) == 1


async def test_a_failure_that_lasts_raises_after_the_retries(fake: FakeExpo, client: ExpoPushClient) -> None:
    fake.fail_next(10, 503)

    with pytest.raises(ExpoTransientError):
        await client.send([new_episode("ExponentPushToken[a]")])
    assert fake.failures == [503] * 6  # 4 attempts


async def test_a_refused_request_raises_with_expo_reason(fake: FakeExpo, client: ExpoPushClient) -> None:
    fake.refuse_next(401, "UNAUTHORIZED", "The bearer token is invalid")

    with pytest.raises(ExpoPushError, match="UNAUTHORIZED: The bearer token is invalid"):
        await client.send([new_episode("ExponentPushToken[a]")])
    assert fake.send_requests == []


async def test_a_refusal_without_json_is_not_retried(fake: FakeExpo, client: ExpoPushClient) -> None:
    fake.fail_next(2, 400)

    with pytest.raises(ExpoPushError, match="HTTP 400"):
        await client.send([new_episode("ExponentPushToken[a]")])
    assert fake.failures == [400]


async def test_device_not_registered_ticket_is_reported(fake: FakeExpo, client: ExpoPushClient) -> None:
    fake.unregistered = {"ExponentPushToken[gone]"}

    result = await client.send(
        [new_episode("ExponentPushToken[live]"), new_episode("ExponentPushToken[gone]")]
    )

    assert [ticket.status for ticket in result.tickets] == ["ok", "error"]
    assert result.tickets[1].error == "DeviceNotRegistered"
    assert result.dead_tokens == ["ExponentPushToken[gone]"]


async def test_receipts_report_per_ticket_status_and_dead_tokens(
    fake: FakeExpo, client: ExpoPushClient
) -> None:
    fake.unregistered_later = {"ExponentPushToken[gone]"}
    sent = await client.send([new_episode("ExponentPushToken[live]"), new_episode("ExponentPushToken[gone]")])
    assert sent.dead_tokens == []
    live, gone = (ticket.id for ticket in sent.tickets)
    assert live is not None
    assert gone is not None

    result = await client.receipts({live: "ExponentPushToken[live]", gone: "ExponentPushToken[gone]"})

    assert result.receipts[live].status == "ok"
    assert result.receipts[gone].error == "DeviceNotRegistered"
    assert result.dead_tokens == ["ExponentPushToken[gone]"]


async def test_dead_tokens_are_pruned_from_user_device(
    fake: FakeExpo, client: ExpoPushClient, engine: AsyncEngine
) -> None:
    sessionmaker: async_sessionmaker[AsyncSession] = make_sessionmaker(engine)
    user = await add_user(sessionmaker, "dora")
    async with sessionmaker() as session, session.begin():
        for token in ("ExponentPushToken[live]", "ExponentPushToken[gone]", "ExponentPushToken[later]"):
            session.add(tables.UserDevice(user_id=user.id, fcm_token=token, platform="ios"))
    fake.unregistered = {"ExponentPushToken[gone]"}
    fake.unregistered_later = {"ExponentPushToken[later]"}

    tokens = ["ExponentPushToken[live]", "ExponentPushToken[gone]", "ExponentPushToken[later]"]
    sent = await client.send([new_episode(token) for token in tokens])
    receipts = await client.receipts(
        {ticket.id: token for ticket, token in zip(sent.tickets, tokens, strict=True) if ticket.id}
    )
    async with sessionmaker() as session, session.begin():
        deleted = await delete_device_tokens(session, sent.dead_tokens + receipts.dead_tokens)

    assert deleted == 2
    async with sessionmaker() as session:
        left = (await session.scalars(select(tables.UserDevice.fcm_token))).all()
    assert left == ["ExponentPushToken[live]"]


async def test_development_without_api_url_writes_files_and_sends_nothing(
    fake: FakeExpo, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    client = client_for(http, None, tmp_path, Environment.DEVELOPMENT)

    result = await client.send([new_episode("ExponentPushToken[a]")])

    written = list((tmp_path / "push").glob("*.json"))
    assert len(written) == 1
    assert json.loads(written[0].read_text())["title"] == "New Episode Released"
    assert [ticket.status for ticket in result.tickets] == ["ok"]
    assert fake.send_requests == []


async def test_development_with_api_url_sends(
    fake: FakeExpo, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    client = client_for(http, fake.url, tmp_path, Environment.DEVELOPMENT)

    await client.send([new_episode("ExponentPushToken[a]")])

    assert len(fake.send_requests) == 1
    assert not (tmp_path / "push").exists()
