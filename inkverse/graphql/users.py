"""Root fields of the public user reads."""

import strawberry

from inkverse.graphql.context import Context
from inkverse.graphql.types import User
from inkverse.users.repository import UserRepository

Info = strawberry.Info[Context, None]
MAX_BIGINT = 2**63 - 1


@strawberry.type
class UsersQuery:
    @strawberry.field
    async def get_user_by_username(self, info: Info, username: str) -> User | None:
        async with info.context.session() as session:
            row = await UserRepository(session).get_by_username(username)
        return User.from_row(row, info.context.viewer_id) if row else None

    @strawberry.field
    async def get_user_by_id(self, info: Info, id: strawberry.ID) -> User | None:  # noqa: A002 - contract name
        user_id = parse_user_id(str(id))
        if user_id is None:
            return None
        row = await info.context.loaders.user_by_id.load(user_id)
        return User.from_row(row, info.context.viewer_id) if row else None


def parse_user_id(value: str) -> int | None:
    """A user id is a positive bigint; anything else names no user (the original failed in SQL)."""
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_BIGINT else None
