"""Notification delivery against the fake Expo server and moto's SES, through the real worker.

`worker` runs the consumer with the worker's own handler registry on moto's SQS; `worker.drain()` waits
until the queue is empty, so every follow-up message (fan-out → deliveries) has been handled. Seeding
helpers write a series with a fresh episode and readers who follow it.
"""

import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from dishka import AsyncContainer
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from types_aiobotocore_sqs import SQSClient

from inkverse.catalog.events import TaddyType
from inkverse.database import tables
from inkverse.notifications.events import NotificationChannel, NotificationEventType
from inkverse.notifications.settings import ChannelSetting, save_setting
from inkverse.queues.client import QueueClient
from inkverse.queues.producer import QueueProducer
from inkverse.settings import ExpoSettings, Settings
from inkverse.worker.consumer import Consumer
from tests.fixtures.catalog import EventApplier
from tests.fixtures.fake_expo import FakeExpo, serve_fake_expo
from tests.fixtures.queues import dead_letters, eventually, queue_depth, running_worker
from tests.fixtures.taddy_payloads import image_json, issue_data, new_uuid, series_data
from tests.graphql.seed import add_user

QUEUE = "INKVERSE_HIGH_PRIORITY"
DLQ = "INKVERSE_HIGH_PRIORITY_DLQ"
DRAIN_SECONDS = 60.0
NEW_EPISODE = NotificationEventType.NEW_EPISODE_RELEASED
Sessionmaker = async_sessionmaker[AsyncSession]


@pytest.fixture
async def expo() -> AsyncIterator[FakeExpo]:
    async for server in serve_fake_expo():
        yield server


@pytest.fixture
def settings(settings: Settings, expo: FakeExpo) -> Settings:
    """The test settings with pushes sent to the fake Expo and no wait between a failure and its retry."""
    worker = settings.worker.model_copy(update={"retry_backoff_base_seconds": 0})
    return settings.model_copy(update={"expo": ExpoSettings(api_url=expo.url), "worker": worker})


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


@dataclass
class Worker:
    consumer: Consumer
    container: AsyncContainer

    async def send(self, *bodies: dict[str, Any]) -> None:
        producer = await self.container.get(QueueProducer)
        for body in bodies:
            await producer.send(QUEUE, body)

    async def drain(self) -> None:
        """Wait until every message, and every message its handler sent on, is handled."""
        sqs, client = await self.container.get(SQSClient), await self.container.get(QueueClient)

        async def drained() -> bool:
            return not await queue_depth(sqs, client, QUEUE)

        await eventually(drained, DRAIN_SECONDS)

    async def dead_letters(self) -> list[dict[str, Any]]:
        sqs, client = await self.container.get(SQSClient), await self.container.get(QueueClient)
        return await dead_letters(sqs, client, DLQ)


@pytest.fixture
async def worker(
    container: AsyncContainer, engine: AsyncEngine, queues: None, redis: Redis
) -> AsyncIterator[Worker]:
    with contextlib.suppress(Exception):
        async with running_worker(container) as consumer:
            yield Worker(consumer, container)


@dataclass(frozen=True)
class Episode:
    series_uuid: str
    issue_uuid: str
    issue: dict[str, Any]
    banner_md: str


def fresh_issue(series_uuid: str, *, days_old: float = 0, **overrides: Any) -> dict[str, Any]:
    base = f"https://ax1.taddy.org/{series_uuid}/{new_uuid()}/"
    return issue_data(
        series_uuid,
        stories=1,
        name="Episode 4: Low Tide",
        datePublished=int(time.time() - days_old * 86_400),
        bannerImageAsString=image_json(base_url=base, banner_sm="banner-sm.webp", banner_md="banner-md.webp"),
        **overrides,
    )


def banner_md(issue: dict[str, Any]) -> str:
    banner = json.loads(issue["bannerImageAsString"])
    return f"{banner['base_url']}{banner['banner_md']}"


async def seed_series(sessionmaker: Sessionmaker) -> str:
    series = series_data()
    await EventApplier(sessionmaker).created(TaddyType.COMICSERIES, series)
    return str(series["uuid"])


async def seed_episode(sessionmaker: Sessionmaker, **overrides: Any) -> Episode:
    """A series and one fresh episode, written as the worker writes them (no push staged)."""
    series_uuid = await seed_series(sessionmaker)
    issue = fresh_issue(series_uuid, **overrides)
    await EventApplier(sessionmaker).created(TaddyType.COMICISSUE, issue)
    return Episode(series_uuid, issue["uuid"], issue, banner_md(issue))


def token(username: str, device: int = 0) -> str:
    return f"ExponentPushToken[{username}-{device}]"


async def add_reader(
    sessionmaker: Sessionmaker,
    username: str,
    *,
    follows: str | None = None,
    devices: int = 1,
    email: bool = False,
    push: bool = True,
) -> tables.User:
    """A verified reader with `devices` push tokens, notified of new episodes of `follows`; `email` and
    `push` are their NEW_EPISODE_RELEASED settings."""
    user = await add_user(sessionmaker, username, is_email_verified=True)
    async with sessionmaker() as session, session.begin():
        if follows is not None:
            session.add(
                tables.NotificationPreference(
                    user_id=user.id, notification_type=NEW_EPISODE.value, value=follows
                )
            )
        session.add_all(
            tables.UserDevice(user_id=user.id, fcm_token=token(username, n), platform="ios")
            for n in range(devices)
        )
        for channel, enabled in ((NotificationChannel.EMAIL, email), (NotificationChannel.PUSH, push)):
            await save_setting(session, user.id, ChannelSetting(NEW_EPISODE, channel, enabled))
    return user


async def notifications_of(sessionmaker: Sessionmaker, user_id: int) -> int:
    async with sessionmaker() as session:
        statement = select(func.count()).where(tables.UserNotification.recipient_id == user_id)
        return int(await session.scalar(statement) or 0)


async def tokens_of(sessionmaker: Sessionmaker, user_id: int) -> list[str]:
    async with sessionmaker() as session:
        statement = select(tables.UserDevice.fcm_token).where(tables.UserDevice.user_id == user_id)
        return sorted(await session.scalars(statement))
