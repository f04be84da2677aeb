"""Root fields of the public user reads."""

import strawberry

from inkverse.graphql.context import Context
from inkverse.graphql.types import User
from inkverse.users.repository import UserRepository

Info = strawberry.Info[Context, None]


@strawberry.type
class UsersQuery:
    @strawberry.field
    async def get_user_by_username(self, info: Info, username: str) -> User | None:
        async with info.context.session() as session:
            row = await UserRepository(session).get_by_username(username)
        return User.from_row(row, info.context.viewer_id) if row else None

    @strawberry.field
    async def get_user_by_id(self, info: Info, id: strawberry.ID) -> User | None:  # noqa: A002 - contract name
        if not str(id).strip().isdigit():
            return None
        row = await info.context.loaders.user_by_id.load(int(str(id).strip()))
        return User.from_row(row, info.context.viewer_id) if row else None
