"""`NotificationWriter` against real PostgreSQL: the row is written in the caller's transaction unless
it is a self-notification or the recipient turned both channels off; comment replies and likes stage
their delivery in the outbox; retractions remove exactly the sender's rows."""

import json

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.notifications.events import NotificationChannel, NotificationEventType
from inkverse.notifications.writer import DELIVERY_QUEUE, NotificationWriter
from tests.graphql.seed import add_user

Event = NotificationEventType
ISSUE = "11111111-1111-4111-8111-111111111111"
SERIES = "22222222-2222-4222-8222-222222222222"
COMMENT = "33333333-3333-4333-8333-333333333333"


@pytest.fixture
async def users(sessionmaker: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    author = await add_user(sessionmaker, "author")
    fan = await add_user(sessionmaker, "fan")
    return author.id, fan.id


async def notify(
    sessionmaker: async_sessionmaker[AsyncSession], recipient: int, sender: int, event: Event
) -> tuple[bool, list[int]]:
    async with sessionmaker() as session, session.begin():
        writer = NotificationWriter(session)
        written = await writer.notify(
            recipient_id=recipient,
            sender_id=sender,
            event=event,
            target_uuid=COMMENT if event is Event.COMMENT_LIKED else ISSUE,
            target_type="COMMENT" if event is Event.COMMENT_LIKED else "COMICISSUE",
            parent_uuid=SERIES,
            parent_type="COMICSERIES",
        )
    return written, writer.staged


async def notifications(sessionmaker: async_sessionmaker[AsyncSession]) -> list[tables.UserNotification]:
    async with sessionmaker() as session:
        return list(
            await session.scalars(select(tables.UserNotification).order_by(tables.UserNotification.id))
        )


async def set_channel(
    sessionmaker: async_sessionmaker[AsyncSession],
    user_id: int,
    event: Event,
    channel: NotificationChannel,
    *,
    enabled: bool,
) -> None:
    async with sessionmaker() as session, session.begin():
        session.add(
            tables.NotificationSetting(
                user_id=user_id, event_type=event, channel=channel, is_enabled=enabled, created_at=1
            )
        )


async def test_a_comment_like_is_written_and_its_delivery_staged(
    sessionmaker: async_sessionmaker[AsyncSession], users: tuple[int, int]
) -> None:
    author, fan = users
    written, staged = await notify(sessionmaker, author, fan, Event.COMMENT_LIKED)
    [row] = await notifications(sessionmaker)
    assert written
    assert (row.recipient_id, row.sender_id, row.event_type, row.target_uuid) == (
        author,
        fan,
        "COMMENT_LIKED",
        COMMENT,
    )
    async with sessionmaker() as session:
        [outbox] = (
            await session.scalars(select(tables.QueueOutbox).where(tables.QueueOutbox.id.in_(staged)))
        ).all()
    assert outbox.queue == DELIVERY_QUEUE
    assert json.loads(outbox.body) == {"type": "SEND_NOTIFICATION", "notificationId": row.id}


async def test_creator_events_wait_for_the_digest(
    sessionmaker: async_sessionmaker[AsyncSession], users: tuple[int, int]
) -> None:
    author, fan = users
    written, staged = await notify(sessionmaker, author, fan, Event.CREATOR_EPISODE_LIKED)
    assert written
    assert staged == []


async def test_no_notification_to_oneself(
    sessionmaker: async_sessionmaker[AsyncSession], users: tuple[int, int]
) -> None:
    author, _ = users
    assert await notify(sessionmaker, author, author, Event.COMMENT_LIKED) == (False, [])
    assert await notifications(sessionmaker) == []


async def test_both_channels_off_means_no_row(
    sessionmaker: async_sessionmaker[AsyncSession], users: tuple[int, int]
) -> None:
    author, fan = users
    # COMMENT_LIKED e-mail is off by default: turning push off silences it entirely.
    await set_channel(sessionmaker, author, Event.COMMENT_LIKED, NotificationChannel.PUSH, enabled=False)
    assert await notify(sessionmaker, author, fan, Event.COMMENT_LIKED) == (False, [])
    # CREATOR_EPISODE_LIKED still e-mails by default, so a row is written with push off.
    await set_channel(
        sessionmaker, author, Event.CREATOR_EPISODE_LIKED, NotificationChannel.PUSH, enabled=False
    )
    assert (await notify(sessionmaker, author, fan, Event.CREATOR_EPISODE_LIKED))[0]
    assert [row.event_type for row in await notifications(sessionmaker)] == ["CREATOR_EPISODE_LIKED"]


async def test_a_rolled_back_action_leaves_no_notification(
    sessionmaker: async_sessionmaker[AsyncSession], users: tuple[int, int]
) -> None:
    author, fan = users
    async with sessionmaker() as session, session.begin():
        await NotificationWriter(session).notify(
            recipient_id=author,
            sender_id=fan,
            event=Event.COMMENT_REPLY,
            target_uuid=COMMENT,
            target_type="COMMENT",
        )
        await session.rollback()
    assert await notifications(sessionmaker) == []


async def test_retract_removes_only_the_senders_rows(
    sessionmaker: async_sessionmaker[AsyncSession], users: tuple[int, int]
) -> None:
    author, fan = users
    other = (await add_user(sessionmaker, "other")).id
    await notify(sessionmaker, author, fan, Event.CREATOR_EPISODE_LIKED)
    await notify(sessionmaker, author, other, Event.CREATOR_EPISODE_LIKED)
    async with sessionmaker() as session, session.begin():
        recipients = await NotificationWriter(session).retract(
            sender_id=fan, event=Event.CREATOR_EPISODE_LIKED, target_uuid=ISSUE
        )
    assert recipients == [author]
    assert [row.sender_id for row in await notifications(sessionmaker)] == [other]


async def test_retract_for_comment_removes_rows_about_it(
    sessionmaker: async_sessionmaker[AsyncSession], users: tuple[int, int]
) -> None:
    author, fan = users
    await notify(sessionmaker, author, fan, Event.COMMENT_LIKED)  # target = the comment
    async with sessionmaker() as session, session.begin():
        writer = NotificationWriter(session)
        await writer.notify(
            recipient_id=author,
            sender_id=fan,
            event=Event.CREATOR_EPISODE_COMMENTED,
            target_uuid=ISSUE,
            target_type="COMICISSUE",
            context_uuid=COMMENT,
            context_type="COMMENT",
        )
    await notify(sessionmaker, author, fan, Event.CREATOR_EPISODE_LIKED)  # not about the comment
    async with sessionmaker() as session, session.begin():
        recipients = await NotificationWriter(session).retract_for_comment(COMMENT)
    assert recipients == [author]
    assert [row.event_type for row in await notifications(sessionmaker)] == ["CREATOR_EPISODE_LIKED"]
