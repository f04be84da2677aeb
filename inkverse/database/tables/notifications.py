"""Notifications: per-series preferences, the in-app feed, and per-event/per-channel settings.

Schema as in database.md §2. Every table has a `bigserial` primary key `id` and bigint epoch-second
times. `notification_preferences.created_at` defaults to the current epoch second in the database;
`user_notifications` and `notification_settings` have no default (the app passes the time).
`user_notifications.*_uuid` are `varchar(255)`, not `uuid`, as in the original database.
"""

from sqlalchemy import BigInteger, Boolean, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from inkverse.database.base import Base

EPOCH_NOW = text("(extract(epoch from now()))::bigint")
"""Server default of the epoch-second `created_at` columns: the current Unix time in whole seconds."""


class NotificationPreference(Base):
    """A user's opt-in to a notification about a value, e.g. NEW_EPISODE_RELEASED for a series uuid."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint(
            "user_id",
            "notification_type",
            "value",
            name="notification_preferences_user_id_notification_type_value_unique",
        ),
        Index("notification_preferences_user_id_index", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger, server_default=EPOCH_NOW)
    updated_at: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    notification_type: Mapped[str] = mapped_column(String(255))
    value: Mapped[str | None] = mapped_column(String(255))


class UserNotification(Base):
    """An entry of a user's in-app notification feed (`user_notifications`); no `updated_at`."""

    __tablename__ = "user_notifications"
    __table_args__ = (
        Index("user_notifications_recipient_id_index", "recipient_id"),
        Index("user_notifications_recipient_id_created_at_index", "recipient_id", "created_at"),
        Index(
            "user_notifications_recipient_id_event_type_target_uuid_index",
            "recipient_id",
            "event_type",
            "target_uuid",
        ),
        Index("user_notifications_context_uuid_index", "context_uuid"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    recipient_id: Mapped[int] = mapped_column(BigInteger)
    sender_id: Mapped[int | None] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(50))
    target_uuid: Mapped[str] = mapped_column(String(255))
    target_type: Mapped[str] = mapped_column(String(50))
    parent_uuid: Mapped[str | None] = mapped_column(String(255))
    parent_type: Mapped[str | None] = mapped_column(String(50))
    context_uuid: Mapped[str | None] = mapped_column(String(255))
    context_type: Mapped[str | None] = mapped_column(String(50))


class NotificationSetting(Base):
    """An override of the default for one (event type, channel) pair (`notification_settings`)."""

    __tablename__ = "notification_settings"
    __table_args__ = (
        UniqueConstraint(
            "user_id", "event_type", "channel", name="notification_settings_user_id_event_type_channel_unique"
        ),
        Index("notification_settings_user_id_index", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)
    event_type: Mapped[str] = mapped_column(String(50))
    channel: Mapped[str] = mapped_column(String(10))
    is_enabled: Mapped[bool] = mapped_column(Boolean)
