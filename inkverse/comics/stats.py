"""Counts over likes and comments: per issue and series, and the trending ranking (database.md §4.1)."""

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.catalog_enums import InkverseType
from inkverse.database import tables

Like = tables.UserLike
Comment = tables.UserComment


class SeriesCount(NamedTuple):
    series_uuid: str
    total: int


class ComicStatsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def issue_like_count(self, issue_uuid: str) -> int:
        return (await self.map_issue_like_counts([issue_uuid]))[issue_uuid]

    async def map_issue_like_counts(self, issue_uuids: Sequence[str]) -> dict[str, int]:
        """Likes per issue; every requested issue is present (0 when it has none)."""
        counts = dict.fromkeys(issue_uuids, 0)
        if not issue_uuids:
            return counts
        statement = (
            select(Like.likeable_uuid, func.count(Like.id))
            .where(Like.likeable_type == InkverseType.COMICISSUE, Like.likeable_uuid.in_(set(issue_uuids)))
            .group_by(Like.likeable_uuid)
        )
        for issue_uuid, count in await self._session.execute(statement):
            counts[issue_uuid] = count
        return counts

    async def series_like_count(self, series_uuid: str) -> int:
        """The likes of all the series' episodes."""
        return await self._count(
            Like.parent_uuid == series_uuid,
            Like.parent_type == InkverseType.COMICSERIES,
            Like.likeable_type == InkverseType.COMICISSUE,
        )

    async def issue_comment_count(self, issue_uuid: str) -> int:
        """Visible comments on the issue, replies included (what the original shows)."""
        return await self._count(
            Comment.target_uuid == issue_uuid,
            Comment.target_type == InkverseType.COMICISSUE,
            Comment.is_visible.is_(True),
        )

    async def series_comment_count(self, series_uuid: str) -> int:
        """Visible comments and replies on all the series' episodes."""
        return await self._count(
            Comment.parent_uuid == series_uuid,
            Comment.parent_type == InkverseType.COMICSERIES,
            Comment.is_visible.is_(True),
        )

    async def top_series_by_likes(self, since: int, limit: int, offset: int = 0) -> list[SeriesCount]:
        """Series ranked by the episode likes created at or after `since` (epoch seconds)."""
        count = func.count(Like.id)
        statement = (
            select(Like.parent_uuid, count)
            .where(Like.likeable_type == InkverseType.COMICISSUE, Like.created_at >= since)
            .group_by(Like.parent_uuid)
            .order_by(count.desc(), Like.parent_uuid)
            .limit(limit)
            .offset(offset)
        )
        return [SeriesCount(uuid, total) for uuid, total in await self._session.execute(statement)]

    async def top_series_by_comments(self, since: int, limit: int, offset: int = 0) -> list[SeriesCount]:
        """Series ranked by visible comments and replies created at or after `since` (epoch seconds)."""
        count = func.count(Comment.id)
        statement = (
            select(Comment.parent_uuid, count)
            .where(
                Comment.parent_type == InkverseType.COMICSERIES,
                Comment.is_visible.is_(True),
                Comment.created_at >= since,
            )
            .group_by(Comment.parent_uuid)
            .order_by(count.desc(), Comment.parent_uuid)
            .limit(limit)
            .offset(offset)
        )
        return [SeriesCount(uuid, total) for uuid, total in await self._session.execute(statement)]

    async def _count(self, *conditions: ColumnElement[bool]) -> int:
        return (await self._session.scalar(select(func.count()).where(*conditions))) or 0
