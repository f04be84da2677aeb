"""Taddy payload models: field mapping and the reference sanitation, and typed errors for bad input."""

import json
from typing import Any

import pytest

from inkverse.catalog.events import TaddyType, WebhookAction
from inkverse.catalog.payloads import (
    ComicIssuePayload,
    ComicSeriesPayload,
    CreatorContentPayload,
    CreatorLinkRow,
    CreatorPayload,
    DeletedPayload,
    canonical_uuid,
    convert_text_to_boolean,
    parse_payload,
    safe_string_value,
)
from inkverse.errors import ValidationError
from tests.fixtures.taddy_payloads import (
    DEFAULT_LINKS,
    TADDY_HOSTING_PROVIDER,
    creator_data,
    creatorcontent_data,
    image_json,
    issue_data,
    link,
    new_uuid,
    series_data,
    story_data,
)


def refused(model: Any, data: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        model.parse(data)
    return caught.value


# --- the original's helpers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        (None, 255, None),
        ("", 255, None),
        ("short", 255, "short"),
        ("x" * 255, 255, "x" * 255),
        ("x" * 256, 255, "x" * 251 + "..."),
        ("y" * 1200, 1000, "y" * 996 + "..."),
    ],
)
def test_safe_string_value_truncates_to_limit_minus_four_plus_dots(
    value: str | None, limit: int, expected: str | None
) -> None:
    assert safe_string_value(value, limit) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        (0, False),
        (False, False),
        (True, True),
        ("true", True),
        (" Yes ", True),
        ("TRUE", True),
        ("1", False),
        (1, False),
        ("no", False),
    ],
)
def test_convert_text_to_boolean_like_the_original(value: object, expected: bool) -> None:
    assert convert_text_to_boolean(value) is expected


def test_canonical_uuid_lower_cases_and_refuses_garbage() -> None:
    assert canonical_uuid("6F1D2A3B-1111-4C2D-8E9F-0A1B2C3D4E5F") == "6f1d2a3b-1111-4c2d-8e9f-0a1b2c3d4e5f"
    with pytest.raises(ValidationError) as caught:
        canonical_uuid("creator:content")
    assert caught.value.field == "uuid"


# --- comicseries ------------------------------------------------------------------------------------


def test_series_maps_every_field_of_a_realistic_payload() -> None:
    data = series_data()
    payload = ComicSeriesPayload.parse(data)
    assert payload.uuid == data["uuid"]
    assert payload.name == "The Lighthouse Keeper"
    assert payload.issues_hash == data["issuesHash"]
    assert payload.date_published == 1767225000
    assert payload.status == "ONGOING"
    assert payload.tags == ["lighthouse", "sea"]
    assert [payload.genre(0), payload.genre(1), payload.genre(2)] == [
        "COMICSERIES_DRAMA",
        "COMICSERIES_MYSTERY",
        None,
    ]
    assert payload.cover_image == json.loads(data["coverImageAsString"])
    assert list(payload.cover_image or {}) == ["base_url", "cover_sm", "cover_md", "cover_lg"]
    assert payload.thumbnail_image == json.loads(data["thumbnailImageAsString"])
    assert (payload.language, payload.content_rating) == ("ENGLISH", "COMICSERIES_TEENS")
    assert (payload.series_type, payload.series_layout) == ("WEBTOON", "VERTICAL_SCROLL_TOP_TO_BOTTOM")
    assert payload.sss_url == data["sssUrl"]
    assert payload.is_blocked is False
    assert payload.hosting_provider_uuid == TADDY_HOSTING_PROVIDER


def test_missing_fields_read_as_none() -> None:
    payload = ComicSeriesPayload.parse({"uuid": new_uuid()})
    assert payload.name is None
    assert payload.tags is None
    assert payload.cover_image is None
    assert payload.hosting_provider_uuid is None
    assert payload.is_blocked is False


def test_over_long_strings_are_truncated_and_empty_ones_become_none() -> None:
    payload = ComicSeriesPayload.parse(
        series_data(name="N" * 300, description="D" * 1500, copyright="C" * 2500, sssOwnerName="")
    )
    assert payload.name == "N" * 251 + "..."
    assert payload.description == "D" * 996 + "..."
    assert payload.copyright == "C" * 1996 + "..."
    assert payload.sss_owner_name is None


def test_unknown_enum_values_become_none() -> None:
    payload = ComicSeriesPayload.parse(
        series_data(
            status="PAUSED",
            language="KLINGON",
            contentRating="COMICSERIES_EROTICA",
            seriesType="MANGA",
            seriesLayout="PAGE",
        )
    )
    assert payload.status is None
    assert payload.language is None
    assert payload.content_rating is None
    assert payload.series_type is None
    assert payload.series_layout is None


def test_genres_keep_the_first_three_valid_ones_in_order() -> None:
    payload = ComicSeriesPayload.parse(
        series_data(
            genres=[
                "PODCASTSERIES_ARTS",
                "COMICSERIES_HORROR",
                7,
                "COMICSERIES_BL",
                "COMICSERIES_GL",
                "COMICSERIES_SPORTS",
            ]
        )
    )
    assert [payload.genre(i) for i in range(3)] == ["COMICSERIES_HORROR", "COMICSERIES_BL", "COMICSERIES_GL"]
    assert ComicSeriesPayload.parse(series_data(genres="COMICSERIES_HORROR")).genres is None


def test_tags_and_scopes_keep_strings_the_column_can_hold() -> None:
    payload = ComicSeriesPayload.parse(
        series_data(
            tags=["ok", "t" * 255, None, 3, "t" * 254], scopesForExclusiveContent=["patreon", "s" * 300]
        )
    )
    assert payload.tags == ["ok", "t" * 254]
    assert payload.scopes_for_exclusive_content == ["patreon"]
    assert ComicSeriesPayload.parse(series_data(tags=[])).tags == []


def test_image_keys_outside_the_whitelist_are_dropped() -> None:
    cover = image_json(base_url="https://ax1.taddy.org/a/", cover_sm="s.webp", cover_xl="xl.webp")
    payload = ComicSeriesPayload.parse(series_data(coverImageAsString=cover))
    assert payload.cover_image == {"base_url": "https://ax1.taddy.org/a/", "cover_sm": "s.webp"}


def test_a_long_but_valid_image_string_is_parsed_not_cut() -> None:
    cover = image_json(
        base_url="https://ax1.taddy.org/" + "a" * 1900 + "/", cover_sm="s" * 1900, cover_md="m" * 1900
    )
    assert len(cover) > 5000
    payload = ComicSeriesPayload.parse(series_data(coverImageAsString=cover))
    assert payload.cover_image is not None
    assert payload.cover_image["cover_md"] == "m" * 1900


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('["base_url"]', "expected a JSON object"),
        ('{"base_url": 5}', "base_url: expected a string"),
        (json.dumps({"base_url": "u" * 2000}), "base_url: longer than 1999 characters"),
        (42, "expected a JSON string"),
    ],
)
def test_bad_images_are_refused_naming_the_field(image: object, reason: str) -> None:
    error = refused(ComicSeriesPayload, series_data(bannerImageAsString=image))
    assert (error.field, error.reason) == ("bannerImageAsString", reason)


def test_a_json_null_image_is_none() -> None:
    assert ComicSeriesPayload.parse(series_data(thumbnailImageAsString="null")).thumbnail_image is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": 5}, "name"),
        ({"description": ["a"]}, "description"),
        ({"datePublished": "yesterday"}, "datePublished"),
        ({"datePublished": True}, "datePublished"),
        ({"datePublished": 1.5}, "datePublished"),
        ({"tags": "drama"}, "tags"),
        ({"hostingProvider": "taddy"}, "hostingProvider"),
        ({"hostingProvider": {"uuid": "not-a-uuid"}}, "hostingProvider.uuid"),
        ({"uuid": "not-a-uuid"}, "uuid"),
        ({"uuid": None}, "uuid"),
    ],
)
def test_wrong_types_are_refused_naming_the_field(overrides: dict[str, Any], field: str) -> None:
    assert refused(ComicSeriesPayload, {**series_data(), **overrides}).field == field


def test_whole_numbers_are_accepted_in_any_json_form() -> None:
    assert ComicSeriesPayload.parse(series_data(datePublished="1767225000")).date_published == 1767225000
    assert ComicSeriesPayload.parse(series_data(datePublished=1767225000.0)).date_published == 1767225000


@pytest.mark.parametrize(("value", "expected"), [("Yes", True), ("1", False), (None, False), (True, True)])
def test_is_blocked_is_always_a_boolean(value: object, expected: bool) -> None:
    assert ComicSeriesPayload.parse(series_data(isBlocked=value)).is_blocked is expected


# --- comicissue ---------------------------------------------------------------------------------------


def test_issue_maps_its_fields_and_stories_in_order() -> None:
    series_uuid = new_uuid()
    data = issue_data(series_uuid, pushNotificationMessage="P" * 600, creatorNote="note", isRemoved="true")
    payload = ComicIssuePayload.parse(data)
    assert payload.series_uuid == series_uuid
    assert payload.position == 2
    assert payload.push_notification_message == "P" * 496 + "..."
    assert payload.creator_note == "note"
    assert payload.is_removed is True
    assert payload.stories is not None
    assert [story.uuid for story in payload.stories] == [story["uuid"] for story in data["stories"]]
    assert payload.stories[0].story_image == json.loads(data["stories"][0]["storyImageAsString"])


def test_issue_requires_its_series() -> None:
    data = issue_data(new_uuid())
    del data["seriesUuid"]
    error = refused(ComicIssuePayload, data)
    assert (error.field, error.reason) == ("seriesUuid", "required")


def test_issue_stories_absent_or_null_mean_untouched_and_empty_means_none() -> None:
    series_uuid = new_uuid()
    data = issue_data(series_uuid)
    del data["stories"]
    assert ComicIssuePayload.parse(data).stories is None
    assert ComicIssuePayload.parse(issue_data(series_uuid, stories=None)).stories is None  # type: ignore[arg-type]
    assert ComicIssuePayload.parse(issue_data(series_uuid, stories=[])).stories == []


def test_a_bad_story_is_named_by_its_index() -> None:
    series_uuid, issue_uuid = new_uuid(), new_uuid()
    stories = [
        story_data(series_uuid, issue_uuid),
        story_data(series_uuid, issue_uuid, storyImageAsString='{"base_url": "https://x/", "story": 1}'),
    ]
    error = refused(ComicIssuePayload, issue_data(series_uuid, issue_uuid, stories=stories))
    assert error.field == "stories[1].storyImageAsString"


def test_a_story_listed_twice_is_refused() -> None:
    series_uuid, issue_uuid = new_uuid(), new_uuid()
    story = story_data(series_uuid, issue_uuid)
    error = refused(ComicIssuePayload, issue_data(series_uuid, issue_uuid, stories=[story, story]))
    assert error.field == "stories"
    assert "appears twice" in error.reason


@pytest.mark.parametrize(
    ("position", "field"), [(2**31, "position"), (True, "position"), ("first", "position")]
)
def test_issue_position_must_fit_an_integer_column(position: object, field: str) -> None:
    assert refused(ComicIssuePayload, issue_data(new_uuid(), position=position)).field == field


# --- creator ------------------------------------------------------------------------------------------


def test_creator_links_keep_known_types_with_a_value_as_sent() -> None:
    links = [
        *DEFAULT_LINKS,
        link("MYSPACE", "ann"),
        {"type": "EMAIL"},
        {"type": "TWITTER", "value": ""},
        "PATREON",
        None,
    ]
    payload = CreatorPayload.parse(creator_data(links=links))
    assert payload.links == DEFAULT_LINKS
    assert payload.link_rows == [
        CreatorLinkRow(type="PATREON", base_url="https://patreon.com/", value="annexample"),
        CreatorLinkRow(type="BLUESKY", base_url="https://bsky.app/profile/", value="ann.example.com"),
    ]


def test_creator_link_rows_truncate_like_the_original() -> None:
    payload = CreatorPayload.parse(
        creator_data(links=[{"type": "WEBSITE", "value": "v" * 300, "base_url": ""}])
    )
    assert payload.link_rows == [CreatorLinkRow(type="WEBSITE", base_url=None, value="v" * 251 + "...")]


def test_creator_links_absent_empty_and_null() -> None:
    assert CreatorPayload.parse(creator_data(linksAsString=None)).links is None
    assert CreatorPayload.parse(creator_data(linksAsString="")).links is None
    assert CreatorPayload.parse(creator_data(linksAsString="null")).links == []
    assert CreatorPayload.parse(creator_data(links=[])).links == []


def test_creator_links_that_are_not_an_array_are_refused() -> None:
    assert refused(CreatorPayload, creator_data(linksAsString='{"type": "PATREON"}')).field == "linksAsString"


def test_creator_country_and_avatar() -> None:
    payload = CreatorPayload.parse(creator_data(country="ATLANTIS"))
    assert payload.country is None
    assert list(payload.avatar_image or {}) == ["base_url", "avatar_sm", "avatar_md", "avatar_lg"]


# --- creatorcontent -----------------------------------------------------------------------------------


def test_creatorcontent_upper_cases_the_content_type_and_filters_roles() -> None:
    data = creatorcontent_data(
        new_uuid(),
        new_uuid(),
        contentType="comicseries",
        roles=["COMICSERIES_WRITER", "PODCASTSERIES_HOST", 4],
    )
    payload = CreatorContentPayload.parse(data)
    assert payload.content_type == "COMICSERIES"
    assert payload.roles == ["COMICSERIES_WRITER"]


def test_creatorcontent_roles_absent_are_empty_and_null_stays_null() -> None:
    data = creatorcontent_data(new_uuid(), new_uuid())
    del data["roles"]
    assert CreatorContentPayload.parse(data).roles == []
    assert CreatorContentPayload.parse(creatorcontent_data(new_uuid(), new_uuid(), roles=None)).roles is None


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"contentType": "PODCASTSERIES"}, "contentType", "expected one of COMICISSUE, COMICSERIES, CREATOR"),
        ({"contentType": None}, "contentType", "required"),
        ({"creatorUuid": None}, "creatorUuid", "required"),
        ({"contentUuid": "abc"}, "contentUuid", "not a UUID"),
        ({"roles": "COMICSERIES_WRITER"}, "roles", "expected a list of roles"),
    ],
)
def test_creatorcontent_bad_fields_are_refused(overrides: dict[str, Any], field: str, reason: str) -> None:
    error = refused(CreatorContentPayload, creatorcontent_data(new_uuid(), new_uuid(), **overrides))
    assert (error.field, error.reason) == (field, reason)


# --- dispatch -----------------------------------------------------------------------------------------


def test_parse_payload_picks_the_model_by_type_and_action() -> None:
    series = series_data()
    assert isinstance(parse_payload(TaddyType.COMICSERIES, WebhookAction.CREATED, series), ComicSeriesPayload)
    assert isinstance(parse_payload(TaddyType.CREATOR, WebhookAction.UPDATED, creator_data()), CreatorPayload)
    deleted = parse_payload(TaddyType.COMICISSUE, WebhookAction.DELETED, {"uuid": series["uuid"]})
    assert isinstance(deleted, DeletedPayload)


def test_notice_actions_carry_nothing_to_write() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_payload(TaddyType.COMICSERIES, WebhookAction.NEW_ISSUES_RELEASED, series_data())
    assert caught.value.field == "action"


def test_data_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        ComicSeriesPayload.parse([])  # type: ignore[arg-type]
    assert caught.value.field == "data"
