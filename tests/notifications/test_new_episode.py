"""The new-episode fan-out through the worker: one in-app row, one push and (when enabled) one e-mail per
follower, however often the webhook or the fan-out message arrives; nothing for back catalogue or imports."""

import email
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import aiohttp
from dishka import AsyncContainer
from pydantic import SecretStr

from inkverse.queues.messages import CreatorEpisodeLiked, NewEpisodeReleased, dump
from inkverse.settings import Settings, TaddySettings
from inkverse.taddy.client import TaddyClient
from inkverse.taddy.imports import TaddyImporter
from inkverse.taddy.processing import WebhookProcessor
from inkverse.taddy.webhooks import TaddyWebhook, queue_message
from tests.fixtures.fake_expo import FakeExpo
from tests.fixtures.fake_taddy import API_KEY, USER_ID, serve_fake_taddy
from tests.fixtures.taddy_payloads import new_uuid, series_data
from tests.messaging.conftest import ses_backend
from tests.notifications.conftest import (
    Sessionmaker,
    Worker,
    add_reader,
    banner_md,
    fresh_issue,
    notifications_of,
    seed_episode,
    seed_series,
    token,
)


def created(issue: dict[str, Any]) -> dict[str, Any]:
    webhook = TaddyWebhook.model_validate(
        {
            "uuid": issue["uuid"],
            "taddyType": "comicissue",
            "action": "created",
            "timestamp": 100,
            "data": issue,
        }
    )
    return queue_message(webhook)


def emails_to(settings: Settings, address: str) -> list[EmailMessage]:
    sent = [message for message in ses_backend(settings).sent_messages if message.destinations == [address]]
    return [email.message_from_string(message.raw_data, policy=default_policy) for message in sent]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return content


async def test_a_follower_gets_one_row_one_push_and_one_email_even_when_delivered_twice(
    worker: Worker, sessionmaker: Sessionmaker, expo: FakeExpo, settings: Settings
) -> None:
    series_uuid = await seed_series(sessionmaker)
    reader = await add_reader(sessionmaker, "mira", follows=series_uuid, email=True)
    issue = fresh_issue(series_uuid)

    await worker.send(created(issue), created(issue))  # Taddy delivers the webhook twice
    await worker.drain()
    await worker.send(dump(NewEpisodeReleased(issue_uuid=issue["uuid"], series_uuid=series_uuid)))
    await worker.drain()  # and the fan-out message itself comes again

    assert await notifications_of(sessionmaker, reader.id) == 1
    assert expo.messages == [
        {
            "to": token("mira"),
            "title": "New Episode Released",
            "body": "A new episode of The Lighthouse Keeper just got released!",
            "data": {"type": "NEW_EPISODE_RELEASED", "seriesUuid": series_uuid, "issueUuid": issue["uuid"]},
            "channelId": "NEW_EPISODE_RELEASED",
            "mutableContent": True,
            "richContent": {"image": banner_md(issue)},
        }
    ]
    [message] = emails_to(settings, reader.email)
    assert message["Subject"] == "New episode of The Lighthouse Keeper is now available"
    text = text_of(message)
    assert f"https://inkverse.co/comics/the-lighthouse-keeper/episode-4-low-tide-{issue['uuid']}" in text
    assert "https://inkverse.co/api/notifications/unsubscribe?token=" in text
    assert "https://inkverse.co/profile/settings/notifications" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert await worker.dead_letters() == []


async def test_duplicate_fan_out_messages_at_once_notify_each_follower_once(
    worker: Worker, sessionmaker: Sessionmaker, expo: FakeExpo
) -> None:
    episode = await seed_episode(sessionmaker)
    readers = [await add_reader(sessionmaker, f"reader{n}", follows=episode.series_uuid) for n in range(5)]
    fan_out = dump(NewEpisodeReleased(issue_uuid=episode.issue_uuid, series_uuid=episode.series_uuid))

    await worker.send(fan_out, fan_out, fan_out)
    await worker.drain()

    assert [await notifications_of(sessionmaker, reader.id) for reader in readers] == [1] * 5
    assert sorted(message["to"] for message in expo.messages) == sorted(token(f"reader{n}") for n in range(5))


async def test_only_followers_with_a_channel_on_are_notified(
    worker: Worker, sessionmaker: Sessionmaker, expo: FakeExpo, settings: Settings
) -> None:
    episode = await seed_episode(sessionmaker)
    pushed = await add_reader(sessionmaker, "pushed", follows=episode.series_uuid)
    mailed = await add_reader(sessionmaker, "mailed", follows=episode.series_uuid, push=False, email=True)
    silent = await add_reader(sessionmaker, "silent", follows=episode.series_uuid, push=False)
    stranger = await add_reader(sessionmaker, "stranger", follows=None)

    await worker.send(
        dump(NewEpisodeReleased(issue_uuid=episode.issue_uuid, series_uuid=episode.series_uuid))
    )
    await worker.drain()

    counts = [await notifications_of(sessionmaker, user.id) for user in (pushed, mailed, silent, stranger)]
    assert counts == [1, 1, 0, 0]
    assert [message["to"] for message in expo.messages] == [token("pushed")]
    assert [len(emails_to(settings, user.email)) for user in (pushed, mailed)] == [0, 1]


async def test_a_user_with_3_devices_among_150_followers_never_makes_a_request_over_100(
    worker: Worker, sessionmaker: Sessionmaker, expo: FakeExpo
) -> None:
    episode = await seed_episode(sessionmaker)
    await add_reader(sessionmaker, "many", follows=episode.series_uuid, devices=3)
    for n in range(149):
        await add_reader(sessionmaker, f"r{n:03}", follows=episode.series_uuid)

    await worker.send(
        dump(NewEpisodeReleased(issue_uuid=episode.issue_uuid, series_uuid=episode.series_uuid))
    )
    await worker.drain()

    assert expo.send_requests
    assert max(len(request) for request in expo.send_requests) <= 100
    expected = [token("many", n) for n in range(3)] + [token(f"r{n:03}") for n in range(149)]
    assert sorted(message["to"] for message in expo.messages) == sorted(expected)


async def test_back_catalogue_and_imported_issues_push_nothing(
    worker: Worker, container: AsyncContainer, sessionmaker: Sessionmaker, expo: FakeExpo
) -> None:
    series_uuid = await seed_series(sessionmaker)
    reader = await add_reader(sessionmaker, "mira", follows=series_uuid)
    imported = series_data()
    await add_reader(sessionmaker, "ivo", follows=imported["uuid"])

    await worker.send(created(fresh_issue(series_uuid, days_old=30)))
    await worker.drain()
    async for taddy in serve_fake_taddy():
        taddy.add_series(imported, issues=[fresh_issue(imported["uuid"])])
        settings = TaddySettings(api_url=taddy.url, user_id=USER_ID, api_key=SecretStr(API_KEY))
        client = TaddyClient(await container.get(aiohttp.ClientSession), settings)
        importer = TaddyImporter(client, await container.get(WebhookProcessor))
        await importer.import_series(imported["uuid"])
    await worker.drain()

    assert expo.messages == []
    assert await notifications_of(sessionmaker, reader.id) == 0

    await worker.send(created(fresh_issue(series_uuid, days_old=6)))  # a recent one still is pushed
    await worker.drain()
    assert [message["to"] for message in expo.messages] == [token("mira")]


async def test_a_fan_out_for_a_missing_issue_is_dead_lettered_with_the_reason(worker: Worker) -> None:
    missing = new_uuid()
    await worker.send(dump(NewEpisodeReleased(issue_uuid=missing, series_uuid=new_uuid())))
    await worker.drain()

    [letter] = await worker.dead_letters()
    reason = letter["MessageAttributes"]["reason"]["StringValue"]
    assert f"issue {missing} is not in the database" in reason


async def test_creator_episode_likes_are_left_to_the_digest(
    worker: Worker, sessionmaker: Sessionmaker, expo: FakeExpo
) -> None:
    episode = await seed_episode(sessionmaker)
    liked = CreatorEpisodeLiked(
        issue_uuids=[episode.issue_uuid], series_uuid=episode.series_uuid, sender_id=1
    )

    await worker.send(dump(liked))
    await worker.drain()

    assert expo.messages == []
    assert await worker.dead_letters() == []
