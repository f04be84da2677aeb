"""Root fields of the public user reads."""

import strawberry
from strawberry import UNSET

from inkverse.graphql.auth import require_user
from inkverse.graphql.context import Context
from inkverse.graphql.types import User
from inkverse.settings import CannySettings
from inkverse.users.canny import canny_sign_on
from inkverse.users.repository import UserRepository

Info = strawberry.Info[Context, None]
MAX_BIGINT = 2**63 - 1


@strawberry.type(name="CannySSO")
class CannySSO:
    user_id: strawberry.ID
    sso_token: str
    redirect_url: str


@strawberry.type
class UsersQuery:
    @strawberry.field
    async def me(self, info: Info) -> User | None:
        user = info.context.user
        return User.from_row(user, user.id) if user is not None else None

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


@strawberry.type
class CannyQuery:
    """Apart from `UsersQuery` so the Bluesky and Patreon fields come between, as in the reference."""

    @strawberry.field
    async def canny_sso(self, info: Info, redirect_path: str | None = UNSET) -> CannySSO | None:
        user = require_user(info, "You must be logged in to access Canny SSO")
        settings = await info.context.container.get(CannySettings)
        sign_on = canny_sign_on(user, settings, redirect_path or None)
        return CannySSO(
            user_id=strawberry.ID(str(sign_on.user_id)),
            sso_token=sign_on.sso_token,
            redirect_url=sign_on.redirect_url,
        )


def parse_user_id(value: str) -> int | None:
    """A user id is a positive bigint; anything else names no user (the original failed in SQL)."""
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_BIGINT else None
