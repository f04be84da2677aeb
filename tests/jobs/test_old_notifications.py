"""`delete-old-notifications`: only NEW_EPISODE_RELEASED rows older than 180 days go, in batches; delivery
records older than 30 days are pruned."""

import time
from datetime import UTC, datetime, timedelta

from dishka import AsyncContainer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.database.engine import make_sessionmaker
from inkverse.jobs.registry import job_named
from inkverse.notifications.cleanup import NotificationCleanup

DAY = 86_400


async def add_notifications(
    sessionmaker: async_sessionmaker[AsyncSession], rows: list[tuple[str, int]]
) -> None:
    async with sessionmaker() as session, session.begin():
        for event, age_days in rows:
            session.add(
                tables.UserNotification(
                    created_at=int(time.time()) - age_days * DAY, recipient_id=1, event_type=event,
                    target_uuid=f"{event}-{age_days}", target_type="COMICISSUE",
                )
            )  # fmt: skip


async def remaining(sessionmaker: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessionmaker() as session:
        return sorted(await session.scalars(select(tables.UserNotification.target_uuid)))


async def test_the_job_deletes_only_old_new_episode_notifications_and_old_delivery_records(
    container: AsyncContainer, engine: AsyncEngine
) -> None:
    sessionmaker = make_sessionmaker(engine)
    await add_notifications(
        sessionmaker,
        [("NEW_EPISODE_RELEASED", 181), ("NEW_EPISODE_RELEASED", 179), ("COMMENT_REPLY", 400),
         ("COMMENT_LIKED", 400), ("CREATOR_EPISODE_LIKED", 400), ("CREATOR_EPISODE_COMMENTED", 400)],
    )  # fmt: skip
    now = datetime.now(UTC)
    async with sessionmaker() as session, session.begin():
        session.add(tables.NotificationDelivery(dedupe_key="old", delivered_at=now - timedelta(days=31)))
        session.add(tables.NotificationDelivery(dedupe_key="recent", delivered_at=now - timedelta(days=1)))
    job = job_named("delete-old-notifications")
    assert job is not None

    await job.run(container)

    assert await remaining(sessionmaker) == [
        "COMMENT_LIKED-400", "COMMENT_REPLY-400", "CREATOR_EPISODE_COMMENTED-400",
        "CREATOR_EPISODE_LIKED-400", "NEW_EPISODE_RELEASED-179",
    ]  # fmt: skip
    async with sessionmaker() as session:
        assert list(await session.scalars(select(tables.NotificationDelivery.dedupe_key))) == ["recent"]


async def test_old_rows_are_deleted_in_batches_until_none_is_left(engine: AsyncEngine) -> None:
    sessionmaker = make_sessionmaker(engine)
    await add_notifications(sessionmaker, [("NEW_EPISODE_RELEASED", 200 + n) for n in range(5)])
    await add_notifications(sessionmaker, [("NEW_EPISODE_RELEASED", 10)])

    counts = await NotificationCleanup(sessionmaker, batch=2).run()

    assert (counts.notifications, counts.deliveries) == (5, 0)
    assert await remaining(sessionmaker) == ["NEW_EPISODE_RELEASED-10"]
