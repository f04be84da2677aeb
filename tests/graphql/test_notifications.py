"""The notification feed, the settings and push tokens over HTTP, signed in with a bearer token, against
real PostgreSQL and Redis: buckets with America/Vancouver day boundaries, grouping, limits, the ten
settings with their defaults, the setting upsert and its purge, the Expo token check, the auth errors."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from dishka import AsyncContainer
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.api.app import build_app
from inkverse.cache.purge import CacheType, Purge
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.notifications.events import NotificationEventType, NotificationTimeBucket
from inkverse.notifications.feed import Window, bucket_window
from inkverse.notifications.writer import NotificationWriter
from inkverse.settings import Settings
from inkverse.users.tokens import TokenService, TokenType
from tests.fixtures.catalog import EventApplier
from tests.graphql.conftest import run
from tests.graphql.seed import add_comment, add_user, now, seed_series
from tests.taddy.conftest import RecordingPurger, RecordingPurgerProvider

Event = NotificationEventType
Bucket = NotificationTimeBucket
Sessionmaker = async_sessionmaker[AsyncSession]

ITEM = "uuid type comicIssue { uuid name seriesUuid } comment { uuid text replyToUuid } comicSeries { uuid name }"
FEED = f"""
query GetNotificationFeed($buckets: [NotificationTimeBucket!]!, $limit: Int, $offset: Int) {{
  getNotificationsForUser(buckets: $buckets, limit: $limit, offset: $offset) {{
    userId
    sections {{
      bucket
      items {{
        __typename
        ... on Notification {{ id createdAt eventType actor {{ id username }} targetItem {{ {ITEM} }} parentItem {{ uuid type }} }}
        ... on AggregatedNotification {{ id eventType latestCreatedAt count targetItem {{ {ITEM} }} parentItem {{ uuid type }} }}
      }}
    }}
  }}
}}"""
SETTINGS = "query GetNotificationSettings { getNotificationSettings { userId settings { id eventType channel isEnabled } } }"
UPDATE_SETTING = """
mutation AddOrUpdateNotificationSetting($eventType: NotificationEventType!, $channel: NotificationChannel!, $isEnabled: Boolean!) {
  addOrUpdateNotificationSetting(eventType: $eventType, channel: $channel, isEnabled: $isEnabled) { id eventType channel isEnabled }
}"""
PUSH_TOKEN = "mutation SavePushToken($fcmToken: String!, $platform: String!) { savePushToken(fcmToken: $fcmToken, platform: $platform) }"
EXPO_TOKEN = "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"


@pytest.fixture
async def people(sessionmaker: Sessionmaker, container: AsyncContainer) -> dict[str, Any]:
    tokens = await container.get(TokenService)
    reader = await add_user(sessionmaker, "reader")
    fan = await add_user(sessionmaker, "fan")
    return {
        "reader": reader.id,
        "fan": fan.id,
        "bearer": {"Authorization": f"Bearer {tokens.issue(reader.id, TokenType.ACCESS)}"},
        "fan_bearer": {"Authorization": f"Bearer {tokens.issue(fan.id, TokenType.ACCESS)}"},
    }


async def notify(
    sessionmaker: Sessionmaker, at: int, recipient: int, sender: int, event: Event, **where: str
) -> bool:
    async with sessionmaker() as session, session.begin():
        return await NotificationWriter(session, clock=lambda: at).notify(
            recipient_id=recipient, sender_id=sender, event=event, **where
        )


def midnights(now: datetime) -> dict[Bucket, int]:
    """A time inside each bucket: the start of today, and the last second before each boundary."""
    return {
        Bucket.TODAY: bucket_window(Bucket.TODAY, now).start,
        Bucket.THIS_WEEK: bucket_window(Bucket.TODAY, now).start - 1,
        Bucket.THIS_MONTH: bucket_window(Bucket.THIS_WEEK, now).start - 1,
        Bucket.EARLIER: bucket_window(Bucket.THIS_MONTH, now).start - 1,
    }


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        (FEED, {"buckets": ["TODAY"]}, "You must be logged in to view notifications"),
        (SETTINGS, {}, "You must be logged in to view notification settings"),
        (UPDATE_SETTING, {"eventType": "COMMENT_REPLY", "channel": "PUSH", "isEnabled": False},
         "You must be logged in to update notification settings"),
        (PUSH_TOKEN, {"fcmToken": EXPO_TOKEN, "platform": "ios"}, "You must be logged in to save a push token"),
    ],
)  # fmt: skip
async def test_every_notification_field_needs_a_signed_in_user(
    client: httpx.AsyncClient, engine: object, query: str, variables: dict[str, Any], message: str
) -> None:
    body = await run(client, query, **variables)
    assert body["errors"] == [{"message": message, "code": "REQUIRES_USER_AUTHENTICATION"}]


def test_bucket_windows_follow_vancouver_days_across_daylight_saving() -> None:
    # 2026-03-09 10:00 UTC is 03:00 PDT on the day after the spring change (midnight was 07:00 UTC).
    now = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    today = int(datetime(2026, 3, 9, 7, 0, tzinfo=UTC).timestamp())
    week_ago = int(datetime(2026, 3, 2, 8, 0, tzinfo=UTC).timestamp())  # a PST midnight
    month_ago = int(datetime(2026, 2, 7, 8, 0, tzinfo=UTC).timestamp())
    assert bucket_window(Bucket.TODAY, now) == Window(today, None)
    assert bucket_window(Bucket.THIS_WEEK, now) == Window(week_ago, today)
    assert bucket_window(Bucket.THIS_MONTH, now) == Window(month_ago, week_ago)
    assert bucket_window(Bucket.EARLIER, now) == Window(0, month_ago)


async def test_settings_are_the_ten_defaults_in_the_originals_order(
    client: httpx.AsyncClient, people: dict[str, Any]
) -> None:
    status = (await run(client, SETTINGS, people["bearer"]))["data"]["getNotificationSettings"]
    reader = people["reader"]
    assert status["userId"] == str(reader)
    assert [(item["id"], item["isEnabled"]) for item in status["settings"]] == [
        (f"{reader}:COMMENT_LIKED:EMAIL", False), (f"{reader}:COMMENT_LIKED:PUSH", True),
        (f"{reader}:COMMENT_REPLY:EMAIL", False), (f"{reader}:COMMENT_REPLY:PUSH", True),
        (f"{reader}:CREATOR_EPISODE_COMMENTED:EMAIL", True), (f"{reader}:CREATOR_EPISODE_COMMENTED:PUSH", True),
        (f"{reader}:CREATOR_EPISODE_LIKED:EMAIL", True), (f"{reader}:CREATOR_EPISODE_LIKED:PUSH", True),
        (f"{reader}:NEW_EPISODE_RELEASED:EMAIL", False), (f"{reader}:NEW_EPISODE_RELEASED:PUSH", True),
    ]  # fmt: skip


@pytest.fixture
async def recording_client(
    settings: Settings, engine: object
) -> AsyncIterator[tuple[httpx.AsyncClient, RecordingPurger]]:
    purger = RecordingPurger()
    container = build_container(settings, "test", RecordingPurgerProvider(purger))
    transport = httpx.ASGITransport(app=build_app(container, settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
        yield http, purger
    await container.close()


async def test_a_setting_is_upserted_echoed_read_back_and_purged(
    recording_client: tuple[httpx.AsyncClient, RecordingPurger],
    people: dict[str, Any],
    sessionmaker: Sessionmaker,
) -> None:
    client, purger = recording_client
    reader, bearer = people["reader"], people["bearer"]
    change = {"eventType": "COMMENT_LIKED", "channel": "PUSH"}
    first = await run(client, UPDATE_SETTING, bearer, **change, isEnabled=False)
    assert first["data"]["addOrUpdateNotificationSetting"] == {
        "id": f"{reader}:COMMENT_LIKED:PUSH",
        **change,
        "isEnabled": False,
    }
    assert purger.purges == [Purge(CacheType.NOTIFICATION_SETTINGS, (str(reader),))]
    settings = (await run(client, SETTINGS, bearer))["data"]["getNotificationSettings"]["settings"]
    assert {"id": f"{reader}:COMMENT_LIKED:PUSH", **change, "isEnabled": False} in settings
    # Both channels of COMMENT_LIKED are now off: a like of the reader's comment leaves no notification.
    assert not await notify(sessionmaker, now(), reader, people["fan"], Event.COMMENT_LIKED,
                            target_uuid="c", target_type="COMMENT")  # fmt: skip
    await run(client, UPDATE_SETTING, bearer, **change, isEnabled=True)
    async with sessionmaker() as session:
        stored = await session.scalar(select(func.count()).select_from(tables.NotificationSetting))
    assert stored == 1
    assert (await run(client, SETTINGS, bearer))["data"]["getNotificationSettings"]["settings"][1][
        "isEnabled"
    ]


@pytest.fixture
async def episode(events: EventApplier) -> dict[str, str]:
    seeded = await seed_series(events, issues=1)
    return {"series": seeded["series"]["uuid"], "issue": seeded["issues"][0]["uuid"]}


async def test_the_feed_buckets_groups_and_resolves_items(
    client: httpx.AsyncClient, people: dict[str, Any], sessionmaker: Sessionmaker, episode: dict[str, str]
) -> None:
    reader, fan = people["reader"], people["fan"]
    other = (await add_user(sessionmaker, "other")).id
    times = midnights(datetime.now(UTC))
    issue = {"target_uuid": episode["issue"], "target_type": "COMICISSUE",
             "parent_uuid": episode["series"], "parent_type": "COMICSERIES"}  # fmt: skip
    comment = await add_comment(sessionmaker, user_id=reader, issue_uuid=episode["issue"],
                                series_uuid=episode["series"], created_at=now(), text="<3 & more")  # fmt: skip
    reply = {"target_uuid": comment, "target_type": "COMMENT",
             "parent_uuid": episode["issue"], "parent_type": "COMICISSUE"}  # fmt: skip
    # Today: two likes of the episode (one group) and a reply; this week: one like; earlier: a reply.
    await notify(sessionmaker, times[Bucket.TODAY], reader, fan, Event.CREATOR_EPISODE_LIKED, **issue)
    await notify(sessionmaker, times[Bucket.TODAY] + 1, reader, other, Event.CREATOR_EPISODE_LIKED, **issue)
    await notify(sessionmaker, times[Bucket.TODAY], reader, fan, Event.COMMENT_REPLY, **reply)
    await notify(sessionmaker, times[Bucket.THIS_WEEK], reader, fan, Event.CREATOR_EPISODE_LIKED, **issue)
    await notify(sessionmaker, times[Bucket.EARLIER], reader, other, Event.COMMENT_REPLY, **reply)
    await notify(sessionmaker, times[Bucket.TODAY], fan, reader, Event.COMMENT_REPLY, **reply)  # fan's feed

    buckets = ["EARLIER", "THIS_MONTH", "TODAY", "THIS_WEEK"]
    feed = (await run(client, FEED, people["bearer"], buckets=buckets, limit=50))["data"][
        "getNotificationsForUser"
    ]

    assert feed["userId"] == str(reader)
    # Request order; THIS_MONTH is empty and left out.
    assert [section["bucket"] for section in feed["sections"]] == ["EARLIER", "TODAY", "THIS_WEEK"]
    earlier, today, week = (section["items"] for section in feed["sections"])
    grouped, single = today
    assert grouped["__typename"] == "AggregatedNotification"
    assert grouped["id"] == f"CREATOR_EPISODE_LIKED:{episode['issue']}:TODAY"
    assert (grouped["count"], grouped["latestCreatedAt"]) == (2, times[Bucket.TODAY] + 1)
    assert grouped["targetItem"]["comicIssue"]["uuid"] == episode["issue"]
    assert grouped["targetItem"]["comicSeries"]["uuid"] == episode["series"]
    assert grouped["parentItem"] == {"uuid": episode["series"], "type": "COMICSERIES"}
    assert single["__typename"] == "Notification"
    assert (single["eventType"], single["createdAt"]) == ("COMMENT_REPLY", times[Bucket.TODAY])
    assert single["actor"] == {"id": str(fan), "username": "fan"}
    assert single["targetItem"]["comment"] == {
        "uuid": comment,
        "text": "<3 & more",
        "replyToUuid": None,
    }
    assert single["targetItem"]["comicIssue"] is None
    assert [(item["__typename"], item["count"]) for item in week] == [("AggregatedNotification", 1)]
    assert [item["actor"]["username"] for item in earlier] == ["other"]


async def test_a_new_notification_shows_in_the_next_read(
    client: httpx.AsyncClient, people: dict[str, Any], sessionmaker: Sessionmaker
) -> None:
    """The feed is never answered from a cached response: a write is visible at once, to its owner only."""
    reader, fan = people["reader"], people["fan"]
    empty = await run(client, FEED, people["bearer"], buckets=["TODAY"])
    assert empty["data"]["getNotificationsForUser"]["sections"] == []
    assert await notify(
        sessionmaker, now(), reader, fan, Event.COMMENT_LIKED, target_uuid="c", target_type="COMMENT"
    )
    after = await run(client, FEED, people["bearer"], buckets=["TODAY"])
    assert [section["bucket"] for section in after["data"]["getNotificationsForUser"]["sections"]] == [
        "TODAY"
    ]
    others = await run(client, FEED, people["fan_bearer"], buckets=["TODAY"])
    assert others["data"]["getNotificationsForUser"] == {"userId": str(fan), "sections": []}


async def add_replies(sessionmaker: Sessionmaker, recipient: int, sender: int, count: int, at: int) -> None:
    rows = [
        {"created_at": at, "recipient_id": recipient, "sender_id": sender, "event_type": "COMMENT_REPLY",
         "target_uuid": f"reply-{index}", "target_type": "COMMENT"}
        for index in range(count)
    ]  # fmt: skip
    async with sessionmaker() as session, session.begin():
        await session.execute(insert(tables.UserNotification), rows)


@pytest.mark.parametrize(
    ("limit", "offset", "expected"),
    [(None, None, 50), (0, 0, 50), (3, None, 3), (500, 0, 100), (-5, 0, 1), (50, 100, 5), (50, -3, 50)],
)
async def test_feed_limits_and_offsets(
    client: httpx.AsyncClient,
    people: dict[str, Any],
    sessionmaker: Sessionmaker,
    limit: int | None,
    offset: int | None,
    expected: int,
) -> None:
    await add_replies(sessionmaker, people["reader"], people["fan"], 105, now())
    variables = {"buckets": ["TODAY"], "limit": limit, "offset": offset}
    body = await run(client, FEED, people["bearer"], **variables)
    assert len(body["data"]["getNotificationsForUser"]["sections"][0]["items"]) == expected


async def test_a_section_holds_up_to_the_limit_of_each_kind(
    client: httpx.AsyncClient, people: dict[str, Any], sessionmaker: Sessionmaker
) -> None:
    reader, fan = people["reader"], people["fan"]
    at = now()
    await add_replies(sessionmaker, reader, fan, 3, at)
    for index in range(3):
        await notify(
            sessionmaker, at, reader, fan, Event.COMMENT_LIKED, target_uuid=f"c{index}", target_type="COMMENT"
        )
    body = await run(client, FEED, people["bearer"], buckets=["TODAY"], limit=2)
    items = body["data"]["getNotificationsForUser"]["sections"][0]["items"]
    assert (
        sorted(item["__typename"] for item in items) == ["AggregatedNotification"] * 2 + ["Notification"] * 2
    )


@pytest.mark.parametrize("token", [EXPO_TOKEN, "ExpoPushToken[abc]", "0f8e3a1c-5b2d-4e6f-9a7b-1c2d3e4f5a6b"])
async def test_an_expo_push_token_is_saved_once_per_device(
    client: httpx.AsyncClient, people: dict[str, Any], sessionmaker: Sessionmaker, token: str
) -> None:
    assert (await run(client, PUSH_TOKEN, people["bearer"], fcmToken=token, platform="ios"))["data"] == {
        "savePushToken": True
    }
    assert (await run(client, PUSH_TOKEN, people["bearer"], fcmToken=token, platform="android"))["data"]
    async with sessionmaker() as session:
        devices = (await session.execute(select(tables.UserDevice.user_id, tables.UserDevice.fcm_token,
                                                tables.UserDevice.platform))).all()  # fmt: skip
    assert [tuple(device) for device in devices] == [(people["reader"], token, "android")]


@pytest.mark.parametrize(
    ("token", "platform", "message"),
    [
        ("", "ios", "FCM token and platform are required"),
        (EXPO_TOKEN, " ", "FCM token and platform are required"),
        ("fcm:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx", "android", "Failed to save push token"),
        ("ExponentPushToken[" + "x" * 300 + "]", "ios", "Failed to save push token"),
    ],
)
async def test_a_push_token_that_is_not_expos_is_refused(
    client: httpx.AsyncClient,
    people: dict[str, Any],
    sessionmaker: Sessionmaker,
    token: str,
    platform: str,
    message: str,
) -> None:
    body = await run(client, PUSH_TOKEN, people["bearer"], fcmToken=token, platform=platform)
    assert body["errors"] == [{"message": message, "code": "BAD_USER_INPUT"}]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(tables.UserDevice)) == 0
