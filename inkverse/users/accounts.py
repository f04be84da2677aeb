"""User accounts: lookups and creation by e-mail, Google id and Apple id; linking; verification.

E-mail addresses are normalised here and nowhere else (`normalize_email`). The caller owns the session
and commits; the mailing-list sign-up runs after that commit (`subscribe_to_signup_list`).
"""

import re
import time

import structlog
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables
from inkverse.errors import MailingListError
from inkverse.messaging.octopus import MailingList

log = structlog.get_logger(__name__)

# The original's check (`^[^\s@]+@[^\s@]+\.[^\s@]+$`), applied to the normalised address.
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
MAX_EMAIL_LENGTH = 255


def now_seconds() -> int:
    return int(time.time())


def normalize_email(raw: str) -> str:
    """How every address is stored and looked up: trimmed and lower-cased."""
    return raw.strip().lower()


def is_valid_email(address: str) -> bool:
    return len(address) <= MAX_EMAIL_LENGTH and _EMAIL.fullmatch(address) is not None


class Accounts:
    """Reads and writes of `users` for sign-in; the caller owns the session and commits."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_id(self, user_id: int) -> tables.User | None:
        return await self._session.get(tables.User, user_id)

    async def by_id_for_update(self, user_id: int) -> tables.User | None:
        statement = select(tables.User).where(tables.User.id == user_id).with_for_update()
        return (await self._session.scalars(statement)).first()

    async def by_email(self, email: str) -> tables.User | None:
        return await self._first(tables.User.email == normalize_email(email))

    async def by_google_id(self, google_id: str) -> tables.User | None:
        return await self._first(tables.User.google_id == google_id)

    async def by_apple_id(self, apple_id: str) -> tables.User | None:
        return await self._first(tables.User.apple_id == apple_id)

    async def _first(self, condition: ColumnElement[bool]) -> tables.User | None:
        statement = select(tables.User).where(condition).order_by(tables.User.id).limit(1)
        return (await self._session.scalars(statement)).first()

    async def create(
        self,
        email: str,
        *,
        google_id: str | None = None,
        apple_id: str | None = None,
        is_email_verified: bool = False,
    ) -> tables.User:
        user = tables.User(
            email=normalize_email(email),
            google_id=google_id,
            apple_id=apple_id,
            is_email_verified=is_email_verified,
            created_at=now_seconds(),
        )
        self._session.add(user)
        await self._session.flush()
        return user

    @staticmethod
    def link_google_id(user: tables.User, google_id: str) -> None:
        user.google_id = google_id
        user.updated_at = now_seconds()

    @staticmethod
    def link_apple_id(user: tables.User, apple_id: str) -> None:
        user.apple_id = apple_id
        user.updated_at = now_seconds()

    @staticmethod
    def mark_email_verified(user: tables.User) -> bool:
        """Mark the address verified; True when it was not before (then subscribe it after the commit)."""
        if user.is_email_verified:
            return False
        user.is_email_verified = True
        user.updated_at = now_seconds()
        return True


async def subscribe_to_signup_list(mailing_list: MailingList, email: str) -> None:
    """Add a newly verified address to the sign-up list; a failure is logged, never the caller's."""
    try:
        await mailing_list.subscribe(email)
    except MailingListError as exc:
        log.warning("accounts.signup_list_failed", error=str(exc))
