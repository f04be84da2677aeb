"""Account deletion on seeded data: every table that names a user is cleared, comments others replied to
stay as authorless placeholders, and the cached public answers change at once."""

import re
from typing import Any

import httpx
import pytest
from dishka import AsyncContainer
from sqlalchemy import Column, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.database.base import Base
from inkverse.database.engine import make_sessionmaker
from inkverse.errors import NotFoundError
from inkverse.users.deletion import DELETED_COMMENT_TEXT, USER_REFERENCES, AccountDeletion
from tests.fixtures.catalog import EventApplier
from tests.graphql.conftest import Query, query_runner
from tests.graphql.seed import add_comment, add_user, now, seed_series

Sessionmaker = async_sessionmaker[AsyncSession]

# A column names a user when it is called like one or is a foreign key to `users`.
_USER_COLUMN = re.compile(r"^(.+_)?user_id$|^(recipient|sender|author|owner|reporter|actor)(_user)?_id$")

COMMENTS = """query C($t: ID!) {
  getComments(targetUuid: $t, targetType: COMICISSUE, sortBy: NEWEST) {
    targetUuid comments { uuid text user { id username } stats { uuid replyCount likeCount } }
  }
}"""
STATS = "query S($i: ID!) { getStatsForComicIssue(issueUuid: $i) { uuid likeCount commentCount } }"
USER = "query U($id: ID!) { getUserById(id: $id) { id username } }"


def user_reference_columns() -> set[tuple[str, str]]:
    found = set()
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if _names_a_user(column):
                found.add((table.name, column.name))
    return found | {("users", "id")}


def _names_a_user(column: Column[Any]) -> bool:
    to_users = any(key.column.table.name == "users" for key in column.foreign_keys)
    return to_users or _USER_COLUMN.match(column.name) is not None


def test_every_table_naming_a_user_is_handled_by_the_deletion() -> None:
    """A new table with a user column must be added to the deletion (and to the seeding below)."""
    assert user_reference_columns() == USER_REFERENCES


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return make_sessionmaker(engine)


@pytest.fixture
def events(sessionmaker: Sessionmaker) -> EventApplier:
    return EventApplier(sessionmaker)


@pytest.fixture
def gql(client: httpx.AsyncClient) -> Query:
    return query_runner(client)


async def add_rows(sessionmaker: Sessionmaker, *rows: Base) -> None:
    async with sessionmaker() as session, session.begin():
        session.add_all(rows)


def owned_rows(user_id: int, series: str, marker: str) -> list[Base]:
    """One row in each table that belongs to the user outright."""
    creator = f"00000000-0000-4000-8000-00000000000{user_id % 10}"
    return [
        tables.UserDevice(user_id=user_id, fcm_token=f"ExponentPushToken[{marker}]", platform="ios"),
        tables.OAuthToken(
            user_id=user_id,
            refresh_token=marker,
            hosting_provider_uuid="e9957105-80e4-46e3-8e82-20472b9d7512",
            refresh_token_expires_at=now() + 3600,
        ),
        tables.UserSeriesSubscription(user_id=user_id, series_uuid=series),
        tables.NotificationPreference(
            user_id=user_id, notification_type="NEW_EPISODE_RELEASED", value=series
        ),
        tables.NotificationSetting(
            user_id=user_id, event_type="COMMENT_REPLY", channel="PUSH", is_enabled=False, created_at=now()
        ),
        tables.UserCreatorClaim(
            user_id=user_id, creator_uuid=creator, claim_token=marker, claim_token_expiry=now() + 3600
        ),
    ]


def like(user_id: int, likeable: str, likeable_type: str, parent: str, parent_type: str) -> tables.UserLike:
    return tables.UserLike(
        user_id=user_id,
        likeable_uuid=likeable,
        likeable_type=likeable_type,
        parent_uuid=parent,
        parent_type=parent_type,
    )


def notification(recipient: int, sender: int | None, event: str, target: str, target_type: str) -> Base:
    return tables.UserNotification(
        created_at=now(),
        recipient_id=recipient,
        sender_id=sender,
        event_type=event,
        target_uuid=target,
        target_type=target_type,
    )


@pytest.fixture
async def community(events: EventApplier, sessionmaker: Sessionmaker) -> dict[str, Any]:
    """Alice (to delete) and Bob, with rows in every table that names a user.

    Alice's comments: `lonely` (liked and reported by Bob), `answered` (Bob replied to it), and a reply to
    Bob's comment. Alice liked the issue and Bob's comment, reported Bob's comment, and both sent each
    other a notification."""
    seeded = await seed_series(events, issues=1)
    issue, series = seeded["issues"][0]["uuid"], seeded["series"]["uuid"]
    alice = await add_user(sessionmaker, "alice")
    bob = await add_user(sessionmaker, "bob")
    start = now() - 1000

    async def comment(author: int, offset: int, reply_to: str | None = None) -> str:
        return await add_comment(sessionmaker, user_id=author, issue_uuid=issue, series_uuid=series,
                                 created_at=start + offset, text=f"said at {offset}", reply_to=reply_to)  # fmt: skip

    ids = {"bobs": await comment(bob.id, 0), "lonely": await comment(alice.id, 10)}
    ids["answered"] = await comment(alice.id, 20)
    ids["bobs_reply"] = await comment(bob.id, 30, reply_to=ids["answered"])
    ids["alices_reply"] = await comment(alice.id, 40, reply_to=ids["bobs"])
    await add_rows(
        sessionmaker,
        *owned_rows(alice.id, series, "alice"),
        *owned_rows(bob.id, series, "bob"),
        like(alice.id, issue, "COMICISSUE", series, "COMICSERIES"),
        like(bob.id, issue, "COMICISSUE", series, "COMICSERIES"),
        like(alice.id, ids["bobs"], "COMMENT", issue, "COMICISSUE"),
        like(bob.id, ids["lonely"], "COMMENT", issue, "COMICISSUE"),
        like(bob.id, ids["answered"], "COMMENT", issue, "COMICISSUE"),
        tables.UserReport(
            reporter_user_id=alice.id, target_uuid=ids["bobs"], target_type="COMMENT", report_type="SPAM"
        ),
        tables.UserReport(
            reporter_user_id=bob.id, target_uuid=ids["lonely"], target_type="COMMENT", report_type="SPAM"
        ),
        notification(alice.id, bob.id, "COMMENT_REPLY", ids["bobs_reply"], "COMMENT"),
        notification(bob.id, alice.id, "COMMENT_LIKED", ids["bobs"], "COMMENT"),
        notification(bob.id, None, "NEW_EPISODE_RELEASED", issue, "COMICISSUE"),
    )
    return {"issue": issue, "series": series, "alice": alice.id, "bob": bob.id, **ids}


async def references_to(sessionmaker: Sessionmaker, user_id: int) -> dict[tuple[str, str], int]:
    counts = {}
    async with sessionmaker() as session:
        for table_name, column_name in sorted(user_reference_columns()):
            column = Base.metadata.tables[table_name].c[column_name]
            counts[(table_name, column_name)] = (
                await session.scalar(select(func.count()).where(column == user_id)) or 0
            )
    return counts


async def delete_account(container: AsyncContainer, user_id: int) -> Any:
    return await (await container.get(AccountDeletion)).delete(user_id)


async def test_deletion_leaves_no_row_naming_the_user(
    container: AsyncContainer, sessionmaker: Sessionmaker, community: dict[str, Any]
) -> None:
    before = await references_to(sessionmaker, community["alice"])
    # Sender-only references are seeded as well: every column has a row to remove.
    assert all(before.values()), before
    bob_before = await references_to(sessionmaker, community["bob"])

    deleted = await delete_account(container, community["alice"])

    assert set((await references_to(sessionmaker, community["alice"])).values()) == {0}
    assert deleted.kept_comments == 1
    assert deleted.removed["users"] == 1
    assert deleted.removed["user_comments"] == 2
    # Bob's like and report of Alice's deleted comment, and Alice's like notification to him, went too.
    bob_after = await references_to(sessionmaker, community["bob"])
    assert bob_before[("user_likes", "user_id")] - bob_after[("user_likes", "user_id")] == 1
    assert bob_after[("user_reports", "reporter_user_id")] == 0
    assert bob_after[("user_notifications", "recipient_id")] == 1
    assert bob_after[("user_comments", "user_id")] == 2


async def test_comments_others_replied_to_stay_without_author_and_caches_are_purged(
    container: AsyncContainer, gql: Query, community: dict[str, Any]
) -> None:
    issue = community["issue"]
    before = (await gql(COMMENTS, t=issue))["data"]["getComments"]["comments"]
    assert [comment["uuid"] for comment in before] == [
        community["answered"], community["lonely"], community["bobs"]
    ]  # fmt: skip
    stats_before = (await gql(STATS, i=issue))["data"]["getStatsForComicIssue"]
    assert stats_before == {"uuid": issue, "likeCount": 2, "commentCount": 5}
    assert (await gql(USER, id=str(community["alice"])))["data"]["getUserById"] is not None

    await delete_account(container, community["alice"])

    after = (await gql(COMMENTS, t=issue))["data"]["getComments"]["comments"]
    assert after == [
        {"uuid": community["answered"], "text": DELETED_COMMENT_TEXT, "user": None,
         "stats": {"uuid": community["answered"], "replyCount": 1, "likeCount": 1}},
        {"uuid": community["bobs"], "text": "said at 0", "user": {"id": str(community["bob"]), "username": "bob"},
         "stats": {"uuid": community["bobs"], "replyCount": 0, "likeCount": 0}},
    ]  # fmt: skip
    # The placeholder and Bob's two comments remain; Alice's like of the issue is gone.
    assert (await gql(STATS, i=issue))["data"]["getStatsForComicIssue"] == {
        "uuid": issue, "likeCount": 1, "commentCount": 3
    }  # fmt: skip
    assert (await gql(USER, id=str(community["alice"])))["data"]["getUserById"] is None


async def test_an_unknown_user_is_refused(container: AsyncContainer, engine: AsyncEngine) -> None:
    deletion = await container.get(AccountDeletion)
    with pytest.raises(NotFoundError, match=r"no user with e-mail 'Nobody@Example\.com'"):
        await deletion.find("Nobody@Example.com ")
    with pytest.raises(NotFoundError, match="no user with id 404"):
        await deletion.delete(404)


async def test_a_user_is_found_by_id_or_normalised_email(
    container: AsyncContainer, sessionmaker: Sessionmaker
) -> None:
    user = await add_user(sessionmaker, "carol")
    deletion = await container.get(AccountDeletion)
    assert (await deletion.find(str(user.id))).id == user.id
    assert (await deletion.find(" Carol@Example.COM")).id == user.id
