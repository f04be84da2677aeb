"""Home-screen lists: recently added, recently updated and trending series (database.md §4.1-4.2)."""

import time

from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.catalog.ordering import page_offset
from inkverse.catalog_enums import TRENDING_WINDOW_DAYS, TrendingMetric, TrendingPeriod
from inkverse.comics.repository import ComicSeriesRepository
from inkverse.comics.stats import ComicStatsRepository, SeriesCount
from inkverse.database import tables

SECONDS_PER_DAY = 86_400


class ComicDiscovery:
    """Pages are 1-based; a page may hold fewer than `limit` series once blocked or missing ones are
    dropped (as in the original)."""

    def __init__(self, session: AsyncSession) -> None:
        self._series = ComicSeriesRepository(session)
        self._stats = ComicStatsRepository(session)

    async def recently_added(self, page: int, limit: int) -> list[tables.ComicSeries]:
        return await self._series.recently_added(limit, page_offset(page, limit))

    async def recently_updated(self, page: int, limit: int) -> list[tables.ComicSeries]:
        """Series with the newest published issues, leaving out those on the same recently-added page.

        Deterministic: the original reordered by what the same process had answered last time.
        """
        offset = page_offset(page, limit)
        updated = await self._series.recently_updated_uuids(limit, offset)
        added = {series.uuid for series in await self._series.recently_added(limit, offset)}
        series = await self._series.list_by_uuids([uuid for uuid in updated if uuid not in added])
        return [row for row in series if not row.is_blocked][:limit]

    async def trending(
        self,
        metric: TrendingMetric = TrendingMetric.LIKED,
        period: TrendingPeriod = TrendingPeriod.WEEK,
        page: int = 1,
        limit: int = 6,
        now: int | None = None,
    ) -> list[tables.ComicSeries]:
        """Series ranked by likes or comments within the period's rolling window, blocked ones dropped."""
        since = (now if now is not None else int(time.time())) - TRENDING_WINDOW_DAYS[
            period
        ] * SECONDS_PER_DAY
        ranking = await self._ranking(metric, since, limit, page_offset(page, limit))
        series = await self._series.list_by_uuids([entry.series_uuid for entry in ranking])
        return [row for row in series if not row.is_blocked]

    async def _ranking(
        self, metric: TrendingMetric, since: int, limit: int, offset: int
    ) -> list[SeriesCount]:
        if metric is TrendingMetric.DISCUSSED:
            return await self._stats.top_series_by_comments(since, limit, offset)
        return await self._stats.top_series_by_likes(since, limit, offset)
