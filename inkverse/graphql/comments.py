"""Comments: the public reads (`getComments`, `getRepliesForComment`), the reader's comment likes
(`getUserComments`) and the comment and report mutations (graphql.md §2.7)."""

import strawberry
from strawberry import UNSET

from inkverse.cache.rate_limit import RateLimiter
from inkverse.catalog.text import normalise_uuid
from inkverse.database import tables
from inkverse.graphql.arguments import default_if_missing
from inkverse.graphql.auth import require_user
from inkverse.graphql.context import Context
from inkverse.graphql.convert import optional_id, to_enum
from inkverse.graphql.enums import CommentSortType, InkverseType, ReportType
from inkverse.graphql.errors import ExpectedServerError, RateLimitExceededError
from inkverse.graphql.reading import check_like_rate
from inkverse.graphql.types import User
from inkverse.graphql.validation import validate_and_trim_uuid
from inkverse.social.comments import CommentActions, SeriesNotFoundError, liked_comment_uuids
from inkverse.social.repository import CommentRepository, CommentSort
from inkverse.social.text import comment_text

Info = strawberry.Info[Context, None]
MAX_COMMENTS_PER_PAGE = 100
COMMENTS_BUCKET = "comments"
COMMENTS_PER_MINUTE = 10


@strawberry.type
class CommentStats:
    uuid: strawberry.ID
    like_count: int | None
    reply_count: int | None


@strawberry.type
class Comment:
    uuid: strawberry.ID
    text: str
    created_at: int
    target_uuid: strawberry.ID
    target_type: InkverseType
    reply_to_uuid: strawberry.ID | None
    is_creator: bool | None
    stats: CommentStats | None
    user_id: strawberry.Private[int]

    @strawberry.field
    async def user(self, info: Info) -> User | None:
        row = await info.context.loaders.user_by_id.load(self.user_id)
        return User.from_row(row, info.context.viewer_id) if row else None


@strawberry.type
class CommentsForTarget:
    target_uuid: strawberry.ID
    target_type: InkverseType
    sort_by: CommentSortType | None
    page: int | None
    limit_per_page: int | None
    comments: list[Comment]


def comment_from_row(row: tables.UserComment, stats: CommentStats) -> Comment:
    return Comment(
        uuid=strawberry.ID(row.uuid),
        text=row.text,
        created_at=row.created_at,
        target_uuid=strawberry.ID(row.target_uuid),
        target_type=to_enum(InkverseType, row.target_type) or InkverseType.COMICISSUE,
        reply_to_uuid=optional_id(row.reply_to_comment_uuid),
        is_creator=row.is_creator,
        stats=stats,
        user_id=row.user_id,
    )


async def _comments(info: Info, rows: list[tables.UserComment], *, with_replies: bool) -> list[Comment]:
    uuids = [row.uuid for row in rows]
    likes = await info.context.loaders.like_count_by_comment_uuid.load_many(uuids)
    replies = await info.context.loaders.reply_count_by_comment_uuid.load_many(uuids) if with_replies else []
    comments = []
    for index, row in enumerate(rows):
        stats = CommentStats(
            uuid=strawberry.ID(row.uuid),
            like_count=likes[index] or 0,
            reply_count=(replies[index] or 0) if with_replies else 0,
        )
        comments.append(comment_from_row(row, stats))
    return comments


def _paging(page: int | None, limit_per_page: int | None) -> tuple[int, int]:
    """Defaults 1 and 25 as the original; out-of-range values are clamped (the original sent them to SQL)."""
    current_page = max(1, default_if_missing(page, 1))
    limit = min(MAX_COMMENTS_PER_PAGE, max(1, default_if_missing(limit_per_page, 25)))
    return current_page, limit


@strawberry.type
class CommentsQuery:
    @strawberry.field
    async def get_comments(
        self,
        info: Info,
        target_uuid: strawberry.ID,
        target_type: InkverseType,
        page: int | None = UNSET,
        limit_per_page: int | None = UNSET,
        sort_by: CommentSortType | None = UNSET,
    ) -> CommentsForTarget:
        current_page, limit = _paging(page, limit_per_page)
        sort = default_if_missing(sort_by, CommentSortType.TOP)
        target = validate_and_trim_uuid(target_uuid, "targetUuid")
        async with info.context.read_session() as session:
            rows = await CommentRepository(session).for_target(
                target, target_type.value, CommentSort(sort.value), current_page, limit
            )
        return CommentsForTarget(
            target_uuid=strawberry.ID(target),
            target_type=target_type,
            sort_by=sort,
            page=current_page,
            limit_per_page=limit,
            comments=await _comments(info, rows, with_replies=True),
        )

    @strawberry.field
    async def get_replies_for_comment(
        self,
        info: Info,
        target_uuid: strawberry.ID,
        target_type: InkverseType,
        comment_uuid: strawberry.ID,
        page: int | None = UNSET,
        limit_per_page: int | None = UNSET,
    ) -> CommentsForTarget:
        current_page, limit = _paging(page, limit_per_page)
        comment = validate_and_trim_uuid(comment_uuid, "commentUuid")
        async with info.context.read_session() as session:
            rows = await CommentRepository(session).replies(comment, current_page, limit)
        return CommentsForTarget(
            target_uuid=strawberry.ID(normalise_uuid(target_uuid)),
            target_type=target_type,
            sort_by=None,
            page=current_page,
            limit_per_page=limit,
            comments=await _comments(info, rows, with_replies=False),
        )


@strawberry.type
class UserComment:
    target_uuid: strawberry.ID
    target_type: InkverseType
    liked_comment_uuids: list[str | None]


async def _user_comment(info: Info, user_id: int, target_uuid: str, target_type: InkverseType) -> UserComment:
    async with info.context.read_session() as session:
        liked = await liked_comment_uuids(session, user_id, target_uuid)
    return UserComment(
        target_uuid=strawberry.ID(target_uuid), target_type=target_type, liked_comment_uuids=list(liked)
    )


def _target_type(row: tables.UserComment) -> InkverseType:
    return to_enum(InkverseType, row.target_type) or InkverseType.COMICISSUE


async def _check_comment_rate(info: Info, user: tables.User) -> None:
    """At most COMMENTS_PER_MINUTE new comments per reader; allowed when Redis is unavailable."""
    limiter = await info.context.container.get(RateLimiter)
    decision = await limiter.hit(COMMENTS_BUCKET, str(user.id), limit=COMMENTS_PER_MINUTE, window_seconds=60)
    if not decision.allowed:
        raise RateLimitExceededError(
            f"You are commenting too fast. Try again in {decision.retry_after} seconds."
        )


@strawberry.type
class UserCommentsQuery:
    @strawberry.field
    async def get_user_comments(
        self, info: Info, target_uuid: strawberry.ID, target_type: InkverseType
    ) -> UserComment | None:
        user = require_user(info, "You must be logged in to get user comment data")
        target = validate_and_trim_uuid(target_uuid, "targetUuid")
        return await _user_comment(info, user.id, target, target_type)


@strawberry.type
class CommentsMutation:
    @strawberry.mutation
    async def add_comment(
        self,
        info: Info,
        issue_uuid: strawberry.ID,
        series_uuid: strawberry.ID,
        text: str,
        reply_to_comment_uuid: strawberry.ID | None = UNSET,
    ) -> Comment | None:
        user = require_user(info, "You must be logged in to add a comment")
        issue = validate_and_trim_uuid(issue_uuid, "issueUuid")
        series = validate_and_trim_uuid(series_uuid, "seriesUuid")
        reply_to = (
            validate_and_trim_uuid(reply_to_comment_uuid, "replyToCommentUuid")
            if reply_to_comment_uuid
            else None
        )
        comment_text(text)  # refuse bad text before it counts against the rate limit
        await _check_comment_rate(info, user)
        actions = await info.context.container.get(CommentActions)
        row = await actions.add(user, issue, series, text, reply_to)
        return comment_from_row(row, CommentStats(uuid=strawberry.ID(row.uuid), like_count=0, reply_count=0))

    @strawberry.mutation
    async def edit_comment(
        self,
        info: Info,
        comment_uuid: strawberry.ID,
        text: str,
        target_uuid: strawberry.ID,
        target_type: InkverseType,
    ) -> Comment | None:
        user = require_user(info, "You must be logged in to edit a comment")
        comment = validate_and_trim_uuid(comment_uuid, "commentUuid")
        actions = await info.context.container.get(CommentActions)
        row = await actions.edit(user.id, comment, text)
        return (await _comments(info, [row], with_replies=True))[0]

    @strawberry.mutation
    async def set_comment_visibility(
        self, info: Info, comment_uuid: strawberry.ID, is_visible: bool
    ) -> Comment | None:
        user = require_user(info, "You must be logged in to modify comment visibility")
        comment = validate_and_trim_uuid(comment_uuid, "commentUuid")
        actions = await info.context.container.get(CommentActions)
        row = await actions.set_visibility(user.id, comment, visible=is_visible)
        return (await _comments(info, [row], with_replies=True))[0]

    @strawberry.mutation
    async def delete_comment(
        self, info: Info, comment_uuid: strawberry.ID, target_uuid: strawberry.ID, target_type: InkverseType
    ) -> bool:
        user = require_user(info, "You must be logged in to delete a comment")
        comment = validate_and_trim_uuid(comment_uuid, "commentUuid")
        await (await info.context.container.get(CommentActions)).delete(user.id, comment)
        return True

    @strawberry.mutation
    async def like_comment(
        self, info: Info, comment_uuid: strawberry.ID, issue_uuid: strawberry.ID
    ) -> UserComment | None:
        user = require_user(info, "You must be logged in to like a comment")
        comment = validate_and_trim_uuid(comment_uuid, "commentUuid")
        await check_like_rate(info, user)
        row = await (await info.context.container.get(CommentActions)).like(user.id, comment)
        return await _user_comment(info, user.id, row.target_uuid, _target_type(row))

    @strawberry.mutation
    async def unlike_comment(
        self, info: Info, comment_uuid: strawberry.ID, issue_uuid: strawberry.ID
    ) -> UserComment | None:
        user = require_user(info, "You must be logged in to unlike a comment")
        comment = validate_and_trim_uuid(comment_uuid, "commentUuid")
        row = await (await info.context.container.get(CommentActions)).unlike(user.id, comment)
        return await _user_comment(info, user.id, row.target_uuid, _target_type(row))

    @strawberry.mutation
    async def report_comment(
        self,
        info: Info,
        comment_uuid: strawberry.ID,
        report_type: ReportType,
        additional_info: str | None = UNSET,
    ) -> bool:
        user = require_user(info, "You must be logged in to report a comment")
        comment = validate_and_trim_uuid(comment_uuid, "commentUuid")
        actions = await info.context.container.get(CommentActions)
        await actions.report_comment(user.id, comment, report_type.value, additional_info or None)
        return True


@strawberry.type
class SeriesReportMutation:
    @strawberry.mutation
    async def report_comic_series(
        self, info: Info, uuid: strawberry.ID, report_type: ReportType
    ) -> bool | None:
        """No sign-in needed, as in the original; a signed-in reporter's report is also stored."""
        series = validate_and_trim_uuid(uuid)
        reporter = info.context.user.id if info.context.user else None
        try:
            await (await info.context.container.get(CommentActions)).report_series(
                reporter, series, report_type.value
            )
        except SeriesNotFoundError:
            raise ExpectedServerError("inside reportComicSeries() - Comic series not found") from None
        return True
