"""Account deletion: the user and everything that is theirs, in one transaction, then the cache purges.

Comments: the user's comments are deleted, with the likes, reports and notifications about them, except a
comment that other people replied to. That one stays as a placeholder (text `[deleted]`, no author), so
the replies of others stay reachable under it; the original leaves replies of a deleted comment as
unreachable orphans. Every table with a user reference is listed in `USER_REFERENCES`.
"""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import structlog
from sqlalchemy import ColumnElement, and_, delete, false, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute, aliased

from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.database import tables
from inkverse.errors import MailingListError, NotFoundError
from inkverse.messaging.octopus import MailingList
from inkverse.users.accounts import Accounts

log = structlog.get_logger(__name__)

DELETED_COMMENT_TEXT = "[deleted]"
NO_AUTHOR_ID = 0
"""Author of a placeholder comment: no account has id 0 (ids start at 1), so its `user` is null."""

COMMENT = "COMMENT"
COMICISSUE = "COMICISSUE"
COMICSERIES = "COMICSERIES"

_OWNED_ROWS: tuple[InstrumentedAttribute[int], ...] = (
    tables.UserDevice.user_id,
    tables.OAuthToken.user_id,
    tables.UserSeriesSubscription.user_id,
    tables.NotificationPreference.user_id,
    tables.NotificationSetting.user_id,
    tables.UserCreatorClaim.user_id,
)
"""Rows that are the user's alone and appear in no public answer: deleted outright."""

USER_REFERENCES: frozenset[tuple[str, str]] = frozenset(
    (column.class_.__tablename__, column.key)
    for column in (
        *_OWNED_ROWS,
        tables.User.id,
        tables.UserComment.user_id,
        tables.UserLike.user_id,
        tables.UserReport.reporter_user_id,
        tables.UserNotification.recipient_id,
        tables.UserNotification.sender_id,
    )
)
"""Every (table, column) naming a user that `AccountDeletion` clears; a test keeps it complete."""


@dataclass
class _Affected:
    """What the deleted rows appeared in, to purge after the commit."""

    issue_uuids: set[str] = field(default_factory=set)
    series_uuids: set[str] = field(default_factory=set)
    feed_user_ids: set[int] = field(default_factory=set)

    def purges(self, user: tables.User) -> list[Purge]:
        user_id = str(user.id)
        purges = [
            Purge(CacheType.USER, (user_id,), short_url=user.username),
            Purge(CacheType.PROFILE_COMICSERIES, (user_id,), short_url=user.username),
            Purge(CacheType.NOTIFICATION_SETTINGS, (user_id,)),
            Purge(CacheType.NOTIFICATION_FEED, tuple(sorted({user_id, *map(str, self.feed_user_ids)}))),
        ]
        if self.issue_uuids:
            issues = tuple(sorted(self.issue_uuids))
            purges += [Purge(CacheType.COMMENTS, issues), Purge(CacheType.COMICISSUE_STATS, issues)]
        if self.series_uuids:
            purges.append(Purge(CacheType.COMICSERIES_STATS, tuple(sorted(self.series_uuids))))
        return purges


@dataclass(frozen=True)
class DeletedAccount:
    user_id: int
    email: str
    username: str | None
    removed: dict[str, int]
    """Rows deleted per table."""
    kept_comments: int
    """The user's comments kept as `[deleted]` placeholders because others replied to them."""


async def find_user(session: AsyncSession, email_or_id: str) -> tables.User:
    """The user named by an id (digits) or an e-mail address; NotFoundError when there is none."""
    accounts = Accounts(session)
    wanted = email_or_id.strip()
    user = await (accounts.by_id(int(wanted)) if wanted.isdigit() else accounts.by_email(wanted))
    if user is None:
        raise NotFoundError(
            f"no user with id {wanted}" if wanted.isdigit() else f"no user with e-mail {wanted!r}"
        )
    return user


class AccountDeletion:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        purger: CachePurger,
        mailing_list: MailingList,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._purger = purger
        self._mailing_list = mailing_list

    async def find(self, email_or_id: str) -> tables.User:
        async with self._sessionmaker() as session:
            return await find_user(session, email_or_id)

    async def delete(self, user_id: int) -> DeletedAccount:
        """Delete the account in one transaction; then purge the caches and leave the sign-up list."""
        async with self._sessionmaker() as session, session.begin():
            user = await Accounts(session).by_id_for_update(user_id)
            if user is None:
                raise NotFoundError(f"no user with id {user_id}")
            affected = _Affected()
            deleted = await _AccountRows(session, user.id, affected).delete()
        await self._purger.purge(affected.purges(user))
        await self._leave_mailing_list(user.email)
        log.info("users.deleted", user_id=user.id, removed=deleted.removed, kept_comments=deleted.kept)
        return DeletedAccount(user.id, user.email, user.username, deleted.removed, deleted.kept)

    async def _leave_mailing_list(self, email: str) -> None:
        try:
            await self._mailing_list.unsubscribe(email)
        except MailingListError as exc:
            log.warning("users.deleted_signup_list_failed", error=str(exc))


@dataclass(frozen=True)
class _Deleted:
    removed: dict[str, int]
    kept: int


class _AccountRows:
    """The statements of one deletion, in one session and transaction."""

    def __init__(self, session: AsyncSession, user_id: int, affected: _Affected) -> None:
        self._session = session
        self._user_id = user_id
        self._affected = affected
        self._removed: dict[str, int] = {}

    async def delete(self) -> _Deleted:
        kept = await self._keep_replied_comments()
        deleted_comments = await self._delete_comments()
        await self._delete_likes(deleted_comments)
        await self._delete_reports(deleted_comments)
        await self._delete_notifications(deleted_comments)
        for column in _OWNED_ROWS:
            await self._delete_rows(column, column == self._user_id)
        await self._delete_rows(tables.User.id, tables.User.id == self._user_id)
        return _Deleted({name: count for name, count in self._removed.items() if count}, kept)

    async def _keep_replied_comments(self) -> int:
        """Turn the user's comments that others replied to into placeholders without an author."""
        comment, reply = tables.UserComment, aliased(tables.UserComment, name="reply")
        replied_by_others = (
            select(reply.id)
            .where(reply.reply_to_comment_uuid == comment.uuid, reply.user_id != self._user_id)
            .exists()
        )
        statement = (
            update(comment)
            .where(comment.user_id == self._user_id, replied_by_others)
            .values(
                text=DELETED_COMMENT_TEXT,
                user_id=NO_AUTHOR_ID,
                is_creator=False,
                updated_at=int(time.time()),
            )
            .returning(comment.target_uuid)
        )
        issue_uuids = list(await self._session.scalars(statement))
        self._affected.issue_uuids.update(map(str, issue_uuids))
        return len(issue_uuids)

    async def _delete_comments(self) -> list[str]:
        comment = tables.UserComment
        statement = (
            delete(comment)
            .where(comment.user_id == self._user_id)
            .returning(comment.uuid, comment.target_uuid, comment.parent_uuid)
        )
        rows = (await self._session.execute(statement)).all()
        self._removed["user_comments"] = len(rows)
        self._affected.issue_uuids.update(str(row.target_uuid) for row in rows)
        self._affected.series_uuids.update(str(row.parent_uuid) for row in rows)
        return [str(row.uuid) for row in rows]

    async def _delete_likes(self, deleted_comments: Sequence[str]) -> None:
        """The user's likes, and others' likes of the deleted comments."""
        like = tables.UserLike
        statement = (
            delete(like)
            .where(
                or_(
                    like.user_id == self._user_id,
                    _about_comments(like.likeable_type, like.likeable_uuid, deleted_comments),
                )
            )
            .returning(like.likeable_type, like.likeable_uuid, like.parent_uuid)
        )
        rows = (await self._session.execute(statement)).all()
        self._removed["user_likes"] = len(rows)
        for row in rows:
            if row.likeable_type == COMICISSUE:
                self._affected.issue_uuids.add(str(row.likeable_uuid))
                self._affected.series_uuids.add(str(row.parent_uuid))
            else:
                self._affected.issue_uuids.add(str(row.parent_uuid))

    async def _delete_reports(self, deleted_comments: Sequence[str]) -> None:
        """The user's reports, and reports of the deleted comments."""
        report = tables.UserReport
        made_by_user = report.reporter_user_id == self._user_id
        about_deleted = _about_comments(report.target_type, report.target_uuid, deleted_comments)
        await self._delete_rows(report.reporter_user_id, or_(made_by_user, about_deleted))

    async def _delete_notifications(self, deleted_comments: Sequence[str]) -> None:
        """Notifications to and from the user, and those about the deleted comments (as deleteComment)."""
        notification = tables.UserNotification
        statement = (
            delete(notification)
            .where(
                or_(
                    notification.recipient_id == self._user_id,
                    notification.sender_id == self._user_id,
                    _about_comments(notification.target_type, notification.target_uuid, deleted_comments),
                    _about_comments(notification.context_type, notification.context_uuid, deleted_comments),
                )
            )
            .returning(notification.recipient_id)
        )
        recipients = list(await self._session.scalars(statement))
        self._removed["user_notifications"] = len(recipients)
        self._affected.feed_user_ids.update(recipients)

    async def _delete_rows(self, column: InstrumentedAttribute[int], condition: ColumnElement[bool]) -> None:
        """Delete the rows of `column`'s table that match; count them under the table's name."""
        table = column.class_
        deleted = await self._session.execute(delete(table).where(condition).returning(literal(1)))
        self._removed[table.__tablename__] = len(deleted.all())


def _about_comments(
    type_column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    uuid_column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    comment_uuids: Iterable[str],
) -> ColumnElement[bool]:
    uuids = list(comment_uuids)
    if not uuids:
        return false()
    return and_(type_column == COMMENT, uuid_column.in_(uuids))
