"""Seeding for the GraphQL tests: the catalog through the webhook writers (as the worker writes it),
users, comments and likes as rows (their write paths come with the users issue), and bulk issues with
SQLAlchemy core for the statement-count tests."""

import time
import uuid as uuid_module
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.events import TaddyType
from inkverse.database import tables
from inkverse.taddy.oauth import TADDY_HOSTING_PROVIDER_UUID
from tests.fixtures.catalog import EventApplier
from tests.fixtures.taddy_payloads import creator_data, creatorcontent_data, issue_data, series_data

Sessionmaker = async_sessionmaker[AsyncSession]
DAY = 86_400


def now() -> int:
    return int(time.time())


async def seed_series(events: EventApplier, issues: int = 3, **overrides: Any) -> dict[str, Any]:
    series = series_data(**overrides)
    await events.created(TaddyType.COMICSERIES, series)
    issue_list = []
    for position in range(issues):
        issue = issue_data(series["uuid"], position=position, name=f"Episode {position + 1}", stories=2)
        await events.created(TaddyType.COMICISSUE, issue)
        issue_list.append(issue)
    return {"series": series, "issues": issue_list}


async def seed_creator(events: EventApplier, series_uuid: str, **overrides: Any) -> dict[str, Any]:
    creator = creator_data(**overrides)
    await events.created(TaddyType.CREATOR, creator)
    content = creatorcontent_data(creator["uuid"], series_uuid)
    await events.created(TaddyType.CREATORCONTENT, content)
    return {"creator": creator, "content": content}


async def add_user(
    sessionmaker: Sessionmaker, username: str, creator_uuid: str | None = None, **fields: Any
) -> tables.User:
    user = tables.User(
        email=f"{username}@example.com",
        username=username,
        created_at=now() - DAY,
        creator_uuid=creator_uuid,
        **fields,
    )
    async with sessionmaker() as session, session.begin():
        session.add(user)
    return user


async def add_oauth_token(
    sessionmaker: Sessionmaker,
    user_id: int,
    refresh_token: str,
    provider_uuid: str = TADDY_HOSTING_PROVIDER_UUID,
) -> None:
    """The user's stored refresh token for a hosting provider (Taddy unless told), valid for a day."""
    async with sessionmaker() as session, session.begin():
        session.add(
            tables.OAuthToken(
                user_id=user_id,
                hosting_provider_uuid=provider_uuid,
                refresh_token=refresh_token,
                refresh_token_expires_at=now() + DAY,
            )
        )


async def add_creator_claim(
    sessionmaker: Sessionmaker, user_id: int, creator_uuid: str, status: str = "APPROVED"
) -> None:
    """The user's claim on a creator, as the claim callback leaves it."""
    async with sessionmaker() as session, session.begin():
        session.add(
            tables.UserCreatorClaim(
                user_id=user_id,
                creator_uuid=creator_uuid,
                status=status,
                claim_token=uuid_module.uuid4().hex * 2 + "0" * 16,
                claim_token_expiry=now() + 7 * DAY,
            )
        )


async def add_comment(
    sessionmaker: Sessionmaker,
    *,
    user_id: int,
    issue_uuid: str,
    series_uuid: str,
    created_at: int,
    text: str = "What a cliffhanger!",
    reply_to: str | None = None,
    visible: bool = True,
) -> str:
    comment_uuid = str(uuid_module.uuid4())
    row = tables.UserComment(
        uuid=comment_uuid,
        user_id=user_id,
        text=text,
        target_uuid=issue_uuid,
        target_type="COMICISSUE",
        parent_uuid=series_uuid,
        parent_type="COMICSERIES",
        reply_to_comment_uuid=reply_to,
        is_visible=visible,
        created_at=created_at,
    )
    async with sessionmaker() as session, session.begin():
        session.add(row)
    return comment_uuid


async def add_likes(
    sessionmaker: Sessionmaker,
    *,
    likeable_uuid: str,
    likeable_type: str,
    parent_uuid: str,
    parent_type: str,
    count: int,
    created_at: int,
) -> None:
    """`count` likes from distinct (made-up) users: one like per user and item is the unique key."""
    rows = [
        {
            "user_id": 10_000 + number,
            "likeable_uuid": likeable_uuid,
            "likeable_type": likeable_type,
            "parent_uuid": parent_uuid,
            "parent_type": parent_type,
            "created_at": created_at,
        }
        for number in range(count)
    ]
    if rows:
        async with sessionmaker() as session, session.begin():
            await session.execute(insert(tables.UserLike), rows)


async def like_issue(
    sessionmaker: Sessionmaker, issue_uuid: str, series_uuid: str, count: int, created_at: int
) -> None:
    await add_likes(
        sessionmaker,
        likeable_uuid=issue_uuid,
        likeable_type="COMICISSUE",
        parent_uuid=series_uuid,
        parent_type="COMICSERIES",
        count=count,
        created_at=created_at,
    )


async def like_comment(sessionmaker: Sessionmaker, comment_uuid: str, issue_uuid: str, count: int) -> None:
    await add_likes(
        sessionmaker,
        likeable_uuid=comment_uuid,
        likeable_type="COMMENT",
        parent_uuid=issue_uuid,
        parent_type="COMICISSUE",
        count=count,
        created_at=now(),
    )


async def bulk_issues(
    sessionmaker: Sessionmaker, series_uuid: str, count: int, stories_per_issue: int = 2
) -> list[str]:
    """`count` issues at positions 0.. with their stories, in two INSERT statements."""
    issues: list[dict[str, Any]] = []
    stories: list[dict[str, Any]] = []
    base_url = f"https://ax1.taddy.org/{series_uuid}/"
    for position in range(count):
        issue_uuid = str(uuid_module.uuid4())
        issues.append(
            {
                "uuid": issue_uuid,
                "series_uuid": series_uuid,
                "name": f"Episode {position + 1}",
                "position": position,
                "date_published": 1_700_000_000 + position * DAY,
                "hash": uuid_module.uuid4().hex,
                "thumbnail_image": {"base_url": base_url, "thumbnail": f"{position}.webp"},
            }
        )
        stories.extend(
            {
                "uuid": str(uuid_module.uuid4()),
                "issue_uuid": issue_uuid,
                "series_uuid": series_uuid,
                "position": story,
                "hash": uuid_module.uuid4().hex,
                "story_image": {"base_url": base_url, "story": f"{position}-{story}.webp"},
            }
            for story in range(stories_per_issue)
        )
    async with sessionmaker() as session, session.begin():
        await session.execute(insert(tables.ComicIssue), issues)
        if stories:
            await session.execute(insert(tables.ComicStory), stories)
    return [issue["uuid"] for issue in issues]


async def add_reader_state(
    sessionmaker: Sessionmaker, user_id: int, series_uuid: str, liked_issue_uuid: str
) -> None:
    """The reader subscribed to the series and liked one of its episodes."""
    async with sessionmaker() as session, session.begin():
        session.add(tables.UserSeriesSubscription(user_id=user_id, series_uuid=series_uuid))
        session.add(
            tables.UserLike(
                user_id=user_id,
                likeable_uuid=liked_issue_uuid,
                likeable_type="COMICISSUE",
                parent_uuid=series_uuid,
                parent_type="COMICSERIES",
            )
        )
