"""Home-screen lists (recently added, recently updated, trending) and like/comment counts."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.events import TaddyType
from inkverse.catalog_enums import TrendingMetric, TrendingPeriod
from inkverse.comics.discovery import ComicDiscovery
from inkverse.comics.stats import ComicStatsRepository, SeriesCount
from inkverse.database import tables
from inkverse.database.base import Base
from tests.fixtures.catalog import EventApplier
from tests.fixtures.taddy_payloads import issue_data, new_uuid, series_data

NOW = 1_780_000_000
DAY = 86_400
_user_ids = iter(range(1, 1_000_000))


async def add_series(events: EventApplier, **overrides: Any) -> str:
    data = series_data(**overrides)
    await events.created(TaddyType.COMICSERIES, data)
    return str(data["uuid"])


def like(series_uuid: str, issue_uuid: str, created_at: int = NOW) -> tables.UserLike:
    return tables.UserLike(
        user_id=next(_user_ids),
        likeable_uuid=issue_uuid,
        likeable_type="COMICISSUE",
        parent_uuid=series_uuid,
        parent_type="COMICSERIES",
        created_at=created_at,
    )


def comment(
    series_uuid: str,
    issue_uuid: str,
    created_at: int = NOW,
    *,
    visible: bool = True,
    reply_to: str | None = None,
) -> tables.UserComment:
    return tables.UserComment(
        uuid=new_uuid(),
        user_id=next(_user_ids),
        text="Great episode!",
        target_uuid=issue_uuid,
        target_type="COMICISSUE",
        parent_uuid=series_uuid,
        parent_type="COMICSERIES",
        reply_to_comment_uuid=reply_to,
        is_visible=visible,
        created_at=created_at,
    )


async def add_rows(sessionmaker: async_sessionmaker[AsyncSession], *rows: Base) -> None:
    async with sessionmaker() as session, session.begin():
        session.add_all(rows)


async def block(sessionmaker: async_sessionmaker[AsyncSession], series_uuid: str) -> None:
    async with sessionmaker() as session, session.begin():
        series = tables.ComicSeries
        await session.execute(update(series).where(series.uuid == series_uuid).values(is_blocked=True))


# --- stats --------------------------------------------------------------------------------------------


async def test_like_and_comment_counts(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    series_uuid, issue_a, issue_b, unliked = new_uuid(), new_uuid(), new_uuid(), new_uuid()
    top = comment(series_uuid, issue_a)
    await add_rows(
        sessionmaker,
        like(series_uuid, issue_a),
        like(series_uuid, issue_a),
        like(series_uuid, issue_b),
        top,
        comment(series_uuid, issue_a, reply_to=top.uuid),
        comment(series_uuid, issue_a, visible=False),
        comment(series_uuid, issue_b),
    )
    async with sessionmaker() as session:
        stats = ComicStatsRepository(session)
        assert await stats.issue_like_count(issue_a) == 2
        assert await stats.map_issue_like_counts([issue_a, issue_b, unliked]) == {
            issue_a: 2,
            issue_b: 1,
            unliked: 0,
        }
        assert await stats.map_issue_like_counts([]) == {}
        assert await stats.series_like_count(series_uuid) == 3
        assert await stats.issue_comment_count(issue_a) == 2  # replies count, hidden comments do not
        assert await stats.series_comment_count(series_uuid) == 3
        assert await stats.series_like_count(new_uuid()) == 0


async def test_top_series_by_likes_and_comments_within_the_window(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    popular, rising, old = new_uuid(), new_uuid(), new_uuid()
    await add_rows(
        sessionmaker,
        *[like(popular, new_uuid()) for _ in range(3)],
        *[like(rising, new_uuid()) for _ in range(2)],
        *[like(old, new_uuid(), created_at=NOW - 30 * DAY) for _ in range(5)],
        *[comment(rising, new_uuid()) for _ in range(2)],
        comment(popular, new_uuid()),
        *[comment(popular, new_uuid(), visible=False) for _ in range(3)],
    )
    async with sessionmaker() as session:
        stats = ComicStatsRepository(session)
        since = NOW - 14 * DAY
        assert await stats.top_series_by_likes(since, limit=10) == [
            SeriesCount(popular, 3),
            SeriesCount(rising, 2),
        ]
        assert await stats.top_series_by_likes(since, limit=1, offset=1) == [SeriesCount(rising, 2)]
        assert await stats.top_series_by_comments(since, limit=10) == [
            SeriesCount(rising, 2),
            SeriesCount(popular, 1),
        ]


# --- discovery ----------------------------------------------------------------------------------------


async def test_trending_ranks_series_and_drops_blocked_and_unknown_ones(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first, second, blocked = [await add_series(events) for _ in range(3)]
    unknown = new_uuid()
    await block(sessionmaker, blocked)
    await add_rows(
        sessionmaker,
        *[like(blocked, new_uuid()) for _ in range(5)],
        *[like(unknown, new_uuid()) for _ in range(4)],
        *[like(first, new_uuid()) for _ in range(3)],
        *[like(second, new_uuid(), created_at=NOW - 60 * DAY) for _ in range(2)],
        comment(second, new_uuid()),
    )
    async with sessionmaker() as session:
        discovery = ComicDiscovery(session)
        week = await discovery.trending(now=NOW)
        month = await discovery.trending(period=TrendingPeriod.MONTH, now=NOW)
        discussed = await discovery.trending(
            metric=TrendingMetric.DISCUSSED, period=TrendingPeriod.YEAR, now=NOW
        )
        second_page = await discovery.trending(period=TrendingPeriod.MONTH, page=2, limit=3, now=NOW)
    assert [series.uuid for series in week] == [first]
    assert [series.uuid for series in month] == [first, second]
    assert [series.uuid for series in discussed] == [second]
    assert [series.uuid for series in second_page] == [second]


async def test_recently_added_and_recently_updated_pages(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    fresh, b, c, d, e, blocked = [await add_series(events) for _ in range(6)]
    for days_ago, series_uuid in [(0, fresh), (10, b), (20, c), (30, d), (40, e), (5, blocked)]:
        created_at = datetime.now(UTC) - timedelta(days=days_ago)
        async with sessionmaker() as session, session.begin():
            table = tables.ComicSeries
            await session.execute(
                update(table).where(table.uuid == series_uuid).values(created_at=created_at)
            )
    await block(sessionmaker, blocked)
    published = int(datetime.now(UTC).timestamp())
    for minutes_ago, series_uuid in enumerate([d, blocked, fresh, e]):
        await events.created(
            TaddyType.COMICISSUE, issue_data(series_uuid, datePublished=published - minutes_ago * 60)
        )

    async with sessionmaker() as session:
        discovery = ComicDiscovery(session)
        added = [series.uuid for series in await discovery.recently_added(page=1, limit=3)]
        added_next = [series.uuid for series in await discovery.recently_added(page=2, limit=3)]
        updated = [series.uuid for series in await discovery.recently_updated(page=1, limit=3)]
    assert added == [fresh, b, c]
    assert added_next == [d, e]
    # The newest issues are from d, blocked, fresh and e; fresh is on the same recently-added page and
    # blocked is dropped, e is beyond the page.
    assert updated == [d]
