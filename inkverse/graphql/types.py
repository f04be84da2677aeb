"""The catalog's GraphQL object types: series, issues, stories, creators and their content, users.

They reference one another, so they live in one module; root fields are in the per-domain modules.
"""

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry import UNSET

from inkverse.catalog.ordering import page_offset
from inkverse.creators.links import link_url
from inkverse.database import tables
from inkverse.graphql.arguments import check_range, default_if_missing, default_if_omitted
from inkverse.graphql.context import Context
from inkverse.graphql.convert import image_as_string, optional_id, string_list, to_enum
from inkverse.graphql.enums import (
    ComicSeriesLayoutType,
    ComicSeriesType,
    ContentRating,
    ContentRole,
    Country,
    Genre,
    Language,
    LinkType,
    SeriesStatus,
    SortOrder,
    TaddyType,
    UserAgeRange,
)
from inkverse.graphql.loaders import ContentPageKey
from inkverse.graphql.validation import validate_and_trim_uuid

Info = strawberry.Info[Context, None]

PREVIEW_STORIES = 5
MAX_CONTENT_PAGE = 1000
MAX_CONTENT_PER_PAGE = 25


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

    @strawberry.field
    async def creators(self, info: Info) -> list["Creator | None"] | None:
        rows = await info.context.loaders.creators_by_series_uuid.load(str(self.uuid))
        return [Creator.from_row(row) for row in rows or []]

    @strawberry.field
    async def issue_count(self, info: Info) -> int | None:
        return await info.context.loaders.issue_count_by_series_uuid.load(str(self.uuid))

    row: strawberry.Private[tables.ComicSeries]

    @classmethod
    def from_row(cls, row: tables.ComicSeries) -> "ComicSeries":
        """A series whose fields are converted from `row` when first read (a query selects a few)."""
        series = cls.__new__(cls)
        series.row = row
        return series

    def __getattr__(self, name: str) -> object:
        convert = _SERIES_FIELDS.get(name)
        if convert is None:
            raise AttributeError(name)
        value = convert(self.row)
        setattr(self, name, value)
        return value


_SERIES_FIELDS: dict[str, Callable[[tables.ComicSeries], object]] = {
    "uuid": lambda row: strawberry.ID(row.uuid),
    "date_published": lambda row: row.date_published,
    "name": lambda row: row.name,
    "description": lambda row: row.description,
    "short_url": lambda row: row.short_url,
    "cover_image_as_string": lambda row: image_as_string(row.cover_image),
    "banner_image_as_string": lambda row: image_as_string(row.banner_image),
    "thumbnail_image_as_string": lambda row: image_as_string(row.thumbnail_image),
    "hash": lambda row: row.hash,
    "issues_hash": lambda row: row.issues_hash,
    "tags": lambda row: string_list(row.tags),
    "genre0": lambda row: to_enum(Genre, row.genre0),
    "genre1": lambda row: to_enum(Genre, row.genre1),
    "genre2": lambda row: to_enum(Genre, row.genre2),
    "language": lambda row: to_enum(Language, row.language),
    "status": lambda row: to_enum(SeriesStatus, row.status) or SeriesStatus.ONGOING,
    "series_type": lambda row: to_enum(ComicSeriesType, row.series_type),
    "layout_type": lambda row: to_enum(ComicSeriesLayoutType, row.series_layout),
    "content_rating": lambda row: to_enum(ContentRating, row.content_rating),
    "sss_url": lambda row: None if row.is_blocked else row.sss_url,
    "sss_owner_name": lambda row: row.sss_owner_name,
    "sss_owner_public_email": lambda row: row.sss_owner_public_email,
    "copyright": lambda row: row.copyright,
    "is_completed": lambda _: None,
    "is_blocked": lambda row: row.is_blocked,
    "hosting_provider_uuid": lambda row: optional_id(row.hosting_provider_uuid),
    "scopes_for_exclusive_content": lambda row: string_list(row.scopes_for_exclusive_content),
}
"""How each field of a `ComicSeries` is read from its row."""


@strawberry.type
class ComicIssue:
    uuid: strawberry.ID
    series_uuid: strawberry.ID
    date_published: int | None
    name: str | None
    creator_note: str | None
    hash: str | None
    stories_hash: str | None
    banner_image_as_string: str | None
    thumbnail_image_as_string: str | None
    position: int | None
    is_removed: bool | None
    is_blocked: bool | None
    scopes_for_exclusive_content: list[str | None] | None
    date_exclusive_content_available: int | None

    @strawberry.field
    async def stories(self, info: Info) -> list["ComicStory | None"] | None:
        rows = await info.context.loaders.stories_by_issue_uuid.load(str(self.uuid))
        return [ComicStory.from_row(row) for row in rows or []]

    @strawberry.field
    async def preview_story_image_urls(self, info: Info) -> list[str | None] | None:
        rows = await info.context.loaders.stories_by_issue_uuid.load(str(self.uuid))
        urls: list[str | None] = [url for row in rows or [] if (url := story_image_url(row))]
        return urls[:PREVIEW_STORIES]

    @strawberry.field
    async def comic_series(self, info: Info) -> ComicSeries | None:
        row = await info.context.loaders.series_by_uuid.load(validate_and_trim_uuid(str(self.series_uuid)))
        return ComicSeries.from_row(row) if row else None

    @strawberry.field
    async def previous_issue(self, info: Info) -> "ComicIssue | None":
        """The issue at `position - 1` (removed ones not skipped); none before position 0."""
        if self.position is None or self.position <= 0:
            return None
        return await self._issue_at(info, self.position - 1)

    @strawberry.field
    async def next_issue(self, info: Info) -> "ComicIssue | None":
        if self.position is None:
            return None
        return await self._issue_at(info, self.position + 1)

    async def _issue_at(self, info: Info, position: int) -> "ComicIssue | None":
        row = await info.context.loaders.issue_by_series_position.load((str(self.series_uuid), position))
        return ComicIssue.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: tables.ComicIssue) -> "ComicIssue":
        return cls(
            uuid=strawberry.ID(row.uuid),
            series_uuid=strawberry.ID(row.series_uuid),
            date_published=row.date_published,
            name=row.name,
            creator_note=row.creator_note,
            hash=row.hash,
            stories_hash=row.stories_hash,
            banner_image_as_string=image_as_string(row.banner_image),
            thumbnail_image_as_string=image_as_string(row.thumbnail_image),
            position=row.position,
            is_removed=row.is_removed,
            is_blocked=row.is_blocked,
            scopes_for_exclusive_content=string_list(row.scopes_for_exclusive_content),
            date_exclusive_content_available=row.date_exclusive_content_is_available,
        )


def story_image_url(row: tables.ComicStory) -> str | None:
    image = row.story_image or {}
    base, story = image.get("base_url"), image.get("story")
    return f"{base}{story}" if base and story else None


@strawberry.type
class ComicIssueForSeries:
    series_uuid: strawberry.ID
    issues: list[ComicIssue | None] | None


@strawberry.type
class ComicStory:
    uuid: strawberry.ID
    issue_uuid: strawberry.ID
    series_uuid: strawberry.ID
    hash: str | None
    story_image_as_string: str | None
    is_removed: bool | None
    width: int | None
    height: int | None

    @strawberry.field
    async def comic_issue(self, info: Info) -> ComicIssue | None:
        row = await info.context.loaders.issue_by_uuid.load(validate_and_trim_uuid(str(self.issue_uuid)))
        return ComicIssue.from_row(row) if row else None

    @strawberry.field
    async def comic_series(self, info: Info) -> ComicSeries | None:
        row = await info.context.loaders.series_by_uuid.load(validate_and_trim_uuid(str(self.series_uuid)))
        return ComicSeries.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: tables.ComicStory) -> "ComicStory":
        return cls(
            uuid=strawberry.ID(row.uuid),
            issue_uuid=strawberry.ID(row.issue_uuid),
            series_uuid=strawberry.ID(row.series_uuid),
            hash=row.hash,
            story_image_as_string=image_as_string(row.story_image),
            is_removed=row.is_removed,
            width=row.width,
            height=row.height,
        )


@strawberry.type
class LinkDetails:
    type: LinkType | None
    url: str | None


@strawberry.type
class CreatorLinkDetails:
    type: LinkType | None
    url: str | None
    creator_uuid: strawberry.ID


def link_parts(link: dict[str, Any]) -> tuple[str | None, str | None]:
    link_type = link.get("type")
    link_type = link_type if isinstance(link_type, str) else None
    value = link.get("value")
    base_url = link.get("base_url")
    return link_type, link_url(link_type, value if isinstance(value, str) else None,
                               base_url if isinstance(base_url, str) else None)  # fmt: skip


@strawberry.type
class CreatorContent:
    id: strawberry.ID | None = strawberry.field(deprecation_reason="Use uuid instead")
    uuid: strawberry.ID | None
    hash: str | None
    creator_uuid: strawberry.ID | None
    content_uuid: strawberry.ID | None
    content_type: TaddyType | None
    roles: list[ContentRole | None] | None
    position: int | None
    content_position: int | None

    @strawberry.field
    async def comicseries(self, info: Info) -> ComicSeries | None:
        if self.content_type is not TaddyType.COMICSERIES or not self.content_uuid:
            return None
        row = await info.context.loaders.series_by_uuid.load(str(self.content_uuid))
        return ComicSeries.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: tables.CreatorContent) -> "CreatorContent":
        return cls(
            id=strawberry.ID(str(row.id)),
            uuid=strawberry.ID(row.uuid),
            hash=row.hash,
            creator_uuid=strawberry.ID(row.creator_uuid),
            content_uuid=strawberry.ID(row.content_uuid),
            content_type=TaddyType[row.content_type.name],  # the values differ in case
            roles=None if row.roles is None else [to_enum(ContentRole, role) for role in row.roles],
            position=row.position,
            content_position=row.content_position,
        )


@strawberry.type
class Creator:
    uuid: strawberry.ID
    date_published: int | None
    name: str | None
    bio: str | None
    short_url: str | None
    avatar_image_as_string: str | None
    hash: str | None
    content_hash: str | None
    tags: list[str | None] | None
    country: Country | None
    sss_url: str | None
    sss_owner_name: str | None
    sss_owner_public_email: str | None
    copyright: str | None
    is_blocked: bool | None
    stored_links: strawberry.Private[list[dict[str, Any]]]

    @strawberry.field
    async def content(
        self,
        info: Info,
        sort_order: SortOrder | None = UNSET,
        page: int | None = UNSET,
        limit_per_page: int | None = UNSET,
    ) -> list[CreatorContent | None] | None:
        current_page = check_range("page", default_if_omitted(page, 1), 1, MAX_CONTENT_PAGE)
        limit = check_range("limitPerPage", default_if_omitted(limit_per_page, 10), 1, MAX_CONTENT_PER_PAGE)
        order = default_if_missing(sort_order, SortOrder.LATEST)
        key = ContentPageKey(str(self.uuid), order, limit, page_offset(current_page, limit))
        rows = await info.context.loaders.content_page_by_creator.load(key)
        return [CreatorContent.from_row(row) for row in rows or []]

    @strawberry.field
    async def comics(self, info: Info) -> list[ComicSeries | None] | None:
        """The series of the creator's first content page (as the original's default page of 10)."""
        rows = await info.context.loaders.comics_by_creator_uuid.load(str(self.uuid))
        return [ComicSeries.from_row(row) for row in rows or []]

    @strawberry.field
    def links(self) -> list[LinkDetails | None] | None:
        details: list[LinkDetails | None] = []
        for link in self.stored_links:
            link_type, url = link_parts(link)
            kind = to_enum(LinkType, link_type)
            if kind is not None:
                details.append(LinkDetails(type=kind, url=url))
        return details

    @strawberry.field
    async def user(self, info: Info) -> "User | None":
        row = await info.context.loaders.user_by_creator_uuid.load(str(self.uuid))
        return User.from_row(row, info.context.viewer_id) if row else None

    @classmethod
    def from_row(cls, row: tables.Creator) -> "Creator":
        return cls(
            uuid=strawberry.ID(row.uuid),
            date_published=row.date_published,
            name=row.name,
            bio=row.bio,
            short_url=row.short_url,
            avatar_image_as_string=image_as_string(row.avatar_image),
            hash=row.hash,
            content_hash=row.content_hash,
            tags=string_list(row.tags),
            country=to_enum(Country, row.country),
            sss_url=None if row.is_blocked else row.sss_url,
            sss_owner_name=row.sss_owner_name,
            sss_owner_public_email=row.sss_owner_public_email,
            copyright=row.copyright,
            is_blocked=row.is_blocked,
            stored_links=list(row.links or []),
        )


@strawberry.type
class User:
    """Profile fields other than `id`, `username` and `creator` are shown only to the user themself."""

    id: strawberry.ID
    created_at: int | None
    updated_at: int | None
    email: str | None
    username: str | None
    is_email_verified: bool | None
    age_range: UserAgeRange | None
    birth_year: int | None
    bluesky_did: str | None
    creator_uuid: strawberry.Private[str | None]

    @strawberry.field
    async def creator(self, info: Info) -> Creator | None:
        if not self.creator_uuid:
            return None
        row = await info.context.loaders.creator_by_uuid.load(self.creator_uuid)
        return Creator.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: tables.User, viewer_id: int | None) -> "User":
        own = viewer_id is not None and viewer_id == row.id
        return cls(
            id=strawberry.ID(str(row.id)),
            created_at=row.created_at if own else None,
            updated_at=row.updated_at if own else None,
            email=row.email if own else None,
            username=row.username,
            is_email_verified=(row.is_email_verified or None) if own else None,
            age_range=to_enum(UserAgeRange, row.age_range) if own else None,
            birth_year=(row.birth_year or None) if own else None,
            bluesky_did=row.bluesky_did if own else None,
            creator_uuid=row.creator_uuid,
        )
