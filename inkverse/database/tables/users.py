"""Accounts and what hangs off them: users, push devices, hosting-provider OAuth tokens, creator claims.

Schema as in database.md §2. Every table has a `bigserial` primary key `id` (a `BigInteger` primary key
renders as `BIGSERIAL`). `users` keeps its times as bigint epoch seconds supplied by the app; the other
three use `timestamptz` with `DEFAULT now()`. UUIDs are mapped as `str` (`Uuid(as_uuid=False)`).
"""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from inkverse.database.base import Base


class User(Base):
    """A user account (`users`); times are epoch seconds, always supplied by the app."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("email", name="users_email_unique"),
        UniqueConstraint("username", name="users_username_unique"),
        UniqueConstraint("google_id", name="users_google_id_unique"),
        UniqueConstraint("apple_id", name="users_apple_id_unique"),
        UniqueConstraint("creator_uuid", name="users_creator_uuid_unique"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(80))
    is_email_verified: Mapped[bool | None] = mapped_column(Boolean, server_default=false())
    reset_password_token: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int | None] = mapped_column(BigInteger)
    reset_password_expiry: Mapped[int | None] = mapped_column(BigInteger)
    google_id: Mapped[str | None] = mapped_column(String(255))
    apple_id: Mapped[str | None] = mapped_column(String(255))
    age_range: Mapped[str | None] = mapped_column(String(255))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    bluesky_did: Mapped[str | None] = mapped_column(String(255))
    creator_uuid: Mapped[str | None] = mapped_column(Uuid(as_uuid=False))


class UserDevice(Base):
    """A device registered for push notifications (`user_device`); `fcm_token` holds an Expo push token."""

    __tablename__ = "user_device"
    __table_args__ = (
        UniqueConstraint("user_id", "fcm_token", name="user_device_user_id_fcm_token_unique"),
        Index("user_device_user_id_index", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int] = mapped_column(BigInteger)
    fcm_token: Mapped[str] = mapped_column(String(255))
    platform: Mapped[str] = mapped_column(String(255))
    is_provisional: Mapped[bool | None] = mapped_column(Boolean)


class OAuthToken(Base):
    """A user's refresh token for a hosting provider (`oauth_token`), one per (user, provider)."""

    __tablename__ = "oauth_token"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "hosting_provider_uuid", name="oauth_token_user_id_hosting_provider_uuid_unique"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    refresh_token: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(BigInteger)
    hosting_provider_uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False))
    refresh_token_expires_at: Mapped[int] = mapped_column(BigInteger)


class UserCreatorClaim(Base):
    """A user's claim to be a creator (`user_creator_claims`): PENDING, APPROVED or REJECTED."""

    __tablename__ = "user_creator_claims"
    __table_args__ = (
        UniqueConstraint("claim_token", name="user_creator_claims_claim_token_unique"),
        UniqueConstraint("user_id", "creator_uuid", name="user_creator_claims_user_id_creator_uuid_unique"),
        Index("user_creator_claims_user_id_index", "user_id"),
        Index("user_creator_claims_creator_uuid_index", "creator_uuid"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int] = mapped_column(BigInteger)
    creator_uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False))
    status: Mapped[str] = mapped_column(String(20), server_default="PENDING")
    claim_token: Mapped[str] = mapped_column(String(100))
    claim_token_expiry: Mapped[int] = mapped_column(BigInteger)
