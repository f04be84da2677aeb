"""The signed-in user of a GraphQL request, from `Authorization: Bearer <token>` (graphql.md §1.4).

No header, an empty one (the website sends `authorization: ""` when signed out), another scheme or
`Bearer` alone is an anonymous request. A token that does not verify raises `InvalidTokenError`
(the endpoint answers 401); a valid token whose user no longer exists is anonymous, as in the original.
Any token type is accepted: the website's server renderer sends its refresh token.
"""

from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from inkverse.asgi import bearer_token
from inkverse.database import tables
from inkverse.users.tokens import TokenService


async def signed_in_user(request: Request, container: AsyncContainer) -> tables.User | None:
    token = bearer_token(request.headers)
    if token is None:
        return None
    claims = (await container.get(TokenService)).verify(token)
    sessionmaker = await container.get(async_sessionmaker[AsyncSession])
    async with sessionmaker() as session:
        return await session.get(tables.User, claims.user_id)
