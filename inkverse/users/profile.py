"""A user's own account changes: username and age (`updateUserProfile`), e-mail address
(`updateUserEmail`) and its confirmation (`resendVerificationEmail`), with the original's rules and
messages (graphql.md §2.7). Refusals raise `ValidationError` (BAD_USER_INPUT with the message).

The caller owns the session and commits; the confirmation e-mail is sent after the commit.
"""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables
from inkverse.errors import ValidationError
from inkverse.users.accounts import Accounts, is_valid_email, normalize_email, now_seconds
from inkverse.users.login import issue_login_token

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 20
UNDER_18 = "UNDER_18"
_USERNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?")
_NOT_IN_USERNAME = re.compile(r"[^A-Za-z0-9_-]")
# The original's list also holds website routes written with a slash (`/blog`), which the pattern
# already refuses.
RESERVED_USERNAMES = frozenset(
    {
        "admin", "administrator", "api", "app", "www", "ftp", "mail", "email", "support", "help", "info",
        "contact", "news", "test", "demo", "user", "users", "account", "accounts", "profile", "profiles",
        "settings", "login", "logout", "signin", "signup", "register", "auth", "authentication", "root",
        "system", "public", "private", "secure", "security", "staff", "moderator", "mod", "null",
        "undefined", "void", "delete", "remove", "inkverse",
    }
)  # fmt: skip

USERNAME_TAKEN = "This username is already taken"
EMAIL_TAKEN = "This email is already taken"


class AccountGoneError(Exception):
    """The signed-in user's row no longer exists (deleted since the request began)."""


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """The arguments of `updateUserProfile`; None (or an empty username) is "not given"."""

    username: str | None = None
    age_range: str | None = None
    birth_year: int | None = None


@dataclass(frozen=True, slots=True)
class ProfileUpdate:
    user: tables.User
    previous_username: str | None


def username_problem(username: str) -> str | None:
    """Why `username` cannot be used (checked on the trimmed value), or None."""
    trimmed = username.strip()
    if not trimmed:
        return "Username cannot be empty"
    if len(trimmed) < USERNAME_MIN_LENGTH:
        return f"Username must be at least {USERNAME_MIN_LENGTH} characters long"
    if len(trimmed) > USERNAME_MAX_LENGTH:
        return f"Username must be no more than {USERNAME_MAX_LENGTH} characters long"
    if _USERNAME.fullmatch(trimmed) is None:
        return (
            "Username can only contain letters, numbers, underscores, and hyphens. "
            "It must start and end with a letter or number."
        )
    if trimmed.lower() in RESERVED_USERNAMES:
        return "This username is reserved and cannot be used"
    return None


def sanitize_username(username: str) -> str:
    """The stored form: only `[A-Za-z0-9_-]`, lower-cased, at most 20 characters."""
    return _NOT_IN_USERNAME.sub("", username).lower().strip()[:USERNAME_MAX_LENGTH]


async def _locked_user(session: AsyncSession, user_id: int) -> tables.User:
    user = await Accounts(session).by_id_for_update(user_id)
    if user is None:
        raise AccountGoneError(user_id)
    return user


async def _username_taken(session: AsyncSession, username: str, user_id: int) -> bool:
    statement = select(func.count()).where(
        tables.User.username == username.strip().lower(), tables.User.id != user_id
    )
    return bool(await session.scalar(statement))


async def update_profile(session: AsyncSession, user_id: int, change: ProfileChange) -> ProfileUpdate:
    if change.username:
        problem = username_problem(change.username)
        if problem is not None:
            raise ValidationError("username", problem)
        if await _username_taken(session, change.username, user_id):
            raise ValidationError("username", USERNAME_TAKEN)
    if change.age_range == UNDER_18 and not change.birth_year:
        raise ValidationError("birthYear", "Birth year is required for users under 18")
    if not change.username and change.age_range is None:
        raise ValidationError("username", "No valid fields to update")
    user = await _locked_user(session, user_id)
    previous_username = user.username
    if change.username:
        user.username = sanitize_username(change.username)
    if change.age_range is not None:
        user.age_range = change.age_range
        user.birth_year = change.birth_year if change.age_range == UNDER_18 else None
    user.updated_at = now_seconds()
    await session.flush()
    return ProfileUpdate(user, previous_username)


async def change_email(session: AsyncSession, user_id: int, email: str) -> tuple[tables.User, str]:
    """Store the new (normalised) address as unverified; returns the user and a new confirmation token."""
    address = normalize_email(email)
    if not is_valid_email(address):
        raise ValidationError("email", "Invalid email format")
    owner = await Accounts(session).by_email(address)
    if owner is not None and owner.id != user_id:
        raise ValidationError("email", EMAIL_TAKEN)
    user = await _locked_user(session, user_id)
    user.email = address
    return user, await _unverify(session, user)


async def restart_verification(session: AsyncSession, user_id: int) -> tuple[tables.User, str]:
    """Mark the address unverified again; returns the user and a new confirmation token."""
    user = await _locked_user(session, user_id)
    return user, await _unverify(session, user)


async def _unverify(session: AsyncSession, user: tables.User) -> str:
    user.is_email_verified = False
    return await issue_login_token(session, user)
