"""Reads of `oauth_token`: a user's stored refresh tokens for hosting providers. The caller owns the
session."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables


class HostingProviderTokens:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def refresh_token(self, user_id: int, hosting_provider_uuid: str) -> str | None:
        """The user's refresh token for the provider; None when there is none or the uuid is malformed
        (the column is a uuid, so such a value can name no provider)."""
        provider_uuid = _canonical_uuid(hosting_provider_uuid)
        if provider_uuid is None:
            return None
        token = tables.OAuthToken
        statement = select(token.refresh_token).where(
            token.user_id == user_id, token.hosting_provider_uuid == provider_uuid
        )
        return (await self._session.scalars(statement)).first()

    async def all_refresh_tokens(self, user_id: int) -> list[str]:
        token = tables.OAuthToken
        statement = select(token.refresh_token).where(token.user_id == user_id).order_by(token.id)
        return list(await self._session.scalars(statement))


def _canonical_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None
