"""The `creator-digest` job: likes and comments on creators' episodes, pushed (fake Expo) and e-mailed
(moto's SES) from the worker with the original's texts, each window exactly once."""

import email
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import httpx
import pytest
from dishka import AsyncContainer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.database.engine import make_sessionmaker
from inkverse.jobs.registry import job_named
from inkverse.notifications.digest import (
    DigestDeliveryError,
    DigestSender,
    DigestStager,
    StagedDigests,
    Window,
    latest_window,
)
from inkverse.notifications.events import NotificationChannel, NotificationEventType
from inkverse.queues.messages import DigestRecipient, SendCreatorDigest
from inkverse.settings import ExpoSettings, Settings
from tests.fixtures.fake_expo import FakeExpo, serve_fake_expo
from tests.fixtures.queues import eventually, running_worker
from tests.graphql.seed import add_user
from tests.messaging.conftest import ses_backend
from tests.notifications.test_unsubscribe import LINK, enabled

Sessionmaker = async_sessionmaker[AsyncSession]
DEADLINE_SECONDS = 30
TITLE = "Yay! Your fans are showing you some love!"
IMAGE = "https://ink0.inkverse.co/general/creator-digest.png"
LIKED, COMMENTED = "CREATOR_EPISODE_LIKED", "CREATOR_EPISODE_COMMENTED"
NOON = datetime(2026, 12, 4, 14, 5, tzinfo=UTC)


@pytest.fixture
async def fake_expo() -> AsyncIterator[FakeExpo]:
    async for server in serve_fake_expo():
        yield server


@pytest.fixture
def settings(settings: Settings, fake_expo: FakeExpo) -> Settings:
    return settings.model_copy(update={"expo": ExpoSettings(api_url=fake_expo.url)})


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return make_sessionmaker(engine)


async def notify(sessionmaker: Sessionmaker, recipient_id: int, event: str, at: int, count: int = 1) -> None:
    async with sessionmaker() as session, session.begin():
        for number in range(count):
            session.add(
                tables.UserNotification(
                    created_at=at, recipient_id=recipient_id, sender_id=90_000 + number, event_type=event,
                    target_uuid=f"issue-{number}", target_type="COMICISSUE",
                    parent_uuid="series-1", parent_type="COMICSERIES",
                )
            )  # fmt: skip


async def add_device(sessionmaker: Sessionmaker, user_id: int, token: str) -> None:
    async with sessionmaker() as session, session.begin():
        session.add(tables.UserDevice(user_id=user_id, fcm_token=token, platform="ios"))


async def turn_off(sessionmaker: Sessionmaker, user_id: int, event: str, channel: str) -> None:
    async with sessionmaker() as session, session.begin():
        session.add(
            tables.NotificationSetting(
                user_id=user_id, event_type=event, channel=channel, is_enabled=False, created_at=0
            )
        )


def inside(window: Window, hours: int = 1) -> int:
    return int((window.start + timedelta(hours=hours)).timestamp())


def emails_to(settings: Settings, address: str) -> list[EmailMessage]:
    found = []
    for sent in ses_backend(settings).sent_messages:
        if address in sent.destinations:
            message = email.message_from_string(sent.raw_data, policy=default_policy)
            assert isinstance(message, EmailMessage)
            found.append(message)
    return found


def part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body((subtype,))
    assert body is not None
    return str(body.get_content())


async def staged_bodies(sessionmaker: Sessionmaker) -> list[dict[str, Any]]:
    async with sessionmaker() as session:
        return [json.loads(body) for body in await session.scalars(select(tables.QueueOutbox.body))]


@pytest.fixture
async def worker(container: AsyncContainer, queues: None) -> AsyncIterator[None]:
    async with running_worker(container):
        yield


async def test_the_digest_is_pushed_and_emailed_once_with_the_original_texts(
    container: AsyncContainer,
    settings: Settings,
    sessionmaker: Sessionmaker,
    fake_expo: FakeExpo,
    worker: None,
) -> None:
    window = latest_window(datetime.now(UTC))
    ana = await add_user(sessionmaker, "ana", is_email_verified=True)
    bo = await add_user(sessionmaker, "bo", is_email_verified=True)
    cy = await add_user(sessionmaker, "cy")  # e-mail not verified: push only
    await notify(sessionmaker, ana.id, LIKED, inside(window), count=2)
    await notify(sessionmaker, ana.id, COMMENTED, inside(window, hours=20))
    await notify(sessionmaker, ana.id, LIKED, inside(window, hours=-2))  # the window before
    await notify(sessionmaker, ana.id, "NEW_EPISODE_RELEASED", inside(window))
    await notify(sessionmaker, bo.id, LIKED, inside(window))
    await notify(sessionmaker, cy.id, COMMENTED, inside(window), count=3)
    for user, token in ((ana, "ExponentPushToken[ana-1]"), (ana, "ExponentPushToken[ana-2]"),
                        (bo, "ExponentPushToken[bo-1]"), (cy, "ExponentPushToken[cy-1]")):  # fmt: skip
        await add_device(sessionmaker, user.id, token)
    await turn_off(sessionmaker, bo.id, LIKED, "PUSH")
    fake_expo.unregistered.add("ExponentPushToken[cy-1]")
    job = job_named("creator-digest")
    assert job is not None

    await job.run(container)

    async def delivered() -> bool:
        return len(fake_expo.messages) == 3 and len(ses_backend(settings).sent_messages) == 2

    await eventually(delivered, DEADLINE_SECONDS)
    both = (
        "2 people have liked an episode, and 1 person has left a comment or reply on your comic on Inkverse."
    )
    expected = {
        "ExponentPushToken[ana-1]": both,
        "ExponentPushToken[ana-2]": both,
        "ExponentPushToken[cy-1]": "3 people have left a comment or reply on your comic on Inkverse.",
    }
    assert {message["to"]: message["body"] for message in fake_expo.messages} == expected
    for message in fake_expo.messages:
        assert {k: v for k, v in message.items() if k not in ("to", "body")} == {
            "title": TITLE, "data": {"type": "DIGEST"}, "channelId": "DIGEST", "richContent": {"image": IMAGE},
        }  # fmt: skip
    [to_ana] = emails_to(settings, "ana@example.com")
    assert to_ana["Subject"] == TITLE
    assert "Hi ana!" in part(to_ana, "plain")
    assert both in part(to_ana, "plain")
    html = part(to_ana, "html")
    assert "<strong>2</strong> people have liked an episode, and <strong>1</strong> person has" in html
    [to_bo] = emails_to(settings, "bo@example.com")
    assert "1 person has liked an episode on Inkverse." in part(to_bo, "plain")
    async with sessionmaker() as session:
        devices = set(await session.scalars(select(tables.UserDevice.fcm_token)))
        tickets = set(await session.scalars(select(tables.PushTicket.token)))
    assert "ExponentPushToken[cy-1]" not in devices  # DeviceNotRegistered: pruned at once
    assert tickets == {"ExponentPushToken[ana-1]", "ExponentPushToken[ana-2]"}

    # A rerun of the job stages nothing, and a redelivered message sends nothing again.
    await job.run(container)
    assert await staged_bodies(sessionmaker) == []
    sender = await container.get(DigestSender)
    again = SendCreatorDigest(
        window_start=int(window.start.timestamp()), window_end=int(window.end.timestamp()),
        recipients=[DigestRecipient(user_id=ana.id, episode_likes=2, episode_comments=1)],
    )  # fmt: skip
    await sender.send(again)
    assert len(fake_expo.messages) == 3
    assert len(ses_backend(settings).sent_messages) == 2


async def test_a_first_run_stages_only_the_latest_window_with_its_boundaries(
    sessionmaker: Sessionmaker,
) -> None:
    window = latest_window(NOON)
    assert window == Window(datetime(2026, 12, 3, 7, tzinfo=UTC), datetime(2026, 12, 4, 7, tzinfo=UTC))
    creator = await add_user(sessionmaker, "creator")
    await notify(sessionmaker, creator.id, LIKED, int(window.start.timestamp()))  # included
    await notify(sessionmaker, creator.id, LIKED, int(window.end.timestamp()))  # the next window's
    await notify(sessionmaker, creator.id, COMMENTED, int(window.start.timestamp()) - 1)  # the one before

    staged = await DigestStager(sessionmaker, queue="q", clock=lambda: NOON).stage()

    assert staged.windows == [window]
    [body] = await staged_bodies(sessionmaker)
    assert body == {
        "type": "SEND_CREATOR_DIGEST",
        "windowStart": int(window.start.timestamp()),
        "windowEnd": int(window.end.timestamp()),
        "recipients": [{"userId": creator.id, "episodeLikes": 1, "episodeComments": 0}],
    }


async def test_missed_windows_are_caught_up_once_as_one_digest(sessionmaker: Sessionmaker) -> None:
    latest = latest_window(NOON)
    three_days_ago = Window(latest.start - timedelta(days=3), latest.end - timedelta(days=3))
    async with sessionmaker() as session, session.begin():
        session.add(tables.NotificationDelivery(dedupe_key=three_days_ago.marker))
    creator = await add_user(sessionmaker, "creator")
    for days_ago in (3, 2, 1, 0):  # the first was in the window already sent
        await notify(sessionmaker, creator.id, LIKED, inside(latest) - days_ago * 86_400)
    stager = DigestStager(sessionmaker, queue="q", clock=lambda: NOON)

    staged = await stager.stage()

    assert [window.start.day for window in staged.windows] == [1, 2, 3]
    [body] = await staged_bodies(sessionmaker)
    assert body["windowStart"] == int((latest.start - timedelta(days=2)).timestamp())
    assert body["windowEnd"] == int(latest.end.timestamp())
    assert body["recipients"] == [{"userId": creator.id, "episodeLikes": 3, "episodeComments": 0}]
    assert await stager.stage() == StagedDigests([], 0, [])  # run again: every window is taken


async def test_recipients_are_paged_by_key_and_never_split_or_repeated(sessionmaker: Sessionmaker) -> None:
    window = latest_window(NOON)
    creators = [await add_user(sessionmaker, f"creator{n}") for n in range(5)]
    for number, creator in enumerate(creators):
        await notify(sessionmaker, creator.id, LIKED, inside(window), count=number + 1)
        await notify(sessionmaker, creator.id, COMMENTED, inside(window, hours=5))

    staged = await DigestStager(sessionmaker, queue="q", clock=lambda: NOON, page_size=2).stage()

    assert staged.recipients == 5
    recipients = [r for body in await staged_bodies(sessionmaker) for r in body["recipients"]]
    assert sorted((r["userId"], r["episodeLikes"], r["episodeComments"]) for r in recipients) == [
        (creator.id, number + 1, 1) for number, creator in enumerate(creators)
    ]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(tables.QueueOutbox)) == 3


async def test_a_refused_push_is_sent_on_the_retry_and_the_email_only_once(
    container: AsyncContainer,
    settings: Settings,
    sessionmaker: Sessionmaker,
    fake_expo: FakeExpo,
    queues: None,
) -> None:
    window = latest_window(NOON)
    ana = await add_user(sessionmaker, "ana", is_email_verified=True)
    await add_device(sessionmaker, ana.id, "ExponentPushToken[ana-1]")
    message = SendCreatorDigest(
        window_start=int(window.start.timestamp()), window_end=int(window.end.timestamp()),
        recipients=[DigestRecipient(user_id=ana.id, episode_likes=1, episode_comments=0)],
    )  # fmt: skip
    sender = await container.get(DigestSender)
    fake_expo.refuse_next(400, "VALIDATION_ERROR", "try again")

    with pytest.raises(DigestDeliveryError, match="push: Expo refused"):
        await sender.send(message)
    assert fake_expo.messages == []
    assert len(emails_to(settings, "ana@example.com")) == 1

    await sender.send(message)  # the queue's retry
    assert [push["to"] for push in fake_expo.messages] == ["ExponentPushToken[ana-1]"]
    assert len(emails_to(settings, "ana@example.com")) == 1


async def test_the_digest_emails_unsubscribe_link_stops_digest_emails_but_not_pushes(
    container: AsyncContainer,
    settings: Settings,
    sessionmaker: Sessionmaker,
    fake_expo: FakeExpo,
    queues: None,
    client: httpx.AsyncClient,
) -> None:
    window = latest_window(NOON)
    ana = await add_user(sessionmaker, "ana", is_email_verified=True)
    await add_device(sessionmaker, ana.id, "ExponentPushToken[ana-1]")
    sender = await container.get(DigestSender)

    def digest(day: Window, likes: int, comments: int) -> SendCreatorDigest:
        return SendCreatorDigest(
            window_start=int(day.start.timestamp()), window_end=int(day.end.timestamp()),
            recipients=[DigestRecipient(user_id=ana.id, episode_likes=likes, episode_comments=comments)],
        )  # fmt: skip

    await sender.send(digest(window, likes=2, comments=0))  # likes only: the link still names both events
    [message] = emails_to(settings, "ana@example.com")
    link = LINK.search(part(message, "plain"))
    assert link is not None
    assert message["List-Unsubscribe"] == f"<https://inkverse.co{link.group(1)}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    response = await client.post(link.group(1), data={"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert "no longer get e-mails about likes on your episodes and comments on your episodes" in response.text
    for event in (
        NotificationEventType.CREATOR_EPISODE_LIKED,
        NotificationEventType.CREATOR_EPISODE_COMMENTED,
    ):
        assert not await enabled(sessionmaker, ana.id, event)
        assert await enabled(sessionmaker, ana.id, event, NotificationChannel.PUSH)
    # The next day's digest, with comments this time: pushed, no longer e-mailed.
    next_day = Window(window.end, window.end + timedelta(days=1))
    await sender.send(digest(next_day, likes=0, comments=3))
    assert len(emails_to(settings, "ana@example.com")) == 1
    assert [push["body"] for push in fake_expo.messages][-1] == (
        "3 people have left a comment or reply on your comic on Inkverse."
    )
