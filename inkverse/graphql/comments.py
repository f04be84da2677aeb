"""Comments: the public reads (`getComments`, `getRepliesForComment`)."""

import strawberry
from strawberry import UNSET

from inkverse.catalog.text import normalise_uuid
from inkverse.database import tables
from inkverse.graphql.arguments import default_if_missing
from inkverse.graphql.context import Context
from inkverse.graphql.convert import optional_id, to_enum
from inkverse.graphql.enums import CommentSortType, InkverseType
from inkverse.graphql.types import User
from inkverse.graphql.validation import validate_and_trim_uuid
from inkverse.social.repository import CommentRepository, CommentSort

Info = strawberry.Info[Context, None]
MAX_COMMENTS_PER_PAGE = 100


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
        comments.append(
            Comment(
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
        )
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
