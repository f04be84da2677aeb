"""Baseline: the original's schema after its migrations 1..28 (database.md §2), written out by hand.

19 tables, 201 columns, 83 indexes (primary keys and unique constraints included), the enum type
`content_type`, no foreign keys. Names, types, defaults and column order match a database built by the
original server, so this revision can be stamped onto such a database (`alembic stamp 0001_baseline`).
No extension is created (the original's `uuid-ossp` is unused by any default).

`id` columns are `bigserial` (knex `bigIncrements`): `bigint NOT NULL DEFAULT nextval('<table>_id_seq')`
with the sequence owned by the column. A `BigInteger` primary key renders as `BIGSERIAL`; on the Taddy
content tables, where `id` is not the key, the `BIGSERIAL` type below is used.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-01 00:01:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_baseline"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


class BIGSERIAL(sa.types.UserDefinedType[int]):
    """`bigserial` for a column that is not the primary key."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "BIGSERIAL"


NOW = sa.text("now()")
EPOCH_NOW = sa.text("(extract(epoch from now()))::bigint")
CONTENT_TYPE = postgresql.ENUM("COMICSERIES", "COMICISSUE", "CREATOR", name="content_type", create_type=False)
VARCHAR_ARRAY = postgresql.ARRAY(sa.String(255))

# Every table of this revision. There are no foreign keys, so creation and drop order do not matter.
TABLES = (
    # Taddy content
    "uuid_lookup",
    "comicseries",
    "comicissue",
    "comicstory",
    "creator",
    "creatorcontent",
    "creatorlink",
    "hosting_provider",
    # accounts
    "users",
    "user_device",
    "oauth_token",
    "user_creator_claims",
    # social
    "userseries_subscriptions",
    "user_likes",
    "user_comments",
    "user_reports",
    # notifications
    "notification_preferences",
    "user_notifications",
    "notification_settings",
)


def upgrade() -> None:
    op.execute("CREATE TYPE content_type AS ENUM ('COMICSERIES', 'COMICISSUE', 'CREATOR')")
    _create_content_tables()
    _create_user_tables()
    _create_social_tables()
    _create_notification_tables()


def downgrade() -> None:
    # Dropping a table drops its indexes, constraints and owned (bigserial) sequences.
    for table in reversed(TABLES):
        op.drop_table(table)
    op.execute("DROP TYPE content_type")


def _create_content_tables() -> None:
    op.create_table(
        "uuid_lookup",
        sa.Column("id", BIGSERIAL(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("taddy_type", CONTENT_TYPE, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("uuid", name="uuid_lookup_pkey"),
    )
    op.create_index("uuid_lookup_id_index", "uuid_lookup", ["id"])

    op.create_table(
        "comicseries",
        sa.Column("id", BIGSERIAL(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sss_url", sa.Text(), nullable=True),
        sa.Column("sss_owner_name", sa.String(255), nullable=True),
        sa.Column("sss_owner_public_email", sa.Text(), nullable=True),
        sa.Column("hash", sa.String(255), nullable=True),
        sa.Column("issues_hash", sa.String(255), nullable=True),
        sa.Column("date_published", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("cover_image", sa.JSON(), nullable=True),
        sa.Column("banner_image", sa.JSON(), nullable=True),
        sa.Column("thumbnail_image", sa.JSON(), nullable=True),
        sa.Column("series_type", sa.String(255), nullable=True),
        sa.Column("language", sa.String(255), nullable=True),
        sa.Column("content_rating", sa.String(255), nullable=True),
        sa.Column("genre0", sa.String(255), nullable=True),
        sa.Column("genre1", sa.String(255), nullable=True),
        sa.Column("genre2", sa.String(255), nullable=True),
        sa.Column("tags", VARCHAR_ARRAY, nullable=True),
        sa.Column("short_url", sa.String(255), nullable=False),
        sa.Column("copyright", sa.Text(), nullable=True),
        sa.Column("is_blocked", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(255), nullable=True),
        sa.Column("series_layout", sa.String(255), nullable=True),
        sa.Column("hosting_provider_uuid", sa.Uuid(), nullable=True),
        sa.Column("scopes_for_exclusive_content", VARCHAR_ARRAY, nullable=True),
        sa.PrimaryKeyConstraint("uuid", name="comicseries_pkey"),
        sa.UniqueConstraint("sss_url", name="comicseries_sss_url_unique"),
        sa.UniqueConstraint("hash", name="comicseries_hash_unique"),
        sa.UniqueConstraint("short_url", name="comicseries_short_url_unique"),
    )
    op.create_index("comicseries_id_index", "comicseries", ["id"])
    op.create_index("comicseries_date_published_index", "comicseries", ["date_published"])

    op.create_table(
        "comicissue",
        sa.Column("id", BIGSERIAL(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hash", sa.String(255), nullable=True),
        sa.Column("stories_hash", sa.String(255), nullable=True),
        sa.Column("date_published", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("creator_note", sa.Text(), nullable=True),
        sa.Column("series_uuid", sa.Uuid(), nullable=False),
        sa.Column("banner_image", sa.JSON(), nullable=True),
        sa.Column("thumbnail_image", sa.JSON(), nullable=True),
        sa.Column("is_removed", sa.Boolean(), nullable=True),
        sa.Column("is_blocked", sa.Boolean(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("push_notification_message", sa.Text(), nullable=True),
        sa.Column("scopes_for_exclusive_content", VARCHAR_ARRAY, nullable=True),
        sa.Column("date_exclusive_content_is_available", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("uuid", name="comicissue_pkey"),
        sa.UniqueConstraint("hash", name="comicissue_hash_unique"),
    )
    op.create_index("comicissue_id_index", "comicissue", ["id"])
    op.create_index("comicissue_series_uuid_index", "comicissue", ["series_uuid"])
    op.create_index(
        "comicissue_series_uuid_date_published_index", "comicissue", ["series_uuid", "date_published"]
    )
    op.create_index("comicissue_series_uuid_position_index", "comicissue", ["series_uuid", "position"])

    op.create_table(
        "comicstory",
        sa.Column("id", BIGSERIAL(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hash", sa.String(255), nullable=True),
        sa.Column("series_uuid", sa.Uuid(), nullable=False),
        sa.Column("issue_uuid", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("story_image", sa.JSON(), nullable=True),
        sa.Column("is_removed", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("uuid", name="comicstory_pkey"),
        sa.UniqueConstraint("hash", name="comicstory_hash_unique"),
    )
    op.create_index("comicstory_id_index", "comicstory", ["id"])
    op.create_index("comicstory_series_uuid_index", "comicstory", ["series_uuid"])
    op.create_index("comicstory_issue_uuid_index", "comicstory", ["issue_uuid"])

    op.create_table(
        "creator",
        sa.Column("id", BIGSERIAL(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hash", sa.String(255), nullable=True),
        sa.Column("content_hash", sa.String(255), nullable=True),
        sa.Column("websub_hash", sa.String(255), nullable=True),
        sa.Column("date_published", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("avatar_image", sa.JSON(), nullable=True),
        sa.Column("country", sa.String(255), nullable=True),
        sa.Column("links", postgresql.ARRAY(sa.JSON()), nullable=True),
        sa.Column("tags", VARCHAR_ARRAY, nullable=True),
        sa.Column("short_url", sa.String(255), nullable=False),
        sa.Column("copyright", sa.Text(), nullable=True),
        sa.Column("sss_url", sa.Text(), nullable=True),
        sa.Column("sss_owner_name", sa.String(255), nullable=True),
        sa.Column("sss_owner_public_email", sa.Text(), nullable=True),
        sa.Column("is_blocked", sa.Boolean(), nullable=True),
        sa.Column("links_hash", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("uuid", name="creator_pkey"),
        sa.UniqueConstraint("hash", name="creator_hash_unique"),
        sa.UniqueConstraint("short_url", name="creator_short_url_unique"),
        sa.UniqueConstraint("sss_url", name="creator_sss_url_unique"),
    )
    op.create_index("creator_id_index", "creator", ["id"])

    op.create_table(
        "creatorcontent",
        sa.Column("id", BIGSERIAL(), nullable=False),  # the only content table without an index on id
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hash", sa.String(255), nullable=True),
        sa.Column("content_uuid", sa.Uuid(), nullable=False),
        sa.Column("content_type", CONTENT_TYPE, nullable=False),
        sa.Column("creator_uuid", sa.Uuid(), nullable=False),
        sa.Column("roles", VARCHAR_ARRAY, nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("content_position", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("uuid", name="creatorcontent_pkey"),
        sa.UniqueConstraint(
            "content_uuid", "creator_uuid", name="creatorcontent_content_uuid_creator_uuid_unique"
        ),
    )
    op.create_index("creatorcontent_content_uuid_index", "creatorcontent", ["content_uuid"])
    op.create_index("creatorcontent_creator_uuid_index", "creatorcontent", ["creator_uuid"])

    op.create_table(
        "creatorlink",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("creator_uuid", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(255), nullable=False),
        sa.Column("base_url", sa.String(255), nullable=True),
        sa.Column("value", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="creatorlink_pkey"),
    )
    op.create_index("creatorlink_creator_uuid_index", "creatorlink", ["creator_uuid"])
    op.create_index("creatorlink_creator_uuid_type_index", "creatorlink", ["creator_uuid", "type"])
    op.create_index("creatorlink_type_value_index", "creatorlink", ["type", "value"])

    op.create_table(
        "hosting_provider",
        sa.Column("id", BIGSERIAL(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("oauth", sa.JSON(), nullable=True),
        sa.Column("date_published", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("uuid", name="hosting_provider_pkey"),
    )
    op.create_index("hosting_provider_id_index", "hosting_provider", ["id"])


def _create_user_tables() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("username", sa.String(80), nullable=True),
        sa.Column("is_email_verified", sa.Boolean(), server_default=sa.text("false"), nullable=True),
        sa.Column("reset_password_token", sa.String(255), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=True),
        sa.Column("reset_password_expiry", sa.BigInteger(), nullable=True),
        sa.Column("google_id", sa.String(255), nullable=True),
        sa.Column("apple_id", sa.String(255), nullable=True),
        sa.Column("age_range", sa.String(255), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("bluesky_did", sa.String(255), nullable=True),
        sa.Column("creator_uuid", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="users_pkey"),
        sa.UniqueConstraint("email", name="users_email_unique"),
        sa.UniqueConstraint("username", name="users_username_unique"),
        sa.UniqueConstraint("google_id", name="users_google_id_unique"),
        sa.UniqueConstraint("apple_id", name="users_apple_id_unique"),
        sa.UniqueConstraint("creator_uuid", name="users_creator_uuid_unique"),
    )

    op.create_table(
        "user_device",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("fcm_token", sa.String(255), nullable=False),
        sa.Column("platform", sa.String(255), nullable=False),
        sa.Column("is_provisional", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="user_device_pkey"),
        sa.UniqueConstraint("user_id", "fcm_token", name="user_device_user_id_fcm_token_unique"),
    )
    op.create_index("user_device_user_id_index", "user_device", ["user_id"])

    op.create_table(
        "oauth_token",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("hosting_provider_uuid", sa.Uuid(), nullable=False),
        sa.Column("refresh_token_expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="oauth_token_pkey"),
        sa.UniqueConstraint(
            "user_id", "hosting_provider_uuid", name="oauth_token_user_id_hosting_provider_uuid_unique"
        ),
    )

    op.create_table(
        "user_creator_claims",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("creator_uuid", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(20), server_default=sa.text("'PENDING'"), nullable=False),
        sa.Column("claim_token", sa.String(100), nullable=False),
        sa.Column("claim_token_expiry", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="user_creator_claims_pkey"),
        sa.UniqueConstraint("claim_token", name="user_creator_claims_claim_token_unique"),
        sa.UniqueConstraint(
            "user_id", "creator_uuid", name="user_creator_claims_user_id_creator_uuid_unique"
        ),
    )
    op.create_index("user_creator_claims_user_id_index", "user_creator_claims", ["user_id"])
    op.create_index("user_creator_claims_creator_uuid_index", "user_creator_claims", ["creator_uuid"])


def _create_social_tables() -> None:
    op.create_table(
        "userseries_subscriptions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), server_default=EPOCH_NOW, nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("series_uuid", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="userseries_subscriptions_pkey"),
        sa.UniqueConstraint(
            "user_id", "series_uuid", name="userseries_subscriptions_user_id_series_uuid_unique"
        ),
    )
    op.create_index("userseries_subscriptions_user_id_index", "userseries_subscriptions", ["user_id"])
    op.create_index("userseries_subscriptions_series_uuid_index", "userseries_subscriptions", ["series_uuid"])

    op.create_table(
        "user_likes",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), server_default=EPOCH_NOW, nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("likeable_uuid", sa.Uuid(), nullable=False),
        sa.Column("likeable_type", sa.String(50), nullable=False),
        sa.Column("parent_uuid", sa.Uuid(), nullable=False),
        sa.Column("parent_type", sa.String(50), nullable=False),
        sa.PrimaryKeyConstraint("id", name="user_likes_pkey"),
        sa.UniqueConstraint(
            "user_id",
            "likeable_type",
            "likeable_uuid",
            name="user_likes_user_id_likeable_type_likeable_uuid_unique",
        ),
    )
    op.create_index("user_likes_user_id_index", "user_likes", ["user_id"])
    op.create_index(
        "user_likes_likeable_type_likeable_uuid_index", "user_likes", ["likeable_type", "likeable_uuid"]
    )
    op.create_index("user_likes_parent_type_parent_uuid_index", "user_likes", ["parent_type", "parent_uuid"])
    op.create_index(
        "user_likes_likeable_type_created_at_parent_uuid_index",
        "user_likes",
        ["likeable_type", "created_at", "parent_uuid"],
    )

    op.create_table(
        "user_comments",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), server_default=EPOCH_NOW, nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("target_uuid", sa.Uuid(), nullable=False),
        sa.Column("target_type", sa.String(50), nullable=False),
        sa.Column("parent_uuid", sa.Uuid(), nullable=False),
        sa.Column("parent_type", sa.String(50), nullable=False),
        sa.Column("reply_to_comment_uuid", sa.Uuid(), nullable=True),
        sa.Column("is_visible", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("pinned_position", sa.Integer(), nullable=True),
        sa.Column("is_creator", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="user_comments_pkey"),
        sa.UniqueConstraint("uuid", name="user_comments_uuid_unique"),
    )
    op.create_index("user_comments_user_id_index", "user_comments", ["user_id"])
    # The next two names were truncated to 63 bytes by PostgreSQL in the original database.
    op.create_index(
        "user_comments_target_type_target_uuid_is_visible_reply_to_comme",
        "user_comments",
        ["target_type", "target_uuid", "is_visible", "reply_to_comment_uuid"],
    )
    op.create_index(
        "user_comments_parent_type_parent_uuid_index", "user_comments", ["parent_type", "parent_uuid"]
    )
    op.create_index("user_comments_reply_to_comment_uuid_index", "user_comments", ["reply_to_comment_uuid"])
    op.create_index("user_comments_created_at_index", "user_comments", ["created_at"])
    op.create_index(
        "user_comments_parent_type_is_visible_created_at_parent_uuid_ind",
        "user_comments",
        ["parent_type", "is_visible", "created_at", "parent_uuid"],
    )

    op.create_table(
        "user_reports",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), server_default=EPOCH_NOW, nullable=False),
        sa.Column("reporter_user_id", sa.BigInteger(), nullable=False),
        sa.Column("target_uuid", sa.Uuid(), nullable=False),
        sa.Column("target_type", sa.String(50), nullable=False),
        sa.Column("report_type", sa.String(50), nullable=False),
        sa.Column("additional_info", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="user_reports_pkey"),
        sa.UniqueConstraint(
            "target_type",
            "target_uuid",
            "reporter_user_id",
            name="user_reports_target_type_target_uuid_reporter_user_id_unique",
        ),
    )
    op.create_index("user_reports_reporter_user_id_index", "user_reports", ["reporter_user_id"])
    op.create_index(
        "user_reports_target_type_target_uuid_index", "user_reports", ["target_type", "target_uuid"]
    )


def _create_notification_tables() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), server_default=EPOCH_NOW, nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("notification_type", sa.String(255), nullable=False),
        sa.Column("value", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("id", name="notification_preferences_pkey"),
        sa.UniqueConstraint(
            "user_id",
            "notification_type",
            "value",
            name="notification_preferences_user_id_notification_type_value_unique",
        ),
    )
    op.create_index("notification_preferences_user_id_index", "notification_preferences", ["user_id"])

    op.create_table(
        "user_notifications",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("recipient_id", sa.BigInteger(), nullable=False),
        sa.Column("sender_id", sa.BigInteger(), nullable=True),
        sa.Column("event_type", sa.String(50), nullable=False),
        sa.Column("target_uuid", sa.String(255), nullable=False),
        sa.Column("target_type", sa.String(50), nullable=False),
        sa.Column("parent_uuid", sa.String(255), nullable=True),
        sa.Column("parent_type", sa.String(50), nullable=True),
        sa.Column("context_uuid", sa.String(255), nullable=True),
        sa.Column("context_type", sa.String(50), nullable=True),
        sa.PrimaryKeyConstraint("id", name="user_notifications_pkey"),
    )
    op.create_index("user_notifications_recipient_id_index", "user_notifications", ["recipient_id"])
    op.create_index(
        "user_notifications_recipient_id_created_at_index",
        "user_notifications",
        ["recipient_id", "created_at"],
    )
    op.create_index(
        "user_notifications_recipient_id_event_type_target_uuid_index",
        "user_notifications",
        ["recipient_id", "event_type", "target_uuid"],
    )
    op.create_index("user_notifications_context_uuid_index", "user_notifications", ["context_uuid"])

    op.create_table(
        "notification_settings",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("event_type", sa.String(50), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="notification_settings_pkey"),
        sa.UniqueConstraint(
            "user_id", "event_type", "channel", name="notification_settings_user_id_event_type_channel_unique"
        ),
    )
    op.create_index("notification_settings_user_id_index", "notification_settings", ["user_id"])
