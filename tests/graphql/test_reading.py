"""A reader's series over HTTP, signed in with a bearer token, against real PostgreSQL and Redis:
subscriptions (and the public list of them, read through the response cache), new-episode alerts,
episode likes and super-likes with the creator's notification, the like limit and the auth errors."""

import asyncio
from typing import Any

import httpx
import pytest
from dishka import AsyncContainer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.api.app import build_app
from inkverse.cache.rate_limit import RateLimiter
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.graphql.reading import LIKES_BUCKET, LIKES_PER_MINUTE
from inkverse.settings import RedisSettings, Settings
from inkverse.users.tokens import TokenService, TokenType
from tests.fixtures.catalog import EventApplier, StatementCounter
from tests.graphql.conftest import run
from tests.graphql.seed import add_user, seed_creator, seed_series

STATE = "seriesUuid isSubscribed isRecommended hasNotificationEnabled likedComicIssueUuids"
SUBSCRIBE = f"mutation($s: ID!) {{ subscribeToSeries(seriesUuid: $s) {{ {STATE} }} }}"
UNSUBSCRIBE = f"mutation($s: ID!) {{ unsubscribeFromSeries(seriesUuid: $s) {{ {STATE} }} }}"
SUBSCRIBE_MANY = "mutation($ids: [ID!]!) { subscribeToMultipleComicSeries(seriesUuids: $ids) }"
ENABLE = f"mutation($s: ID!) {{ enableNotificationsForSeries(seriesUuid: $s) {{ {STATE} }} }}"
DISABLE = f"mutation($s: ID!) {{ disableNotificationsForSeries(seriesUuid: $s) {{ {STATE} }} }}"
LIKE = f"mutation($i: ID!, $s: ID!) {{ likeComicIssue(issueUuid: $i, seriesUuid: $s) {{ {STATE} }} }}"
UNLIKE = f"mutation($i: ID!, $s: ID!) {{ unlikeComicIssue(issueUuid: $i, seriesUuid: $s) {{ {STATE} }} }}"
SUPER_LIKE = f"mutation($s: ID!) {{ superLikeAllEpisodes(seriesUuid: $s) {{ {STATE} }} }}"
USER_SERIES = f"query($s: ID!) {{ getUserComicSeries(seriesUuid: $s) {{ {STATE} }} }}"
SUBSCRIBED = """query($id: ID!, $limit: Int, $page: Int) {
  getUserSubscribedComics(userId: $id, limitPerPage: $limit, page: $page) { userId comicSeries { uuid name } }
}"""
ISSUE_STATS = "query($i: ID!) { getStatsForComicIssue(issueUuid: $i) { uuid likeCount } }"
SERIES_STATS = "query($s: ID!) { getStatsForComicSeries(seriesUuid: $s) { uuid likeCount } }"


@pytest.fixture
async def reader(sessionmaker: async_sessionmaker[AsyncSession]) -> tables.User:
    return await add_user(sessionmaker, "reader")


@pytest.fixture
async def bearer(container: AsyncContainer, reader: tables.User) -> dict[str, str]:
    tokens = await container.get(TokenService)
    return {"Authorization": f"Bearer {tokens.issue(reader.id, TokenType.ACCESS)}"}


@pytest.fixture
async def series(events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """A series of three episodes whose creator is claimed by the account `ann`."""
    seeded = await seed_series(events, issues=3, name="The Lighthouse Keeper")
    made = await seed_creator(events, seeded["series"]["uuid"], name="Ann Example")
    creator = await add_user(sessionmaker, "ann", creator_uuid=made["creator"]["uuid"])
    return {
        "uuid": seeded["series"]["uuid"],
        "issues": [issue["uuid"] for issue in seeded["issues"]],
        "creator_id": creator.id,
        "creator_uuid": made["creator"]["uuid"],
    }


async def data(client: httpx.AsyncClient, query: str, headers: dict[str, str], **variables: Any) -> Any:
    body = await run(client, query, headers, **variables)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def count(sessionmaker: async_sessionmaker[AsyncSession], table: type[Any], *where: Any) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def creator_likes(creator_id: int) -> tuple[Any, ...]:
    notification = tables.UserNotification
    return (notification.recipient_id == creator_id, notification.event_type == "CREATOR_EPISODE_LIKED")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (SUBSCRIBE, "You must be logged in to subscribe to a series"),
        (UNSUBSCRIBE, "You must be logged in to unsubscribe from a series"),
        (SUBSCRIBE_MANY, "You must be logged in to subscribe to series"),
        (ENABLE, "You must be logged in to enable notifications"),
        (DISABLE, "You must be logged in to disable notifications"),
        (LIKE, "You must be logged in to like a comic issue"),
        (UNLIKE, "You must be logged in to unlike a comic issue"),
        (SUPER_LIKE, "You must be logged in to super-like episodes"),
        (USER_SERIES, "You must be logged in to get user comic data"),
    ],
)
async def test_every_reader_field_needs_a_signed_in_user(
    client: httpx.AsyncClient, series: dict[str, Any], query: str, message: str
) -> None:
    body = await run(client, query, s=series["uuid"], i=series["issues"][0], ids=[series["uuid"]])
    assert body["errors"] == [{"message": message, "code": "REQUIRES_USER_AUTHENTICATION"}]


async def test_a_subscription_shows_in_the_public_list_read_through_the_cache(
    client: httpx.AsyncClient, series: dict[str, Any], reader: tables.User, bearer: dict[str, str]
) -> None:
    before = await data(client, SUBSCRIBED, {}, id=str(reader.id))
    assert before == {"userId": str(reader.id), "comicSeries": []}
    state = await data(client, SUBSCRIBE, bearer, s=series["uuid"].upper())
    assert state == {
        "seriesUuid": series["uuid"],
        "isSubscribed": True,
        "isRecommended": False,
        "hasNotificationEnabled": False,
        "likedComicIssueUuids": [],
    }
    assert (await data(client, SUBSCRIBE, bearer, s=series["uuid"]))["isSubscribed"] is True
    after = await data(client, SUBSCRIBED, bearer, id=str(reader.id))  # a signed-in reader reads it too
    assert after["comicSeries"] == [{"uuid": series["uuid"], "name": "The Lighthouse Keeper"}]
    assert (await data(client, UNSUBSCRIBE, bearer, s=series["uuid"]))["isSubscribed"] is False
    assert (await data(client, SUBSCRIBED, {}, id=str(reader.id)))["comicSeries"] == []


async def test_the_public_list_pages_newest_subscription_first(
    client: httpx.AsyncClient, events: EventApplier, reader: tables.User, bearer: dict[str, str]
) -> None:
    uuids = [(await seed_series(events, issues=0, name=f"Series {n}"))["series"]["uuid"] for n in range(3)]
    for uuid in uuids:
        await data(client, SUBSCRIBE, bearer, s=uuid)
    first = await data(client, SUBSCRIBED, {}, id=str(reader.id), limit=2, page=1)
    second = await data(client, SUBSCRIBED, {}, id=str(reader.id), limit=2, page=2)
    everything = await data(client, SUBSCRIBED, {}, id=str(reader.id))
    listed = [entry["uuid"] for entry in everything["comicSeries"]]
    assert sorted(listed) == sorted(uuids)
    assert [entry["uuid"] for entry in first["comicSeries"] + second["comicSeries"]] == listed
    unknown = await data(client, SUBSCRIBED, {}, id="not-a-user")
    assert unknown == {"userId": "not-a-user", "comicSeries": []}


async def test_the_public_list_refuses_pages_over_1000(
    client: httpx.AsyncClient, reader: tables.User
) -> None:
    body = await run(client, SUBSCRIBED, id=str(reader.id), limit=1001)
    assert body["errors"] == [{"message": "Failed to get subscribed comics", "code": "INKVERSE_SERVER_ERROR"}]


async def test_subscribing_to_several_series(
    client: httpx.AsyncClient,
    series: dict[str, Any],
    reader: tables.User,
    bearer: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    empty = await run(client, SUBSCRIBE_MANY, bearer, ids=[])
    assert empty["errors"] == [{"message": "At least one series UUID is required", "code": "BAD_USER_INPUT"}]
    assert await data(client, SUBSCRIBE_MANY, bearer, ids=["nonsense"]) is False
    twice = [series["uuid"], series["uuid"].upper(), "nonsense"]
    assert await data(client, SUBSCRIBE_MANY, bearer, ids=twice) is True
    assert await data(client, SUBSCRIBE_MANY, bearer, ids=twice) is True
    subscription = tables.UserSeriesSubscription
    assert await count(sessionmaker, subscription, subscription.user_id == reader.id) == 1
    assert (await data(client, USER_SERIES, bearer, s=series["uuid"]))["isSubscribed"] is True
    listed = await data(client, SUBSCRIBED, {}, id=str(reader.id))
    assert [entry["uuid"] for entry in listed["comicSeries"]] == [series["uuid"]]


async def test_new_episode_alerts_turn_on_and_off(
    client: httpx.AsyncClient, series: dict[str, Any], bearer: dict[str, str]
) -> None:
    assert (await data(client, ENABLE, bearer, s=series["uuid"]))["hasNotificationEnabled"] is True
    assert (await data(client, ENABLE, bearer, s=series["uuid"]))["hasNotificationEnabled"] is True
    assert (await data(client, USER_SERIES, bearer, s=series["uuid"]))["hasNotificationEnabled"] is True
    assert (await data(client, DISABLE, bearer, s=series["uuid"]))["hasNotificationEnabled"] is False
    assert (await data(client, USER_SERIES, bearer, s=series["uuid"]))["hasNotificationEnabled"] is False


async def test_a_malformed_series_uuid_is_the_clients_mistake(
    client: httpx.AsyncClient, bearer: dict[str, str]
) -> None:
    body = await run(client, SUBSCRIBE, bearer, s="nope")
    assert body["errors"] == [{"message": "nope is not a valid seriesUuid", "code": "BAD_USER_INPUT"}]


async def test_a_like_counts_once_notifies_the_creator_once_and_shows_through_the_cache(
    client: httpx.AsyncClient,
    series: dict[str, Any],
    bearer: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    issue = series["issues"][1]
    assert (await data(client, ISSUE_STATS, {}, i=issue))["likeCount"] == 0  # cached now
    assert (await data(client, SERIES_STATS, bearer, s=series["uuid"]))["likeCount"] == 0
    for _ in range(2):
        state = await data(client, LIKE, bearer, i=issue, s=series["uuid"])
        assert state["likedComicIssueUuids"] == [issue]
    assert (await data(client, ISSUE_STATS, {}, i=issue))["likeCount"] == 1
    assert (await data(client, SERIES_STATS, bearer, s=series["uuid"]))["likeCount"] == 1
    assert await count(sessionmaker, tables.UserNotification, *creator_likes(series["creator_id"])) == 1

    for _ in range(2):
        state = await data(client, UNLIKE, bearer, i=issue, s=series["uuid"])
        assert state["likedComicIssueUuids"] == []
    assert (await data(client, ISSUE_STATS, {}, i=issue))["likeCount"] == 0
    assert (await data(client, SERIES_STATS, bearer, s=series["uuid"]))["likeCount"] == 0
    assert await count(sessionmaker, tables.UserNotification, *creator_likes(series["creator_id"])) == 0


async def test_the_creator_liking_their_own_episode_gets_no_notification(
    client: httpx.AsyncClient,
    container: AsyncContainer,
    series: dict[str, Any],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tokens = await container.get(TokenService)
    own = {"Authorization": f"Bearer {tokens.issue(series['creator_id'], TokenType.ACCESS)}"}
    await data(client, LIKE, own, i=series["issues"][0], s=series["uuid"])
    assert await count(sessionmaker, tables.UserNotification, *creator_likes(series["creator_id"])) == 0


async def test_twenty_concurrent_likes_leave_one_row(
    client: httpx.AsyncClient,
    series: dict[str, Any],
    bearer: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    issue = series["issues"][0]
    answers = await asyncio.gather(
        *(data(client, LIKE, bearer, i=issue, s=series["uuid"]) for _ in range(20))
    )
    assert all(answer["likedComicIssueUuids"] == [issue] for answer in answers)
    like = tables.UserLike
    assert await count(sessionmaker, like, like.likeable_uuid == issue) == 1
    assert (await data(client, ISSUE_STATS, {}, i=issue))["likeCount"] == 1
    assert await count(sessionmaker, tables.UserNotification, *creator_likes(series["creator_id"])) == 1


async def test_a_super_like_likes_every_live_episode_once(
    client: httpx.AsyncClient,
    series: dict[str, Any],
    bearer: dict[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    first, *others = series["issues"]
    assert (await data(client, SERIES_STATS, {}, s=series["uuid"]))["likeCount"] == 0  # cached now
    assert (await data(client, ISSUE_STATS, {}, i=others[0]))["likeCount"] == 0
    await data(client, LIKE, bearer, i=first, s=series["uuid"])
    state = await data(client, SUPER_LIKE, bearer, s=series["uuid"])
    assert sorted(state["likedComicIssueUuids"]) == sorted(series["issues"])
    again = await data(client, SUPER_LIKE, bearer, s=series["uuid"])
    assert sorted(again["likedComicIssueUuids"]) == sorted(series["issues"])
    assert (await data(client, SERIES_STATS, {}, s=series["uuid"]))["likeCount"] == 3
    assert (await data(client, ISSUE_STATS, {}, i=others[0]))["likeCount"] == 1
    assert await count(sessionmaker, tables.UserNotification, *creator_likes(series["creator_id"])) == 3


async def test_likes_are_limited_per_reader_per_minute(
    client: httpx.AsyncClient,
    container: AsyncContainer,
    series: dict[str, Any],
    reader: tables.User,
    bearer: dict[str, str],
) -> None:
    limiter = await container.get(RateLimiter)
    for _ in range(LIKES_PER_MINUTE - 1):
        await limiter.hit(LIKES_BUCKET, str(reader.id), limit=LIKES_PER_MINUTE, window_seconds=60)
    await data(client, LIKE, bearer, i=series["issues"][0], s=series["uuid"])  # the 60th
    refused = await run(client, LIKE, bearer, i=series["issues"][1], s=series["uuid"])
    assert refused["errors"][0]["code"] == "API_RATE_LIMIT_EXCEEDED"
    assert refused["errors"][0]["message"].startswith("You are liking too fast. Try again in ")
    also = await run(client, SUPER_LIKE, bearer, s=series["uuid"])
    assert also["errors"][0]["code"] == "API_RATE_LIMIT_EXCEEDED"
    state = await data(client, USER_SERIES, bearer, s=series["uuid"])
    assert state["likedComicIssueUuids"] == [series["issues"][0]]


async def test_likes_go_through_when_redis_is_down(
    settings: Settings, series: dict[str, Any], bearer: dict[str, str]
) -> None:
    unreachable = RedisSettings(url="redis://127.0.0.1:1/0", socket_timeout_seconds=0.2)
    broken = settings.model_copy(update={"redis": unreachable})
    container = build_container(broken, "test")
    try:
        transport = httpx.ASGITransport(app=build_app(container, broken))
        async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
            state = await data(http, LIKE, bearer, i=series["issues"][0], s=series["uuid"])
    finally:
        await container.close()
    assert state["likedComicIssueUuids"] == [series["issues"][0]]


async def test_a_like_costs_a_fixed_number_of_statements(
    client: httpx.AsyncClient, engine: AsyncEngine, series: dict[str, Any], bearer: dict[str, str]
) -> None:
    """The user's row, the INSERT, the creator lookup, the notification, the returned state: a first
    like that notifies the creator costs 5 statements; a repeated one 3 (no lookup, no notification)."""
    counts = []
    for _ in range(2):
        with StatementCounter(engine) as counter:
            await data(client, LIKE, bearer, i=series["issues"][0], s=series["uuid"])
        counts.append(counter.count)
    assert counts == [5, 3]
