"""The `data` objects of Taddy webhooks, validated and sanitised the way the original stores them.

Field names are Taddy's (camelCase aliases); attribute values are ready for the columns of
database.md §3.11: strings truncated (`safeStringValue`), unknown enum values turned into None, genres,
tags, roles and links filtered, image JSON strings parsed against their key whitelist, `isBlocked`
read with `convertTextToBoolean`. Unknown payload keys are ignored and missing ones read as None.

Where the reference defines no sanitation, a value of the wrong type is refused: `parse` raises
`inkverse.errors.ValidationError` naming the field (`name`, `stories[2].storyImageAsString`), before
anything is written. Deliberate differences from the original are listed in docs/compatibility.md:
unknown image keys are dropped (the original threw), image and link strings are not cut at 5,000
characters before parsing (which made long valid JSON fail), scopes longer than the column are dropped,
and links without a usable `value` are dropped (the original failed the whole creator).
"""

import json
import re
import uuid as uuid_module
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from inkverse.catalog.events import TaddyType, WebhookAction
from inkverse.catalog_enums import (
    CONTENT_RATINGS,
    CONTENT_ROLES,
    CONTENT_TYPES,
    COUNTRIES,
    GENRES,
    LANGUAGES,
    LINK_TYPES,
    SERIES_LAYOUTS,
    SERIES_STATUSES,
    SERIES_TYPES,
)
from inkverse.errors import ValidationError

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
# Image keys and values must be shorter than this (the original's safeObjWithVariantKeys limit).
IMAGE_PART_LIMIT = 2000
# varchar(255)[] columns reject longer items, so both tags and scopes keep only shorter ones.
ARRAY_ITEM_LIMIT = 255

COVER_KEYS = ("base_url", "cover_sm", "cover_md", "cover_lg")
BANNER_KEYS = ("base_url", "banner_sm", "banner_md", "banner_lg")
THUMBNAIL_KEYS = ("base_url", "thumbnail")
STORY_KEYS = ("base_url", "story")
AVATAR_KEYS = ("base_url", "avatar_sm", "avatar_md", "avatar_lg")


def _invalid(reason: str) -> PydanticCustomError:
    return PydanticCustomError("invalid", reason)


# --- the original's helpers (database.md §3.0) ----------------------------------------------------


def safe_string_value(value: str | None, limit: int = 255) -> str | None:
    """Empty -> None; longer than `limit` -> the first `limit - 4` characters and `...`."""
    if not value:
        return None
    if len(value) > limit:
        return value[: limit - 4] + "..."
    return value


def convert_text_to_boolean(value: object) -> bool:
    """Falsy -> False; otherwise true only for `true` or `yes` (any case, trimmed), as the original."""
    if not value:
        return False
    return str(value).lower().strip() in {"yes", "true"}


def canonical_uuid(value: object, field: str = "uuid") -> str:
    """A uuid in its canonical lower-case form, or ValidationError naming `field`."""
    parsed = _parsed_uuid(value)
    if parsed is None:
        raise ValidationError(field, "not a UUID")
    return parsed


def _parsed_uuid(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid_module.UUID(value))
    except ValueError:
        return None


# --- field types ------------------------------------------------------------------------------------


def _truncated(limit: int) -> Callable[[object], str | None]:
    def validate(value: object) -> str | None:
        if value is not None and not isinstance(value, str):
            raise _invalid("expected a string")
        return safe_string_value(value, limit)

    return validate


def _one_of(allowed: frozenset[str]) -> Callable[[object], str | None]:
    def validate(value: object) -> str | None:
        return value if isinstance(value, str) and value in allowed else None

    return validate


def _uuid(value: object) -> str:
    parsed = _parsed_uuid(value)
    if parsed is None:
        raise _invalid("not a UUID")
    return parsed


def _optional_uuid(value: object) -> str | None:
    return None if value is None or value == "" else _uuid(value)


def _integer(maximum: int) -> Callable[[object], int | None]:
    """Stored as received (the reference's "raw"), but it must be a whole number the column can hold."""

    def validate(value: object) -> int | None:
        if value is None:
            return None
        number = _whole_number(value)
        if number is None:
            raise _invalid("expected an integer")
        if not -maximum - 1 <= number <= maximum:
            raise _invalid("out of range")
        return number

    return validate


def _whole_number(value: object) -> int | None:
    """An int, a float without fraction or a decimal string (the original's driver took those too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()):
        return int(value)
    return None


def _string_items(limit: int) -> Callable[[object], list[str] | None]:
    """`safeArrayProperties`: keep the strings shorter than `limit`; other items are dropped."""

    def validate(value: object) -> list[str] | None:
        if value is None or value == "":
            return None
        if not isinstance(value, list):
            raise _invalid("expected a list of strings")
        return [item for item in value if isinstance(item, str) and len(item) < limit]

    return validate


def _genres(value: object) -> list[str] | None:
    """`safeGenresArray`: None unless a list, else the valid genres in their order."""
    if not isinstance(value, list):
        return None
    return [item for item in value if isinstance(item, str) and item in GENRES]


def _roles(value: object) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _invalid("expected a list of roles")
    return [
        item
        for item in value
        if isinstance(item, str) and len(item) < ARRAY_ITEM_LIMIT and item in CONTENT_ROLES
    ]


def _json_text(value: object) -> object:
    """Parse a `...AsString` field. No cut at 5,000 characters first: that only broke valid JSON."""
    if not isinstance(value, str):
        raise _invalid("expected a JSON string")
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        raise _invalid("not valid JSON") from None


def _image(allowed_keys: tuple[str, ...]) -> Callable[[object], dict[str, str] | None]:
    """`safeObjWithVariantKeys`, except that unknown keys are dropped instead of failing the webhook."""

    def validate(value: object) -> dict[str, str] | None:
        if value is None or value == "":
            return None
        parsed = _json_text(value)
        if parsed is None:
            return None
        if not isinstance(parsed, dict):
            raise _invalid("expected a JSON object")
        image: dict[str, str] = {}
        for key, part in parsed.items():
            if key not in allowed_keys:
                continue
            if not isinstance(part, str):
                raise _invalid(f"{key}: expected a string")
            if len(part) >= IMAGE_PART_LIMIT:
                raise _invalid(f"{key}: longer than {IMAGE_PART_LIMIT - 1} characters")
            image[key] = part
        return image

    return validate


def _links(value: object) -> list[dict[str, Any]] | None:
    """The link objects exactly as sent, keeping those with a known `type` and a usable `value`."""
    if value is None or value == "":
        return None
    parsed = _json_text(value)
    if parsed is None:
        return []
    if not isinstance(parsed, list):
        raise _invalid("expected a JSON array")
    return [link for link in parsed if _is_usable_link(link)]


def _is_usable_link(link: object) -> bool:
    return (
        isinstance(link, dict)
        and link.get("type") in LINK_TYPES
        and isinstance(link.get("value"), str)
        and link["value"] != ""
    )


def _content_type(value: object) -> str:
    if not isinstance(value, str) or value.upper() not in CONTENT_TYPES:
        raise _invalid(f"expected one of {', '.join(sorted(CONTENT_TYPES))}")
    return value.upper()


def _present(value: object) -> object:
    """A required field sent as null is refused like a missing one."""
    if value is None:
        raise PydanticCustomError("missing", "required")
    return value


RequiredUuid = Annotated[str, BeforeValidator(_uuid), BeforeValidator(_present)]
OptionalUuid = Annotated[str | None, BeforeValidator(_optional_uuid)]
Text255 = Annotated[str | None, BeforeValidator(_truncated(255))]
Text500 = Annotated[str | None, BeforeValidator(_truncated(500))]
Text1000 = Annotated[str | None, BeforeValidator(_truncated(1000))]
Text2000 = Annotated[str | None, BeforeValidator(_truncated(2000))]
EpochSeconds = Annotated[int | None, BeforeValidator(_integer(INT64_MAX))]
Int32 = Annotated[int | None, BeforeValidator(_integer(INT32_MAX))]
TextBoolean = Annotated[bool, BeforeValidator(convert_text_to_boolean)]
StringItems = Annotated[list[str] | None, BeforeValidator(_string_items(ARRAY_ITEM_LIMIT))]


def _enum(allowed: frozenset[str]) -> BeforeValidator:
    return BeforeValidator(_one_of(allowed))


def _image_of(keys: tuple[str, ...]) -> BeforeValidator:
    return BeforeValidator(_image(keys))


# --- payload models ---------------------------------------------------------------------------------


class TaddyPayload(BaseModel):
    """Common base: the uuid, and `parse` that turns validation failures into our ValidationError."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    uuid: RequiredUuid

    @classmethod
    def parse(cls, data: Mapping[str, object]) -> Self:
        try:
            return cls.model_validate(data)
        except PydanticValidationError as exc:
            raise _validation_error(exc) from None


class DeletedPayload(TaddyPayload):
    """The `data` of a `*.deleted` event: only the uuid is used."""


class HostingProvider(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    uuid: OptionalUuid = None


class ComicSeriesPayload(TaddyPayload):
    """A Taddy `ComicSeries` (database.md §3.11.1)."""

    name: Text255 = None
    description: Text1000 = None
    hash: Text255 = None
    issues_hash: Text255 = Field(default=None, alias="issuesHash")
    date_published: EpochSeconds = Field(default=None, alias="datePublished")
    status: Annotated[str | None, _enum(SERIES_STATUSES)] = None
    tags: StringItems = None
    genres: Annotated[list[str] | None, BeforeValidator(_genres)] = None
    cover_image: Annotated[dict[str, str] | None, _image_of(COVER_KEYS)] = Field(
        default=None, alias="coverImageAsString"
    )
    banner_image: Annotated[dict[str, str] | None, _image_of(BANNER_KEYS)] = Field(
        default=None, alias="bannerImageAsString"
    )
    thumbnail_image: Annotated[dict[str, str] | None, _image_of(THUMBNAIL_KEYS)] = Field(
        default=None, alias="thumbnailImageAsString"
    )
    language: Annotated[str | None, _enum(LANGUAGES)] = None
    content_rating: Annotated[str | None, _enum(CONTENT_RATINGS)] = Field(default=None, alias="contentRating")
    series_type: Annotated[str | None, _enum(SERIES_TYPES)] = Field(default=None, alias="seriesType")
    series_layout: Annotated[str | None, _enum(SERIES_LAYOUTS)] = Field(default=None, alias="seriesLayout")
    copyright: Text2000 = None
    sss_url: Text2000 = Field(default=None, alias="sssUrl")
    sss_owner_name: Text255 = Field(default=None, alias="sssOwnerName")
    sss_owner_public_email: Text1000 = Field(default=None, alias="sssOwnerPublicEmail")
    is_blocked: TextBoolean = Field(default=False, alias="isBlocked")
    hosting_provider: HostingProvider | None = Field(default=None, alias="hostingProvider")
    scopes_for_exclusive_content: StringItems = Field(default=None, alias="scopesForExclusiveContent")

    @property
    def hosting_provider_uuid(self) -> str | None:
        return self.hosting_provider.uuid if self.hosting_provider is not None else None

    def genre(self, index: int) -> str | None:
        """genre0, genre1, genre2: the first three valid genres."""
        genres = self.genres or []
        return genres[index] if index < len(genres) else None


class ComicStoryPayload(TaddyPayload):
    """One element of an issue's `stories` (database.md §3.11.3); its position is its index."""

    hash: Text255 = None
    story_image: Annotated[dict[str, str] | None, _image_of(STORY_KEYS)] = Field(
        default=None, alias="storyImageAsString"
    )


def _distinct_stories(stories: list[ComicStoryPayload] | None) -> list[ComicStoryPayload] | None:
    """One row per story uuid and per (globally unique) hash, or the upsert could not apply."""
    if stories is None:
        return None
    seen_uuids: set[str] = set()
    seen_hashes: set[str] = set()
    for index, story in enumerate(stories):
        if story.uuid in seen_uuids:
            raise _invalid(f"[{index}]: story uuid {story.uuid} appears twice")
        if story.hash is not None and story.hash in seen_hashes:
            raise _invalid(f"[{index}]: story hash {story.hash} appears twice")
        seen_uuids.add(story.uuid)
        if story.hash is not None:
            seen_hashes.add(story.hash)
    return stories


class ComicIssuePayload(TaddyPayload):
    """A Taddy `ComicIssue` with its `stories` (database.md §3.11.2).

    `stories` absent or null leaves the stored stories as they are; a list (even empty) is the full
    new list.
    """

    series_uuid: RequiredUuid = Field(alias="seriesUuid")
    name: Text255 = None
    hash: Text255 = None
    stories_hash: Text255 = Field(default=None, alias="storiesHash")
    position: Int32 = None
    creator_note: Text2000 = Field(default=None, alias="creatorNote")
    date_published: EpochSeconds = Field(default=None, alias="datePublished")
    banner_image: Annotated[dict[str, str] | None, _image_of(BANNER_KEYS)] = Field(
        default=None, alias="bannerImageAsString"
    )
    thumbnail_image: Annotated[dict[str, str] | None, _image_of(THUMBNAIL_KEYS)] = Field(
        default=None, alias="thumbnailImageAsString"
    )
    is_blocked: TextBoolean = Field(default=False, alias="isBlocked")
    is_removed: TextBoolean = Field(default=False, alias="isRemoved")
    push_notification_message: Text500 = Field(default=None, alias="pushNotificationMessage")
    scopes_for_exclusive_content: StringItems = Field(default=None, alias="scopesForExclusiveContent")
    date_exclusive_content_is_available: EpochSeconds = Field(
        default=None, alias="dateExclusiveContentIsAvailable"
    )
    stories: Annotated[list[ComicStoryPayload] | None, AfterValidator(_distinct_stories)] = None


class CreatorLinkRow(BaseModel):
    """One `creatorlink` row derived from a link object (database.md §3.11.6)."""

    model_config = ConfigDict(frozen=True)

    type: str
    base_url: str | None
    value: str


class CreatorPayload(TaddyPayload):
    """A Taddy `Creator` (database.md §3.11.4)."""

    name: Text255 = None
    bio: Text1000 = None
    hash: Text255 = None
    content_hash: Text255 = Field(default=None, alias="contentHash")
    date_published: EpochSeconds = Field(default=None, alias="datePublished")
    avatar_image: Annotated[dict[str, str] | None, _image_of(AVATAR_KEYS)] = Field(
        default=None, alias="avatarImageAsString"
    )
    country: Annotated[str | None, _enum(COUNTRIES)] = None
    tags: StringItems = None
    links: Annotated[list[dict[str, Any]] | None, BeforeValidator(_links)] = Field(
        default=None, alias="linksAsString"
    )
    copyright: Text2000 = None
    sss_url: Text2000 = Field(default=None, alias="sssUrl")
    sss_owner_name: Text255 = Field(default=None, alias="sssOwnerName")
    sss_owner_public_email: Text1000 = Field(default=None, alias="sssOwnerPublicEmail")
    is_blocked: TextBoolean = Field(default=False, alias="isBlocked")

    @property
    def link_rows(self) -> list[CreatorLinkRow]:
        return [
            CreatorLinkRow(
                type=link["type"],
                base_url=_link_base_url(link.get("base_url")),
                value=safe_string_value(link["value"]) or "",
            )
            for link in self.links or []
        ]


def _link_base_url(value: object) -> str | None:
    return safe_string_value(value) if isinstance(value, str) else None


class CreatorContentPayload(TaddyPayload):
    """A Taddy `CreatorContent` (database.md §3.11.5)."""

    hash: Text255 = None
    creator_uuid: RequiredUuid = Field(alias="creatorUuid")
    content_uuid: RequiredUuid = Field(alias="contentUuid")
    content_type: Annotated[str, BeforeValidator(_content_type), BeforeValidator(_present)] = Field(
        alias="contentType"
    )
    # Absent reads as [] and an explicit null as NULL, as in the original.
    roles: Annotated[list[str] | None, BeforeValidator(_roles)] = Field(default_factory=list)
    position: Int32 = None
    content_position: Int32 = Field(default=None, alias="contentPosition")


PAYLOAD_MODELS: dict[TaddyType, type[TaddyPayload]] = {
    TaddyType.COMICSERIES: ComicSeriesPayload,
    TaddyType.COMICISSUE: ComicIssuePayload,
    TaddyType.CREATOR: CreatorPayload,
    TaddyType.CREATORCONTENT: CreatorContentPayload,
}


def parse_payload(taddy_type: TaddyType, action: WebhookAction, data: Mapping[str, object]) -> TaddyPayload:
    """The model for an event's `data`: the full object for created/updated, only the uuid for deleted."""
    if action is WebhookAction.DELETED:
        return DeletedPayload.parse(data)
    if action not in {WebhookAction.CREATED, WebhookAction.UPDATED}:
        raise ValidationError("action", f"{action.value} carries no object to write")
    return PAYLOAD_MODELS[taddy_type].parse(data)


def _validation_error(exc: PydanticValidationError) -> ValidationError:
    error = exc.errors()[0]
    field = _field_path(error["loc"])
    reason = "required" if error["type"] == "missing" else error["msg"]
    return ValidationError(field, reason)


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "data"
