"""GraphQL types and root fields of the comics catalog."""

import json
from enum import Enum
from typing import Any, TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.comics.repository import ComicSeriesRepository
from inkverse.database import tables
from inkverse.graphql.context import Context
from inkverse.graphql.enums import (
    ComicSeriesLayoutType,
    ComicSeriesType,
    ContentRating,
    Genre,
    Language,
    SeriesStatus,
)
from inkverse.graphql.validation import validate_and_trim_uuid

EnumT = TypeVar("EnumT", bound=Enum)


def to_enum(enum_type: type[EnumT], value: str | None) -> EnumT | None:
    """A stored value outside the enum reads as null rather than failing the whole field."""
    if value is None:
        return None
    try:
        return enum_type(value)
    except ValueError:
        return None


def image_as_string(image: dict[str, Any] | None) -> str | None:
    return None if image is None else json.dumps(image, separators=(",", ":"), ensure_ascii=False)


@strawberry.type
class ComicSeries:
    uuid: strawberry.ID
    date_published: int | None
    name: str | None
    description: str | None
    short_url: str | None
    cover_image_as_string: str | None
    banner_image_as_string: str | None
    thumbnail_image_as_string: str | None
    hash: str | None
    issues_hash: str | None
    tags: list[str | None] | None
    genre0: Genre | None
    genre1: Genre | None
    genre2: Genre | None
    language: Language | None
    status: SeriesStatus | None
    series_type: ComicSeriesType | None
    layout_type: ComicSeriesLayoutType | None
    content_rating: ContentRating | None
    sss_url: str | None
    sss_owner_name: str | None
    sss_owner_public_email: str | None
    copyright: str | None
    is_completed: bool | None
    is_blocked: bool | None
    hosting_provider_uuid: strawberry.ID | None
    scopes_for_exclusive_content: list[str | None] | None

    @classmethod
    def from_row(cls, row: tables.ComicSeries) -> "ComicSeries":
        return cls(
            uuid=strawberry.ID(row.uuid),
            date_published=row.date_published,
            name=row.name,
            description=row.description,
            short_url=row.short_url,
            cover_image_as_string=image_as_string(row.cover_image),
            banner_image_as_string=image_as_string(row.banner_image),
            thumbnail_image_as_string=image_as_string(row.thumbnail_image),
            hash=row.hash,
            issues_hash=row.issues_hash,
            tags=list(row.tags) if row.tags is not None else None,
            genre0=to_enum(Genre, row.genre0),
            genre1=to_enum(Genre, row.genre1),
            genre2=to_enum(Genre, row.genre2),
            language=to_enum(Language, row.language),
            status=to_enum(SeriesStatus, row.status) or SeriesStatus.ONGOING,
            series_type=to_enum(ComicSeriesType, row.series_type),
            layout_type=to_enum(ComicSeriesLayoutType, row.series_layout),
            content_rating=to_enum(ContentRating, row.content_rating),
            sss_url=None if row.is_blocked else row.sss_url,
            sss_owner_name=row.sss_owner_name,
            sss_owner_public_email=row.sss_owner_public_email,
            copyright=row.copyright,
            is_completed=None,
            is_blocked=row.is_blocked,
            hosting_provider_uuid=strawberry.ID(row.hosting_provider_uuid)
            if row.hosting_provider_uuid
            else None,
            scopes_for_exclusive_content=(
                list(row.scopes_for_exclusive_content)
                if row.scopes_for_exclusive_content is not None
                else None
            ),
        )


async def sessionmaker(info: strawberry.Info[Context, None]) -> async_sessionmaker[AsyncSession]:
    return await info.context.container.get(async_sessionmaker[AsyncSession])


@strawberry.type
class ComicsQuery:
    @strawberry.field
    async def get_comic_series(
        self,
        info: strawberry.Info[Context, None],
        uuid: strawberry.ID | None = None,
        short_url: str | None = None,
    ) -> ComicSeries | None:
        async with (await sessionmaker(info))() as session:
            repository = ComicSeriesRepository(session)
            if uuid is not None:
                row = await repository.get_by_uuid(validate_and_trim_uuid(uuid))
            elif short_url is not None:
                row = await repository.get_by_short_url(short_url)
            else:
                return None
        return ComicSeries.from_row(row) if row is not None else None
