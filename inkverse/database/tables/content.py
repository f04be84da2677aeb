"""Content mirrored from Taddy: series, issues, stories, creators, their content and links, uuid lookup.

Schema as in database.md §2. The primary key of a Taddy table is the Taddy `uuid` (supplied by the caller,
never generated). The `id` column is a `bigserial` that is *not* a key: batch jobs walk tables in id
ranges. In the database it is `bigint NOT NULL DEFAULT nextval('<table>_id_seq'::regclass)` with the
sequence owned by the column (created by the baseline migration). The model names that sequence as the
column default rather than as a `server_default`: Alembic reflects an owned sequence's default as "none"
(SERIAL), so a `server_default` would show up as drift. `creatorlink` has an ordinary `bigserial` primary
key. UUIDs are mapped as `str` (`Uuid(as_uuid=False)`), like every uuid column of the project."""

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Enum,
    FetchedValue,
    Index,
    Integer,
    Sequence,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, MappedColumn, mapped_column

from inkverse.database.base import Base


class ContentType(enum.StrEnum):
    """PostgreSQL enum `content_type`: the kind of a Taddy object (`uuid_lookup`, `creatorcontent`)."""

    COMICSERIES = "COMICSERIES"
    COMICISSUE = "COMICISSUE"
    CREATOR = "CREATOR"


# Python None is SQL NULL, as the original stored it; SQLAlchemy's JSON default would write JSON `null`.
JSON_OBJECT = JSON(none_as_null=True)


def _enum_values(enum_class: type[ContentType]) -> list[str]:
    return [member.value for member in enum_class]


# One type object shared by both columns and bound to the metadata, so it is created and dropped once.
CONTENT_TYPE = Enum(ContentType, name="content_type", values_callable=_enum_values, metadata=Base.metadata)


def _bigserial_id(table: str) -> MappedColumn[int]:
    """The non-key `id bigserial` of a Taddy table.

    Inserts draw `nextval('<table>_id_seq')`, the sequence that `bigserial` creates and the column's
    database default uses; `FetchedValue` makes the ORM read the value back with RETURNING (no lazy load).
    """
    return mapped_column(BigInteger, Sequence(f"{table}_id_seq"), server_default=FetchedValue())


class ComicSeries(Base):
    """A comic series (`comicseries`)."""

    __tablename__ = "comicseries"
    __table_args__ = (
        UniqueConstraint("sss_url", name="comicseries_sss_url_unique"),
        UniqueConstraint("hash", name="comicseries_hash_unique"),
        UniqueConstraint("short_url", name="comicseries_short_url_unique"),
        Index("comicseries_id_index", "id"),
        Index("comicseries_date_published_index", "date_published"),
    )

    id: Mapped[int] = _bigserial_id("comicseries")
    uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sss_url: Mapped[str | None] = mapped_column(Text)
    sss_owner_name: Mapped[str | None] = mapped_column(String(255))
    sss_owner_public_email: Mapped[str | None] = mapped_column(Text)
    hash: Mapped[str | None] = mapped_column(String(255))
    issues_hash: Mapped[str | None] = mapped_column(String(255))
    date_published: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    cover_image: Mapped[dict[str, Any] | None] = mapped_column(JSON_OBJECT)
    banner_image: Mapped[dict[str, Any] | None] = mapped_column(JSON_OBJECT)
    thumbnail_image: Mapped[dict[str, Any] | None] = mapped_column(JSON_OBJECT)
    series_type: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(255))
    content_rating: Mapped[str | None] = mapped_column(String(255))
    genre0: Mapped[str | None] = mapped_column(String(255))
    genre1: Mapped[str | None] = mapped_column(String(255))
    genre2: Mapped[str | None] = mapped_column(String(255))
    tags: Mapped[list[str] | None] = mapped_column(ARRAY(String(255)))
    short_url: Mapped[str] = mapped_column(String(255))
    copyright: Mapped[str | None] = mapped_column(Text)
    is_blocked: Mapped[bool | None] = mapped_column(Boolean)
    status: Mapped[str | None] = mapped_column(String(255))
    series_layout: Mapped[str | None] = mapped_column(String(255))
    hosting_provider_uuid: Mapped[str | None] = mapped_column(Uuid(as_uuid=False))
    scopes_for_exclusive_content: Mapped[list[str] | None] = mapped_column(ARRAY(String(255)))


class ComicIssue(Base):
    """An issue (episode) of a series (`comicissue`)."""

    __tablename__ = "comicissue"
    __table_args__ = (
        UniqueConstraint("hash", name="comicissue_hash_unique"),
        Index("comicissue_id_index", "id"),
        Index("comicissue_series_uuid_index", "series_uuid"),
        Index("comicissue_series_uuid_date_published_index", "series_uuid", "date_published"),
        Index("comicissue_series_uuid_position_index", "series_uuid", "position"),
    )

    id: Mapped[int] = _bigserial_id("comicissue")
    uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hash: Mapped[str | None] = mapped_column(String(255))
    stories_hash: Mapped[str | None] = mapped_column(String(255))
    date_published: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(255))
    creator_note: Mapped[str | None] = mapped_column(Text)
    series_uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False))
    banner_image: Mapped[dict[str, Any] | None] = mapped_column(JSON_OBJECT)
    thumbnail_image: Mapped[dict[str, Any] | None] = mapped_column(JSON_OBJECT)
    is_removed: Mapped[bool | None] = mapped_column(Boolean)
    is_blocked: Mapped[bool | None] = mapped_column(Boolean)
    position: Mapped[int | None] = mapped_column(Integer)
    push_notification_message: Mapped[str | None] = mapped_column(Text)
    scopes_for_exclusive_content: Mapped[list[str] | None] = mapped_column(ARRAY(String(255)))
    date_exclusive_content_is_available: Mapped[int | None] = mapped_column(BigInteger)


class ComicStory(Base):
    """One image ("story") of an issue (`comicstory`)."""

    __tablename__ = "comicstory"
    __table_args__ = (
        UniqueConstraint("hash", name="comicstory_hash_unique"),
        Index("comicstory_id_index", "id"),
        Index("comicstory_series_uuid_index", "series_uuid"),
        Index("comicstory_issue_uuid_index", "issue_uuid"),
    )

    id: Mapped[int] = _bigserial_id("comicstory")
    uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hash: Mapped[str | None] = mapped_column(String(255))
    series_uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False))
    issue_uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False))
    position: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    story_image: Mapped[dict[str, Any] | None] = mapped_column(JSON_OBJECT)
    is_removed: Mapped[bool | None] = mapped_column(Boolean)


class Creator(Base):
    """A creator (`creator`)."""

    __tablename__ = "creator"
    __table_args__ = (
        UniqueConstraint("hash", name="creator_hash_unique"),
        UniqueConstraint("short_url", name="creator_short_url_unique"),
        UniqueConstraint("sss_url", name="creator_sss_url_unique"),
        Index("creator_id_index", "id"),
    )

    id: Mapped[int] = _bigserial_id("creator")
    uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hash: Mapped[str | None] = mapped_column(String(255))
    content_hash: Mapped[str | None] = mapped_column(String(255))
    websub_hash: Mapped[str | None] = mapped_column(String(255))
    date_published: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(255))
    bio: Mapped[str | None] = mapped_column(Text)
    avatar_image: Mapped[dict[str, Any] | None] = mapped_column(JSON_OBJECT)
    country: Mapped[str | None] = mapped_column(String(255))
    links: Mapped[list[dict[str, Any]] | None] = mapped_column(ARRAY(JSON))
    tags: Mapped[list[str] | None] = mapped_column(ARRAY(String(255)))
    short_url: Mapped[str] = mapped_column(String(255))
    copyright: Mapped[str | None] = mapped_column(Text)
    sss_url: Mapped[str | None] = mapped_column(Text)
    sss_owner_name: Mapped[str | None] = mapped_column(String(255))
    sss_owner_public_email: Mapped[str | None] = mapped_column(Text)
    is_blocked: Mapped[bool | None] = mapped_column(Boolean)
    links_hash: Mapped[str | None] = mapped_column(String(255))


class CreatorContent(Base):
    """A creator's role on a piece of content (`creatorcontent`); upserted on (content_uuid, creator_uuid)."""

    __tablename__ = "creatorcontent"
    __table_args__ = (
        UniqueConstraint(
            "content_uuid", "creator_uuid", name="creatorcontent_content_uuid_creator_uuid_unique"
        ),
        Index("creatorcontent_content_uuid_index", "content_uuid"),
        Index("creatorcontent_creator_uuid_index", "creator_uuid"),
    )

    # The only content table whose `id` has no index (as in the reference schema).
    id: Mapped[int] = _bigserial_id("creatorcontent")
    uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hash: Mapped[str | None] = mapped_column(String(255))
    content_uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False))
    content_type: Mapped[ContentType] = mapped_column(CONTENT_TYPE)
    creator_uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False))
    roles: Mapped[list[str] | None] = mapped_column(ARRAY(String(255)))
    position: Mapped[int | None] = mapped_column(Integer)
    content_position: Mapped[int | None] = mapped_column(Integer)


class CreatorLink(Base):
    """One of a creator's links, normalised from `creator.links` (`creatorlink`); no uniqueness."""

    __tablename__ = "creatorlink"
    __table_args__ = (
        Index("creatorlink_creator_uuid_index", "creator_uuid"),
        Index("creatorlink_creator_uuid_type_index", "creator_uuid", "type"),
        Index("creatorlink_type_value_index", "type", "value"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    creator_uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False))
    type: Mapped[str] = mapped_column(String(255))
    base_url: Mapped[str | None] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(String(255))


class UUIDLookup(Base):
    """Which kind of Taddy object a uuid is (`uuid_lookup`)."""

    __tablename__ = "uuid_lookup"
    __table_args__ = (Index("uuid_lookup_id_index", "id"),)

    id: Mapped[int] = _bigserial_id("uuid_lookup")
    uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False), primary_key=True)
    taddy_type: Mapped[ContentType | None] = mapped_column(CONTENT_TYPE)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class HostingProvider(Base):
    """A hosting provider (`hosting_provider`); kept for schema parity, unused by any code."""

    __tablename__ = "hosting_provider"
    __table_args__ = (Index("hosting_provider_id_index", "id"),)

    id: Mapped[int] = _bigserial_id("hosting_provider")
    uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False), primary_key=True)
    oauth: Mapped[dict[str, Any] | None] = mapped_column(JSON_OBJECT)
    date_published: Mapped[int | None] = mapped_column(BigInteger)
