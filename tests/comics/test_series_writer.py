"""comicseries webhooks: mapping, short URLs, idempotency, ordering and the delete cascade."""

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.changes import Outcome
from inkverse.catalog.events import TaddyType, WebhookAction
from inkverse.catalog.payloads import ComicSeriesPayload, DeletedPayload
from inkverse.comics.writers import ComicSeriesWriter
from inkverse.database import tables
from inkverse.errors import ValidationError
from tests.fixtures.catalog import EventApplier, count_rows, fetch
from tests.fixtures.taddy_payloads import (
    TADDY_HOSTING_PROVIDER,
    creator_data,
    image_json,
    issue_data,
    new_uuid,
    series_data,
)

SERIES = TaddyType.COMICSERIES


async def test_created_writes_every_mapped_column(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = series_data(
        genres=["COMICSERIES_DRAMA", "COMICSERIES_MYSTERY", "COMICSERIES_HORROR", "COMICSERIES_BL"]
    )
    result = await events.created(SERIES, data)

    assert result.outcome is Outcome.CREATED
    assert result.applied
    assert (result.short_url, result.previous_short_url) == ("the-lighthouse-keeper", None)
    series = await fetch(sessionmaker, tables.ComicSeries, data["uuid"])
    assert series is not None
    assert series.name == "The Lighthouse Keeper"
    assert series.description == data["description"]
    assert (series.hash, series.issues_hash) == (data["hash"], data["issuesHash"])
    assert series.date_published == 1767225000
    assert (series.genre0, series.genre1, series.genre2) == (
        "COMICSERIES_DRAMA",
        "COMICSERIES_MYSTERY",
        "COMICSERIES_HORROR",
    )
    assert list(series.cover_image or {}) == ["base_url", "cover_sm", "cover_md", "cover_lg"]
    assert series.tags == ["lighthouse", "sea"]
    assert (series.language, series.content_rating, series.status) == (
        "ENGLISH",
        "COMICSERIES_TEENS",
        "ONGOING",
    )
    assert (series.series_type, series.series_layout) == ("WEBTOON", "VERTICAL_SCROLL_TOP_TO_BOTTOM")
    assert series.sss_url == data["sssUrl"]
    assert series.is_blocked is False
    assert series.hosting_provider_uuid == TADDY_HOSTING_PROVIDER
    assert series.scopes_for_exclusive_content is None
    assert series.updated_at is None
    lookup = await fetch(sessionmaker, tables.UUIDLookup, data["uuid"])
    assert lookup is not None
    assert lookup.taddy_type is tables.ContentType.COMICSERIES


async def test_the_third_series_with_the_same_name_gets_a_distinct_short_url(events: EventApplier) -> None:
    short_urls = [(await events.created(SERIES, series_data(name="My Comic!"))).short_url for _ in range(4)]
    assert short_urls == ["my-comic", "my-comic-1", "my-comic-2", "my-comic-3"]


async def test_similar_names_do_not_shift_the_numbering(events: EventApplier) -> None:
    await events.created(SERIES, series_data(name="My Comic 2"))
    await events.created(SERIES, series_data(name="My Comic2"))
    first = await events.created(SERIES, series_data(name="My Comic"))
    second = await events.created(SERIES, series_data(name="My Comic"))
    third = await events.created(SERIES, series_data(name="My Comic"))
    assert (first.short_url, second.short_url, third.short_url) == ("my-comic", "my-comic-1", "my-comic-3")


async def test_a_name_without_letters_falls_back_to_the_uuid(events: EventApplier) -> None:
    data = series_data(name="?!")
    assert (await events.created(SERIES, data)).short_url == data["uuid"]


async def test_a_very_long_name_still_fits_the_column(events: EventApplier) -> None:
    first = await events.created(SERIES, series_data(name="word " * 80))
    second = await events.created(SERIES, series_data(name="word " * 80))
    assert first.short_url is not None
    assert second.short_url == f"{first.short_url}-1"
    assert len(second.short_url) <= 255


async def test_series_and_creators_have_separate_short_url_namespaces(events: EventApplier) -> None:
    series = await events.created(SERIES, series_data(name="Ann Example"))
    creator = await events.created(TaddyType.CREATOR, creator_data(name="Ann Example"))
    assert series.short_url == creator.short_url == "ann-example"


async def test_the_short_url_never_changes_on_update(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = series_data(name="Old Name")
    await events.created(SERIES, data)
    result = await events.updated(SERIES, {**data, "name": "New Name"}, timestamp=200)
    assert result.outcome is Outcome.UPDATED
    assert result.short_url == result.previous_short_url == "old-name"
    series = await fetch(sessionmaker, tables.ComicSeries, data["uuid"])
    assert series is not None
    assert (series.name, series.short_url) == ("New Name", "old-name")
    assert series.updated_at is not None


async def test_an_update_is_a_full_replace(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = series_data()
    await events.created(SERIES, data)
    trimmed = {
        key: value for key, value in data.items() if key not in {"description", "coverImageAsString", "tags"}
    }
    await events.updated(SERIES, trimmed, timestamp=200)
    series = await fetch(sessionmaker, tables.ComicSeries, data["uuid"])
    assert series is not None
    assert (series.description, series.cover_image, series.tags) == (None, None, None)


async def test_a_repeated_created_is_an_update(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = series_data()
    await events.created(SERIES, data)
    again = await events.created(SERIES, {**data, "description": "Second delivery"})
    assert again.outcome is Outcome.UPDATED
    assert await count_rows(sessionmaker, tables.ComicSeries) == 1
    assert await count_rows(sessionmaker, tables.UUIDLookup) == 1
    series = await fetch(sessionmaker, tables.ComicSeries, data["uuid"])
    assert series is not None
    assert series.description == "Second delivery"


async def test_an_updated_for_a_missing_series_creates_it(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = series_data()
    result = await events.updated(SERIES, data)
    assert result.outcome is Outcome.CREATED
    assert result.short_url == "the-lighthouse-keeper"
    assert await fetch(sessionmaker, tables.UUIDLookup, data["uuid"]) is not None


async def test_out_of_order_events_leave_the_newest_state(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = series_data()
    await events.updated(SERIES, {**data, "name": "Newest"}, timestamp=300)
    stale_update = await events.updated(SERIES, {**data, "name": "Older"}, timestamp=200)
    stale_create = await events.created(SERIES, {**data, "name": "Oldest"}, timestamp=100)
    assert (stale_update.outcome, stale_create.outcome) == (Outcome.STALE, Outcome.STALE)
    assert not stale_update.applied
    series = await fetch(sessionmaker, tables.ComicSeries, data["uuid"])
    assert series is not None
    assert series.name == "Newest"
    state = await fetch(sessionmaker, tables.TaddyEntityState, ("comicseries", data["uuid"]))
    assert state is not None
    assert (state.last_timestamp, state.deleted) == (300, False)


async def test_a_duplicate_delivery_is_harmless(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = series_data()
    first = await events.created(SERIES, data, timestamp=100)
    second = await events.created(SERIES, data, timestamp=100)
    assert (first.outcome, second.outcome) == (Outcome.CREATED, Outcome.UPDATED)
    assert second.short_url == first.short_url
    assert await count_rows(sessionmaker, tables.ComicSeries) == 1


async def test_delete_removes_the_series_its_issues_stories_and_lookups(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series = series_data()
    await events.created(SERIES, series)
    first = issue_data(series["uuid"], stories=2)
    second = issue_data(series["uuid"], stories=1)
    other = issue_data(new_uuid(), stories=1)
    for issue in (first, second, other):
        await events.created(TaddyType.COMICISSUE, issue)
    async with sessionmaker() as session, session.begin():
        session.add(
            tables.UserLike(
                user_id=1,
                likeable_uuid=first["uuid"],
                likeable_type="COMICISSUE",
                parent_uuid=series["uuid"],
                parent_type="COMICSERIES",
            )
        )

    result = await events.deleted(SERIES, series["uuid"], timestamp=200)

    assert result.outcome is Outcome.DELETED
    assert result.short_url == "the-lighthouse-keeper"
    assert set(result.issue_uuids) == {first["uuid"], second["uuid"]}
    deleted_stories = {story["uuid"] for story in first["stories"] + second["stories"]}
    assert set(result.stories_removed) == deleted_stories
    assert await fetch(sessionmaker, tables.ComicSeries, series["uuid"]) is None
    assert await count_rows(sessionmaker, tables.ComicIssue) == 1
    assert await count_rows(sessionmaker, tables.ComicStory) == 1
    async with sessionmaker() as session:
        lookups = set(await session.scalars(select(tables.UUIDLookup.uuid)))
    assert lookups == {other["uuid"]}
    assert await count_rows(sessionmaker, tables.UserLike) == 1  # user data is kept


async def test_deleting_a_missing_series_is_a_no_op(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    uuid = new_uuid()
    result = await events.deleted(SERIES, uuid)
    assert result.outcome is Outcome.NOT_FOUND
    assert not result.applied
    state = await fetch(sessionmaker, tables.TaddyEntityState, ("comicseries", uuid))
    assert state is not None
    assert state.deleted


async def test_a_stale_event_after_the_delete_does_not_resurrect_the_series(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = series_data()
    await events.created(SERIES, data, timestamp=100)
    await events.deleted(SERIES, data["uuid"], timestamp=200)
    assert (await events.updated(SERIES, data, timestamp=150)).outcome is Outcome.STALE
    assert (await events.created(SERIES, data, timestamp=200)).outcome is Outcome.STALE
    assert await fetch(sessionmaker, tables.ComicSeries, data["uuid"]) is None


async def test_a_newer_created_after_the_delete_brings_the_series_back(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = series_data()
    await events.deleted(SERIES, data["uuid"], timestamp=200)
    result = await events.created(SERIES, data, timestamp=201)
    assert result.outcome is Outcome.CREATED
    assert await fetch(sessionmaker, tables.ComicSeries, data["uuid"]) is not None


async def test_an_issue_event_older_than_its_series_delete_does_not_come_back(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series = series_data()
    known = issue_data(series["uuid"])
    unknown = issue_data(series["uuid"])
    await events.created(SERIES, series, timestamp=100)
    await events.created(TaddyType.COMICISSUE, known, timestamp=100)
    await events.deleted(SERIES, series["uuid"], timestamp=300)

    assert (await events.updated(TaddyType.COMICISSUE, known, timestamp=200)).outcome is Outcome.STALE
    assert (await events.created(TaddyType.COMICISSUE, unknown, timestamp=200)).outcome is Outcome.STALE
    assert await count_rows(sessionmaker, tables.ComicIssue) == 0
    assert (await events.created(TaddyType.COMICISSUE, unknown, timestamp=400)).outcome is Outcome.CREATED


async def test_bad_payload_writes_nothing(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = series_data(bannerImageAsString=image_json(base_url="https://x/", banner_sm="a.webp") + "}")
    with pytest.raises(ValidationError) as caught:
        await events.created(SERIES, data)
    assert caught.value.field == "bannerImageAsString"
    assert await count_rows(sessionmaker, tables.ComicSeries) == 0
    assert await count_rows(sessionmaker, tables.TaddyEntityState) == 0


async def test_apply_refuses_a_created_without_the_object(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        writer = ComicSeriesWriter(session)
        with pytest.raises(ValidationError) as created:
            await writer.apply(WebhookAction.CREATED, DeletedPayload.parse({"uuid": new_uuid()}), 100)
        with pytest.raises(ValidationError) as notice:
            await writer.apply(
                WebhookAction.NEW_ISSUES_RELEASED, ComicSeriesPayload.parse(series_data()), 100
            )
    assert (created.value.field, notice.value.field) == ("data", "action")


async def test_delete_refuses_a_uuid_that_is_not_one(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        with pytest.raises(ValidationError) as caught:
            await ComicSeriesWriter(session).delete("creator:content", 100)
    assert caught.value.field == "uuid"
