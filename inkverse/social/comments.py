"""A reader's comments, comment likes and reports (graphql.md §2.7), each in one transaction.

Notifications are written in the transaction of the action (`NotificationWriter`); after the commit the
push/e-mail deliveries are relayed, the caches of §2.7 and the recipients' feeds purged, and Slack told
in the background. Likes and reports are guarded by their unique constraints, so repeating an action (or
racing it) leaves one row and notifies once.

Deleting a comment deletes its likes and the notifications about it. A comment with replies stays as a
placeholder (text `[deleted]`, no author), as account deletion leaves one, so its replies stay readable
in their thread; the original left them as orphans that no thread lists.
"""

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import structlog
from sqlalchemy import Exists, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.database import tables
from inkverse.errors import NotFoundError, ValidationError
from inkverse.messaging.slack import SlackNotifier
from inkverse.notifications.events import NotificationEventType
from inkverse.notifications.writer import NotificationWriter
from inkverse.queues.outbox import OutboxRelay
from inkverse.social.reading import claimed_creator_user_ids
from inkverse.social.text import comment_text
from inkverse.users.deletion import DELETED_COMMENT_TEXT, NO_AUTHOR_ID

log = structlog.get_logger(__name__)

COMMENT = "COMMENT"
COMICISSUE = "COMICISSUE"
COMICSERIES = "COMICSERIES"

PARENT_NOT_FOUND = "Parent comment not found"
REPLY_TO_REPLY = "Cannot reply to a reply"
NOT_EDITABLE = "Comment not found or you do not have permission to edit it"
NOT_MODIFIABLE = "Comment not found or you do not have permission to modify it"
NOT_DELETABLE = "Comment not found or you do not have permission to delete it"
NOT_FOUND = "Comment not found"

Comment = tables.UserComment
Like = tables.UserLike


class SeriesNotFoundError(NotFoundError):
    """A reported series does not exist."""


@dataclass
class _Effects:
    """What a committed action asks for: purges, feeds to purge, outbox ids to relay."""

    purges: list[Purge] = field(default_factory=list)
    feeds: set[int] = field(default_factory=set)
    staged: list[int] = field(default_factory=list)

    def notified(self, writer: NotificationWriter, recipients: Iterable[int]) -> None:
        self.feeds.update(recipients)
        self.staged.extend(writer.staged)

    def all_purges(self) -> list[Purge]:
        feeds = [Purge(CacheType.NOTIFICATION_FEED, (str(user_id),)) for user_id in sorted(self.feeds)]
        return [*self.purges, *feeds]


def comment_purges(comment: tables.UserComment, *, with_stats: bool) -> list[Purge]:
    """The comment list of its issue and, when counts change, the issue's and the series' stats."""
    purges = [Purge(CacheType.COMMENTS, (comment.target_uuid,))]
    if with_stats:
        purges.append(Purge(CacheType.COMICISSUE_STATS, (comment.target_uuid,)))
        purges.append(Purge(CacheType.COMICSERIES_STATS, (comment.parent_uuid,)))
    return purges


def _is_creator_of(user_id: int, series_uuid: str) -> Exists:
    """SQL: the user has claimed a creator of the series (the `is_creator` badge)."""
    content, user = tables.CreatorContent, tables.User
    return (
        select(content.uuid)
        .join(user, user.creator_uuid == content.creator_uuid)
        .where(user.id == user_id, content.content_uuid == series_uuid)
        .exists()
    )


class CommentActions:
    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        purger: CachePurger,
        outbox: OutboxRelay,
        slack: SlackNotifier,
        notification_queue: str,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._purger = purger
        self._outbox = outbox
        self._slack = slack
        self._queue = notification_queue

    async def add(
        self, user: tables.User, issue_uuid: str, series_uuid: str, text: str, reply_to: str | None
    ) -> tables.UserComment:
        cleaned = comment_text(text)
        effects = _Effects()
        async with self._sessionmaker() as session, session.begin():
            replied_author = (
                await _replied_comment_author(session, reply_to, issue_uuid) if reply_to else None
            )
            row = await _insert_comment(
                session,
                user_id=user.id,
                issue_uuid=issue_uuid,
                series_uuid=series_uuid,
                text=cleaned,
                reply_to=reply_to,
            )
            await self._notify_new_comment(session, row, replied_author, effects)
            names = await _episode_names(session, issue_uuid, series_uuid)
        effects.purges.extend(comment_purges(row, with_stats=True))
        await self._after_commit(effects)
        self._slack.post_new_comment(
            username=user.username or f"user {user.id}",
            issue_name=names.issue_name or issue_uuid,
            issue_uuid=issue_uuid,
            series_name=names.series_name or series_uuid,
            series_short_url=names.series_short_url or series_uuid,
            comment_text=row.text,
        )
        return row

    async def edit(self, user_id: int, comment_uuid: str, text: str) -> tables.UserComment:
        cleaned = comment_text(text)
        statement = (
            update(Comment)
            .where(Comment.uuid == comment_uuid, Comment.user_id == user_id)
            .values(text=cleaned, updated_at=int(time.time()))
            .returning(Comment)
        )
        async with self._sessionmaker() as session, session.begin():
            row = await session.scalar(statement)
        if row is None:
            raise ValidationError("commentUuid", NOT_EDITABLE)
        await self._after_commit(_Effects(purges=comment_purges(row, with_stats=False)))
        return row

    async def set_visibility(self, user_id: int, comment_uuid: str, *, visible: bool) -> tables.UserComment:
        statement = (
            update(Comment)
            .where(Comment.uuid == comment_uuid, Comment.user_id == user_id)
            .values(is_visible=visible, updated_at=int(time.time()))
            .returning(Comment)
        )
        async with self._sessionmaker() as session, session.begin():
            row = await session.scalar(statement)
        if row is None:
            raise ValidationError("commentUuid", NOT_MODIFIABLE)
        await self._after_commit(_Effects(purges=comment_purges(row, with_stats=True)))
        return row

    async def delete(self, user_id: int, comment_uuid: str) -> None:
        effects = _Effects()
        async with self._sessionmaker() as session, session.begin():
            row = await _remove_comment(session, user_id, comment_uuid)
            if row is None:
                raise ValidationError("commentUuid", NOT_DELETABLE)
            await session.execute(
                delete(Like).where(Like.likeable_type == COMMENT, Like.likeable_uuid == comment_uuid)
            )
            writer = NotificationWriter(session, queue=self._queue)
            effects.notified(writer, await writer.retract_for_comment(comment_uuid))
        effects.purges.extend(comment_purges(row, with_stats=True))
        await self._after_commit(effects)

    async def like(self, user_id: int, comment_uuid: str) -> tables.UserComment:
        """Like once: a repeated or concurrent like finds the row and notifies nobody again."""
        effects = _Effects()
        async with self._sessionmaker() as session, session.begin():
            comment = await _existing_comment(session, comment_uuid)
            statement = (
                insert(Like)
                .values(
                    user_id=user_id,
                    likeable_uuid=comment.uuid,
                    likeable_type=COMMENT,
                    parent_uuid=comment.target_uuid,
                    parent_type=COMICISSUE,
                    updated_at=int(time.time()),
                )
                .on_conflict_do_nothing(constraint="user_likes_user_id_likeable_type_likeable_uuid_unique")
                .returning(Like.id)
            )
            if await session.scalar(statement) is not None:
                writer = NotificationWriter(session, queue=self._queue)
                notified = await writer.notify(
                    recipient_id=comment.user_id,
                    sender_id=user_id,
                    event=NotificationEventType.COMMENT_LIKED,
                    target_uuid=comment.uuid,
                    target_type=COMMENT,
                    parent_uuid=comment.target_uuid,
                    parent_type=COMICISSUE,
                )
                effects.notified(writer, [comment.user_id] if notified else [])
        effects.purges.extend(comment_purges(comment, with_stats=False))
        await self._after_commit(effects)
        return comment

    async def unlike(self, user_id: int, comment_uuid: str) -> tables.UserComment:
        effects = _Effects()
        async with self._sessionmaker() as session, session.begin():
            comment = await _existing_comment(session, comment_uuid)
            await session.execute(
                delete(Like).where(
                    Like.user_id == user_id, Like.likeable_type == COMMENT, Like.likeable_uuid == comment.uuid
                )
            )
            writer = NotificationWriter(session, queue=self._queue)
            retracted = await writer.retract(
                sender_id=user_id, event=NotificationEventType.COMMENT_LIKED, target_uuid=comment.uuid
            )
            effects.notified(writer, retracted)
        effects.purges.extend(comment_purges(comment, with_stats=False))
        await self._after_commit(effects)
        return comment

    async def report_comment(
        self, user_id: int, comment_uuid: str, report_type: str, additional_info: str | None
    ) -> None:
        async with self._sessionmaker() as session, session.begin():
            comment = await _existing_comment(session, comment_uuid)
            await _upsert_report(
                session,
                user_id=user_id,
                target_type=COMMENT,
                target_uuid=comment.uuid,
                report_type=report_type,
                additional_info=additional_info,
            )
        self._slack.post_comment_reported(
            comment_uuid=comment.uuid,
            comment_text=comment.text,
            report_type=report_type,
            additional_info=additional_info,
        )

    async def report_series(self, user_id: int | None, series_uuid: str, report_type: str) -> None:
        """Anyone may report, as in the original: a signed-in reporter's report is stored (one per
        reader), an anonymous one goes to Slack, where the team sees it."""
        async with self._sessionmaker() as session, session.begin():
            series = await session.get(tables.ComicSeries, series_uuid)
            if series is None:
                raise SeriesNotFoundError(series_uuid)
            if user_id is not None:
                await _upsert_report(
                    session,
                    user_id=user_id,
                    target_type=COMICSERIES,
                    target_uuid=series.uuid,
                    report_type=report_type,
                    additional_info=None,
                )
        if user_id is None:
            self._slack.post_comic_series_reported(
                series_uuid=series.uuid, series_name=series.name or "", report_type=report_type
            )

    async def _notify_new_comment(
        self,
        session: AsyncSession,
        row: tables.UserComment,
        replied_author: int | None,
        effects: _Effects,
    ) -> None:
        """COMMENT_REPLY to the replied comment's author; CREATOR_EPISODE_COMMENTED to the series'
        creators (those who claimed one of its creators) unless they were just told of the reply."""
        writer = NotificationWriter(session, queue=self._queue)
        told: set[int] = set()
        if replied_author is not None and await writer.notify(
            recipient_id=replied_author,
            sender_id=row.user_id,
            event=NotificationEventType.COMMENT_REPLY,
            target_uuid=row.uuid,
            target_type=COMMENT,
            parent_uuid=row.target_uuid,
            parent_type=COMICISSUE,
        ):
            told.add(replied_author)
        for creator in await claimed_creator_user_ids(session, row.parent_uuid):
            if creator in told:
                continue
            commented = await writer.notify(
                recipient_id=creator,
                sender_id=row.user_id,
                event=NotificationEventType.CREATOR_EPISODE_COMMENTED,
                target_uuid=row.target_uuid,
                target_type=COMICISSUE,
                parent_uuid=row.parent_uuid,
                parent_type=COMICSERIES,
                context_uuid=row.uuid,
                context_type=COMMENT,
            )
            if commented:
                told.add(creator)
        effects.notified(writer, told)

    async def _after_commit(self, effects: _Effects) -> None:
        if effects.staged:
            try:
                await self._outbox.relay(effects.staged)
            except Exception as exc:  # noqa: BLE001 - staged rows are sent by the worker's periodic relay
                log.warning("comments.relay_failed", error=f"{type(exc).__name__}: {exc}")
        await self._purger.purge(effects.all_purges())


async def liked_comment_uuids(session: AsyncSession, user_id: int, issue_uuid: str) -> list[str]:
    """The user's comment likes filed under the issue (`UserComment.likedCommentUuids`)."""
    statement = select(Like.likeable_uuid).where(
        Like.user_id == user_id,
        Like.likeable_type == COMMENT,
        Like.parent_uuid == issue_uuid,
        Like.parent_type == COMICISSUE,
    )
    return [str(value) for value in await session.scalars(statement.order_by(Like.id))]


@dataclass(frozen=True, slots=True)
class _EpisodeNames:
    issue_name: str | None = None
    series_name: str | None = None
    series_short_url: str | None = None


async def _episode_names(session: AsyncSession, issue_uuid: str, series_uuid: str) -> _EpisodeNames:
    issue, series = tables.ComicIssue, tables.ComicSeries
    statement = (
        select(issue.name, series.name, series.short_url)
        .select_from(series)
        .outerjoin(issue, issue.uuid == issue_uuid)
        .where(series.uuid == series_uuid)
    )
    row = (await session.execute(statement)).first()
    return _EpisodeNames(*row) if row else _EpisodeNames()


async def _replied_comment_author(session: AsyncSession, reply_to: str, issue_uuid: str) -> int:
    """The author of the comment replied to; it must be a top-level comment of the same issue."""
    statement = select(Comment.user_id, Comment.reply_to_comment_uuid).where(
        Comment.uuid == reply_to, Comment.target_uuid == issue_uuid
    )
    found = (await session.execute(statement)).first()
    if found is None:
        raise ValidationError("replyToCommentUuid", PARENT_NOT_FOUND)
    if found.reply_to_comment_uuid is not None:
        raise ValidationError("replyToCommentUuid", REPLY_TO_REPLY)
    return int(found.user_id)


async def _insert_comment(
    session: AsyncSession, *, user_id: int, issue_uuid: str, series_uuid: str, text: str, reply_to: str | None
) -> tables.UserComment:
    statement = (
        insert(Comment)
        .values(
            uuid=str(uuid.uuid4()),
            user_id=user_id,
            text=text,
            target_uuid=issue_uuid,
            target_type=COMICISSUE,
            parent_uuid=series_uuid,
            parent_type=COMICSERIES,
            reply_to_comment_uuid=reply_to,
            is_visible=True,
            is_creator=_is_creator_of(user_id, series_uuid),
        )
        .returning(Comment)
    )
    row = await session.scalar(statement)
    assert row is not None  # an INSERT without ON CONFLICT returns its row
    return row


async def _existing_comment(session: AsyncSession, comment_uuid: str) -> tables.UserComment:
    comment = await session.scalar(select(Comment).where(Comment.uuid == comment_uuid))
    if comment is None:
        raise ValidationError("commentUuid", NOT_FOUND)
    return comment


async def _remove_comment(
    session: AsyncSession, user_id: int, comment_uuid: str
) -> tables.UserComment | None:
    """The author's comment deleted, or made a placeholder when it has replies; None if not theirs."""
    reply = aliased(Comment, name="reply")
    has_replies = select(reply.id).where(reply.reply_to_comment_uuid == Comment.uuid).exists()
    mine = (Comment.uuid == comment_uuid, Comment.user_id == user_id)
    placeholder = (
        update(Comment)
        .where(*mine, has_replies)
        .values(
            text=DELETED_COMMENT_TEXT, user_id=NO_AUTHOR_ID, is_creator=False, updated_at=int(time.time())
        )
        .returning(Comment)
    )
    kept = await session.scalar(placeholder)
    if kept is not None:
        return kept
    return await session.scalar(delete(Comment).where(*mine).returning(Comment))


async def _upsert_report(
    session: AsyncSession,
    *,
    user_id: int,
    target_type: str,
    target_uuid: str,
    report_type: str,
    additional_info: str | None,
) -> None:
    statement = insert(tables.UserReport).values(
        reporter_user_id=user_id,
        target_type=target_type,
        target_uuid=target_uuid,
        report_type=report_type,
        additional_info=additional_info,
    )
    await session.execute(
        statement.on_conflict_do_update(
            constraint="user_reports_target_type_target_uuid_reporter_user_id_unique",
            set_={
                "report_type": statement.excluded.report_type,
                "additional_info": statement.excluded.additional_info,
            },
        )
    )
