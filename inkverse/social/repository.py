"""Reads of `user_comments` and `user_likes`. The caller owns the session."""

from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.catalog.ordering import page_offset
from inkverse.database import tables

COMMENT_LIKE = "COMMENT"


class CommentSort(StrEnum):
    TOP = "TOP"
    NEWEST = "NEWEST"


class CommentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_target(
        self, target_uuid: str, target_type: str, sort: CommentSort, page: int, limit: int
    ) -> list[tables.UserComment]:
        """Visible top-level comments. TOP: most liked first, then oldest; NEWEST: newest first."""
        comment, like = tables.UserComment, tables.UserLike
        statement: Select[tables.UserComment] = select(comment).where(
            comment.target_uuid == target_uuid,
            comment.target_type == target_type,
            comment.is_visible.is_(True),
            comment.reply_to_comment_uuid.is_(None),
        )
        if sort is CommentSort.TOP:
            likes = (
                select(func.count(like.id))
                .where(like.likeable_uuid == comment.uuid, like.likeable_type == COMMENT_LIKE)
                .scalar_subquery()
            )
            statement = statement.order_by(likes.desc(), comment.created_at.asc(), comment.id.asc())
        else:
            statement = statement.order_by(comment.created_at.desc(), comment.id.desc())
        statement = statement.limit(limit).offset(page_offset(page, limit))
        return list(await self._session.scalars(statement))

    async def replies(self, comment_uuid: str, page: int, limit: int) -> list[tables.UserComment]:
        """Visible replies to one comment, oldest first."""
        comment = tables.UserComment
        statement = (
            select(comment)
            .where(comment.reply_to_comment_uuid == comment_uuid, comment.is_visible.is_(True))
            .order_by(comment.created_at.asc(), comment.id.asc())
            .limit(limit)
            .offset(page_offset(page, limit))
        )
        return list(await self._session.scalars(statement))

    async def reply_counts(self, comment_uuids: Sequence[str]) -> dict[str, int]:
        """Visible replies per comment; every asked uuid is present (0 when none)."""
        counts = dict.fromkeys(comment_uuids, 0)
        if not comment_uuids:
            return counts
        comment = tables.UserComment
        statement = (
            select(comment.reply_to_comment_uuid, func.count(comment.id))
            .where(comment.reply_to_comment_uuid.in_(set(comment_uuids)), comment.is_visible.is_(True))
            .group_by(comment.reply_to_comment_uuid)
        )
        for uuid, count in await self._session.execute(statement):
            counts[str(uuid)] = int(count)
        return counts

    async def like_counts(self, likeable_uuids: Sequence[str], likeable_type: str) -> dict[str, int]:
        """Likes per item; every asked uuid is present (0 when none)."""
        counts = dict.fromkeys(likeable_uuids, 0)
        if not likeable_uuids:
            return counts
        like = tables.UserLike
        statement = (
            select(like.likeable_uuid, func.count(like.id))
            .where(like.likeable_uuid.in_(set(likeable_uuids)), like.likeable_type == likeable_type)
            .group_by(like.likeable_uuid)
        )
        for uuid, count in await self._session.execute(statement):
            counts[str(uuid)] = int(count)
        return counts
