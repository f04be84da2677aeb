"""Devices that receive pushes: Expo push tokens per user (`user_device`, graphql.md §2.7 `savePushToken`)."""

import re
from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables

_BARE_DEVICE_ID = re.compile(r"^[a-z\d]{8}-[a-z\d]{4}-[a-z\d]{4}-[a-z\d]{4}-[a-z\d]{12}$", re.IGNORECASE)
MAX_TOKEN_LENGTH = 255
"""`user_device.fcm_token` and `platform` are varchar(255)."""


def is_expo_push_token(token: str) -> bool:
    """expo-server-sdk's `Expo.isExpoPushToken`: `Expo(nent)PushToken[…]`, or a bare UUID-shaped id."""
    wrapped = token.startswith(("ExponentPushToken[", "ExpoPushToken[")) and token.endswith("]")
    return wrapped or bool(_BARE_DEVICE_ID.match(token))


async def expo_tokens_of(session: AsyncSession, user_ids: Collection[int]) -> dict[int, list[str]]:
    """Each user's Expo push tokens, oldest device first; users without one are absent."""
    device = tables.UserDevice
    rows = await session.execute(
        select(device.user_id, device.fcm_token).where(device.user_id.in_(user_ids)).order_by(device.id)
    )
    tokens: dict[int, list[str]] = {}
    for user_id, token in rows:
        if is_expo_push_token(token):
            tokens.setdefault(user_id, []).append(token)
    return tokens


async def save_push_token(session: AsyncSession, user_id: int, token: str, platform: str) -> None:
    """Upsert on (user, token), updating the platform."""
    statement = insert(tables.UserDevice).values(user_id=user_id, fcm_token=token, platform=platform)
    await session.execute(
        statement.on_conflict_do_update(
            constraint="user_device_user_id_fcm_token_unique",
            set_={"platform": statement.excluded.platform, "updated_at": datetime.now(UTC)},
        )
    )
