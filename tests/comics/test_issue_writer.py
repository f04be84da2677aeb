"""comicissue webhooks: the issue row, the story diff, ordering and the delete cascade."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.catalog.changes import Outcome
from inkverse.catalog.events import TaddyType
from inkverse.catalog.payloads import ComicIssuePayload
from inkverse.comics.repository import ComicIssueRepository
from inkverse.comics.writers import ComicIssueWriter, ComicSeriesWriter
from inkverse.database import tables
from inkverse.errors import ValidationError
from tests.fixtures.catalog import EventApplier, StatementCounter, count_rows, fetch
from tests.fixtures.taddy_payloads import issue_data, new_uuid, story_data

ISSUE = TaddyType.COMICISSUE


async def stories_of(
    sessionmaker: async_sessionmaker[AsyncSession], issue_uuid: str
) -> dict[str, tables.ComicStory]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(tables.ComicStory).where(tables.ComicStory.issue_uuid == issue_uuid)
        )
        return {row.uuid: row for row in rows}


def with_stories(issue: dict[str, Any], stories: list[dict[str, Any]]) -> dict[str, Any]:
    return {**issue, "stories": stories}


async def test_created_writes_the_issue_and_its_stories_in_order(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series_uuid = new_uuid()
    data = issue_data(series_uuid, stories=3, isBlocked="yes", scopesForExclusiveContent=["patreon"])
    result = await events.created(ISSUE, data)

    assert result.outcome is Outcome.CREATED
    assert result.series_uuid == series_uuid
    assert result.stories_added == tuple(story["uuid"] for story in data["stories"])
    issue = await fetch(sessionmaker, tables.ComicIssue, data["uuid"])
    assert issue is not None
    assert (issue.series_uuid, issue.name, issue.position) == (series_uuid, data["name"], 2)
    assert (issue.is_blocked, issue.is_removed) == (True, None)
    assert issue.scopes_for_exclusive_content == ["patreon"]
    assert issue.push_notification_message == "Episode 3 is out!"
    assert list(issue.thumbnail_image or {}) == ["base_url", "thumbnail"]
    stories = await stories_of(sessionmaker, data["uuid"])
    for position, story in enumerate(data["stories"]):
        row = stories[story["uuid"]]
        assert (row.position, row.hash, row.series_uuid, row.is_removed) == (
            position,
            story["hash"],
            series_uuid,
            None,
        )
        assert row.story_image is not None
        assert row.story_image["story"] == "story.webp"
    lookup = await fetch(sessionmaker, tables.UUIDLookup, data["uuid"])
    assert lookup is not None
    assert lookup.taddy_type is tables.ContentType.COMICISSUE


async def test_update_diffs_the_stories(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series_uuid = new_uuid()
    data = issue_data(series_uuid, stories=3)
    first, second, third = data["stories"]
    await events.created(ISSUE, data)
    async with sessionmaker() as session, session.begin():
        await session.execute(update(tables.ComicStory).values(width=800, height=1200))

    newcomer = story_data(series_uuid, data["uuid"])
    result = await events.updated(ISSUE, with_stories(data, [third, newcomer, first]), timestamp=200)

    assert result.outcome is Outcome.UPDATED
    assert result.stories_added == (newcomer["uuid"],)
    assert set(result.stories_updated) == {first["uuid"], third["uuid"]}
    assert result.stories_removed == (second["uuid"],)
    stories = await stories_of(sessionmaker, data["uuid"])
    assert [stories[s["uuid"]].position for s in (third, newcomer, first)] == [0, 1, 2]
    assert (stories[first["uuid"]].width, stories[first["uuid"]].height) == (800, 1200)
    assert stories[first["uuid"]].updated_at is not None
    removed = stories[second["uuid"]]
    assert (removed.is_removed, removed.position, removed.hash, removed.story_image) == (
        True,
        None,
        None,
        None,
    )
    assert removed.width == 800


async def test_a_removed_story_that_returns_is_restored_at_its_new_position(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = issue_data(new_uuid(), stories=3)
    first, second, third = data["stories"]
    await events.created(ISSUE, data, timestamp=100)
    await events.updated(ISSUE, with_stories(data, [first, third]), timestamp=200)

    result = await events.updated(ISSUE, with_stories(data, [second, first, third]), timestamp=300)

    assert second["uuid"] in result.stories_updated
    assert result.stories_removed == ()
    restored = (await stories_of(sessionmaker, data["uuid"]))[second["uuid"]]
    assert (restored.is_removed, restored.position, restored.hash) == (None, 0, second["hash"])
    assert restored.story_image is not None


async def test_stories_absent_leave_them_and_an_empty_list_removes_them(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = issue_data(new_uuid(), stories=2)
    await events.created(ISSUE, data)
    without_stories = {key: value for key, value in data.items() if key != "stories"}

    untouched = await events.updated(ISSUE, without_stories, timestamp=200)
    assert untouched.story_uuids == ()
    assert all(row.is_removed is None for row in (await stories_of(sessionmaker, data["uuid"])).values())

    emptied = await events.updated(ISSUE, with_stories(data, []), timestamp=300)
    assert set(emptied.stories_removed) == {story["uuid"] for story in data["stories"]}
    assert all(row.is_removed for row in (await stories_of(sessionmaker, data["uuid"])).values())


async def test_story_hashes_can_move_between_stories(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = issue_data(new_uuid(), stories=2)
    first, second = data["stories"]
    await events.created(ISSUE, data)
    swapped = [{**first, "hash": second["hash"]}, {**second, "hash": first["hash"]}]
    await events.updated(ISSUE, with_stories(data, swapped), timestamp=200)
    stories = await stories_of(sessionmaker, data["uuid"])
    assert (stories[first["uuid"]].hash, stories[second["uuid"]].hash) == (second["hash"], first["hash"])


async def test_a_story_hash_held_by_another_issue_moves_to_the_incoming_story(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    first = issue_data(new_uuid(), stories=2)
    await events.created(ISSUE, first)
    taken = first["stories"][0]
    second_uuid = new_uuid()
    stories = [story_data(first["seriesUuid"], second_uuid, hash=taken["hash"])]
    second = issue_data(first["seriesUuid"], second_uuid, stories=stories)
    await events.created(ISSUE, second)
    assert (await stories_of(sessionmaker, second["uuid"]))[second["stories"][0]["uuid"]].hash == taken[
        "hash"
    ]
    kept = (await stories_of(sessionmaker, first["uuid"]))[taken["uuid"]]
    assert (kept.hash, kept.is_removed, kept.position) == (None, None, 0)  # only its hash is given up


async def test_a_new_story_may_reuse_the_hash_of_a_removed_one(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = issue_data(new_uuid(), stories=1)
    (old,) = data["stories"]
    await events.created(ISSUE, data)
    replacement = story_data(data["seriesUuid"], data["uuid"], hash=old["hash"])
    result = await events.updated(ISSUE, with_stories(data, [replacement]), timestamp=200)
    assert (result.stories_added, result.stories_removed) == ((replacement["uuid"],), (old["uuid"],))
    assert (await stories_of(sessionmaker, data["uuid"]))[replacement["uuid"]].hash == old["hash"]


async def test_an_issue_sent_under_another_series_moves_there(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    old_series, new_series = new_uuid(), new_uuid()
    data = issue_data(old_series, stories=2)
    await events.created(ISSUE, data)
    result = await events.updated(ISSUE, {**data, "seriesUuid": new_series}, timestamp=200)
    assert (result.series_uuid, result.previous_series_uuid) == (new_series, old_series)
    stories = await stories_of(sessionmaker, data["uuid"])
    assert {story.series_uuid for story in stories.values()} == {new_series}


async def test_taddy_is_removed_is_kept_and_hides_the_issue(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    series_uuid = new_uuid()
    data = issue_data(series_uuid, isRemoved=True)
    await events.created(ISSUE, data)
    async with sessionmaker() as session:
        issues = ComicIssueRepository(session)
        assert await issues.list_for_series(series_uuid) == []
        assert [issue.uuid for issue in await issues.list_for_series(series_uuid, include_removed=True)] == [
            data["uuid"]
        ]


@pytest.mark.parametrize("story_count", [3, 30])
async def test_a_write_sends_the_same_number_of_statements_whatever_the_stories(
    events: EventApplier, engine: AsyncEngine, story_count: int
) -> None:
    data = issue_data(new_uuid(), stories=story_count)
    with StatementCounter(engine) as created:
        await events.created(ISSUE, data, timestamp=100)
    kept = data["stories"][1:]
    changed = with_stories(data, [*reversed(kept), story_data(data["seriesUuid"], data["uuid"])])
    with StatementCounter(engine) as updated:
        await events.updated(ISSUE, changed, timestamp=200)
    assert (created.count, updated.count) == (4, 4)


async def test_out_of_order_updates_keep_the_newest_stories(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = issue_data(new_uuid(), stories=3)
    await events.updated(ISSUE, data, timestamp=300)
    stale = await events.updated(ISSUE, with_stories(data, data["stories"][:1]), timestamp=200)
    assert stale.outcome is Outcome.STALE
    stories = await stories_of(sessionmaker, data["uuid"])
    assert all(story.is_removed is None for story in stories.values())


async def test_delete_removes_the_issue_its_stories_and_lookup(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = issue_data(new_uuid(), stories=2)
    other = issue_data(data["seriesUuid"], stories=1)
    await events.created(ISSUE, data)
    await events.created(ISSUE, other)

    result = await events.deleted(ISSUE, data["uuid"], timestamp=200)

    assert result.outcome is Outcome.DELETED
    assert result.series_uuid == data["seriesUuid"]
    assert set(result.stories_removed) == {story["uuid"] for story in data["stories"]}
    assert await fetch(sessionmaker, tables.ComicIssue, data["uuid"]) is None
    assert await fetch(sessionmaker, tables.UUIDLookup, data["uuid"]) is None
    assert await count_rows(sessionmaker, tables.ComicStory) == 1


async def test_deleting_a_missing_issue_is_a_no_op_and_blocks_stale_creates(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = issue_data(new_uuid())
    assert (await events.deleted(ISSUE, data["uuid"], timestamp=200)).outcome is Outcome.NOT_FOUND
    assert (await events.created(ISSUE, data, timestamp=100)).outcome is Outcome.STALE
    assert await count_rows(sessionmaker, tables.ComicIssue) == 0


async def test_an_issue_without_series_writes_nothing(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    data = issue_data(new_uuid())
    data["seriesUuid"] = None
    with pytest.raises(ValidationError) as caught:
        await events.created(ISSUE, data)
    assert caught.value.field == "seriesUuid"
    assert await count_rows(sessionmaker, tables.ComicIssue) == 0
    assert await count_rows(sessionmaker, tables.ComicStory) == 0


async def test_an_issue_written_during_its_series_delete_does_not_survive_it(
    engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The series delete and the issue create run in concurrent transactions (the worker handles
    several messages at once): whichever commits first, no orphan issue remains."""
    series_uuid = new_uuid()
    issue = ComicIssuePayload.parse(issue_data(series_uuid, stories=1))
    async with sessionmaker() as deleting, sessionmaker() as creating:
        await deleting.begin()
        await ComicSeriesWriter(deleting).delete(series_uuid, timestamp=200)
        create = asyncio.ensure_future(_create_then_commit(creating, issue))
        await asyncio.sleep(0.3)
        assert not create.done()  # waits for the delete's transaction
        await deleting.commit()
        result = await create
    assert result.outcome.value == "stale"
    assert await count_rows(sessionmaker, tables.ComicIssue) == 0


async def _create_then_commit(session: AsyncSession, issue: ComicIssuePayload) -> Any:
    async with session.begin():
        return await ComicIssueWriter(session).upsert(issue, timestamp=100)
