"""The e-mailed login token: single-use, stored only as a hash, compared in constant time, valid 4 days.

The token is `<user id>.<40 hex chars>`: the id finds the row by primary key, and the SHA-256 of the
whole token is what `users.reset_password_token` holds (as `sha256:<hex>`). A new token replaces the
previous one; a successful exchange clears it, in a conditional UPDATE so that two concurrent
exchanges of one token cannot both succeed.
"""

import hashlib
import hmac
import secrets

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables
from inkverse.users.accounts import Accounts, now_seconds

LOGIN_TOKEN_SECONDS = 4 * 86_400
_SECRET_BYTES = 20
_HASH_PREFIX = "sha256:"


def hash_login_token(token: str) -> str:
    return _HASH_PREFIX + hashlib.sha256(token.encode()).hexdigest()


def _user_id(token: str) -> int | None:
    user_part, separator, secret = token.partition(".")
    if not separator or not secret or not user_part.isascii() or not user_part.isdigit():
        return None
    user_id = int(user_part)
    return user_id if 0 < user_id < 2**63 else None


async def issue_login_token(session: AsyncSession, user: tables.User) -> str:
    """A new token for `user` (replacing any earlier one); the caller commits, then sends it."""
    token = f"{user.id}.{secrets.token_hex(_SECRET_BYTES)}"
    now = now_seconds()
    user.reset_password_token = hash_login_token(token)
    user.reset_password_expiry = now + LOGIN_TOKEN_SECONDS
    user.updated_at = now
    await session.flush()
    return token


async def redeem_login_token(session: AsyncSession, token: str) -> tables.User | None:
    """The user the unexpired `token` belongs to, with the token used up; None for any other token.
    The caller commits."""
    user_id = _user_id(token.strip())
    if user_id is None:
        return None
    user = await Accounts(session).by_id(user_id)
    if user is None or user.reset_password_token is None or user.reset_password_expiry is None:
        return None
    expected = hash_login_token(token.strip())
    if not hmac.compare_digest(user.reset_password_token.encode(), expected.encode()):
        return None
    if user.reset_password_expiry <= now_seconds():
        return None
    consumed = await session.execute(
        update(tables.User)
        .where(tables.User.id == user_id, tables.User.reset_password_token == expected)
        .values(reset_password_token=None, reset_password_expiry=None)
        .execution_options(synchronize_session=False)
    )
    if consumed.rowcount != 1:  # type: ignore[attr-defined]
        return None  # another exchange of the same token got there first
    await session.refresh(user)
    return user
