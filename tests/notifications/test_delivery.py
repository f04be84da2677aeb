"""`SEND_NOTIFICATION`: comment replies and likes reach the author's devices with the original's texts;
dead tokens are pruned from tickets and from receipts; a failed send is retried, a redelivery sends
nothing twice; a malformed message is dead-lettered."""

import pytest
from dishka import AsyncContainer
from sqlalchemy import func, select, update

from inkverse.database import tables
from inkverse.jobs.registry import job_named
from inkverse.notifications.delivery import DeliveryFailedError, NotificationDelivery
from inkverse.social.comments import CommentActions
from tests.fixtures.fake_expo import FakeExpo
from tests.graphql.seed import add_user
from tests.notifications.conftest import Sessionmaker, Worker, add_reader, seed_episode, token, tokens_of


async def add_device(sessionmaker: Sessionmaker, user_id: int, push_token: str) -> None:
    async with sessionmaker() as session, session.begin():
        session.add(tables.UserDevice(user_id=user_id, fcm_token=push_token, platform="android"))


async def test_a_comment_reply_reaches_the_authors_device(
    worker: Worker, container: AsyncContainer, sessionmaker: Sessionmaker, expo: FakeExpo
) -> None:
    episode = await seed_episode(sessionmaker)
    author = await add_user(sessionmaker, "ada")
    replier = await add_user(sessionmaker, "tidewatcher")
    await add_device(sessionmaker, author.id, token("ada"))
    actions = await container.get(CommentActions)

    comment = await actions.add(author, episode.issue_uuid, episode.series_uuid, "What a storm!", None)
    reply = await actions.add(replier, episode.issue_uuid, episode.series_uuid, "Right?", comment.uuid)
    await worker.drain()

    assert expo.messages == [
        {
            "to": token("ada"),
            "title": "Yay! Someone replied to your comment",
            "body": "tidewatcher replied to your comment",
            "data": {
                "type": "COMMENT_REPLY",
                "targetUuid": reply.uuid,
                "targetType": "COMMENT",
                "parentUuid": episode.issue_uuid,
                "parentType": "COMICISSUE",
                "seriesUuid": episode.series_uuid,
            },
            "priority": "high",
            "channelId": "COMMENT_REPLY",
            "sound": "default",
            "richContent": {"image": episode.banner_md},
        }
    ]


async def test_a_comment_like_reaches_the_authors_device(
    worker: Worker, container: AsyncContainer, sessionmaker: Sessionmaker, expo: FakeExpo
) -> None:
    episode = await seed_episode(sessionmaker)
    author = await add_user(sessionmaker, "ada")
    fan = await add_user(sessionmaker, "tidewatcher")
    await add_device(sessionmaker, author.id, token("ada"))
    actions = await container.get(CommentActions)
    comment = await actions.add(author, episode.issue_uuid, episode.series_uuid, "What a storm!", None)

    await actions.like(fan.id, comment.uuid)
    await worker.drain()

    [message] = expo.messages
    assert message["title"] == "Yay! Someone liked your comment"
    assert message["body"] == "tidewatcher liked your comment"
    assert message["channelId"] == "COMMENT_LIKED"
    assert message["mutableContent"] is True
    assert message["data"]["targetUuid"] == comment.uuid
    assert "priority" not in message


async def test_dead_tokens_are_pruned_from_tickets_and_from_receipts(
    worker: Worker, container: AsyncContainer, sessionmaker: Sessionmaker, expo: FakeExpo
) -> None:
    episode = await seed_episode(sessionmaker)
    reader = await add_reader(sessionmaker, "mira", follows=episode.series_uuid, devices=3)
    expo.unregistered.add(token("mira", 0))
    expo.unregistered_later.add(token("mira", 1))

    await worker.send(
        {"type": "SEND_PUSH_NOTIFICATION", "pushNotificationType": "NEW_EPISODE_RELEASED",
         "issueUuid": episode.issue_uuid, "seriesUuid": episode.series_uuid}
    )  # fmt: skip
    await worker.drain()

    assert len(expo.messages) == 3
    assert await tokens_of(sessionmaker, reader.id) == [token("mira", 1), token("mira", 2)]
    async with sessionmaker() as session, session.begin():
        # Receipts are read once the tickets are 15 minutes old.
        await session.execute(
            update(tables.PushTicket).values(created_at=func.now() - func.make_interval(0, 0, 0, 0, 0, 20))
        )
    job = job_named("push-receipts")
    assert job is not None
    await job.run(container)

    assert await tokens_of(sessionmaker, reader.id) == [token("mira", 2)]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(tables.PushTicket)) == 0


async def test_a_failed_push_is_retried_and_a_redelivery_sends_nothing_twice(
    container: AsyncContainer, sessionmaker: Sessionmaker, expo: FakeExpo, worker: Worker
) -> None:
    episode = await seed_episode(sessionmaker)
    reader = await add_reader(sessionmaker, "mira", follows=episode.series_uuid)
    async with sessionmaker() as session, session.begin():
        row = tables.UserNotification(
            created_at=1, recipient_id=reader.id, event_type="NEW_EPISODE_RELEASED",
            target_uuid=episode.issue_uuid, target_type="COMICISSUE",
            parent_uuid=episode.series_uuid, parent_type="COMICSERIES",
        )  # fmt: skip
        session.add(row)
    delivery = await container.get(NotificationDelivery)
    expo.refuse_next(400, "INVALID_CREDENTIALS", "Push security is on and no access token was given.")

    with pytest.raises(DeliveryFailedError, match="INVALID_CREDENTIALS"):
        await delivery.deliver([row.id])
    assert expo.messages == []

    await delivery.deliver([row.id])
    await delivery.deliver([row.id])
    assert [message["to"] for message in expo.messages] == [token("mira")]


async def test_a_delivery_without_its_notification_is_dead_lettered(worker: Worker) -> None:
    await worker.send({"type": "SEND_NOTIFICATION"})
    await worker.drain()

    [letter] = await worker.dead_letters()
    assert "not a notification delivery" in letter["MessageAttributes"]["reason"]["StringValue"]


async def test_a_notification_deleted_before_delivery_sends_nothing(worker: Worker, expo: FakeExpo) -> None:
    await worker.send({"type": "SEND_NOTIFICATION", "notificationIds": [123456]})
    await worker.drain()

    assert expo.messages == []
    assert await worker.dead_letters() == []
