"""Series of followed creators: Bluesky handles and Patreon usernames matched to `creatorlink` rows,
then the creators' non-blocked series newest first, against real PostgreSQL."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.events import TaddyType
from inkverse.creators.followed_series import series_for_bluesky_handles, series_for_patreon_usernames
from inkverse.database import tables
from tests.fixtures.catalog import EventApplier
from tests.fixtures.taddy_payloads import creator_data, creatorcontent_data, link, series_data


async def add_creator(events: EventApplier, links: list[dict[str, str]]) -> str:
    data = creator_data(links=links)
    await events.created(TaddyType.CREATOR, data)
    return str(data["uuid"])


async def add_series(
    events: EventApplier,
    sessionmaker: async_sessionmaker[AsyncSession],
    creators: list[str],
    **overrides: Any,
) -> str:
    data = series_data(**overrides)
    await events.created(TaddyType.COMICSERIES, data)
    for creator in creators:
        await events.created(TaddyType.CREATORCONTENT, creatorcontent_data(creator, data["uuid"]))
    return str(data["uuid"])


async def age(sessionmaker: async_sessionmaker[AsyncSession], series_uuid: str, days: int) -> None:
    created_at = datetime.now(UTC) - timedelta(days=days)
    async with sessionmaker() as session, session.begin():
        series = tables.ComicSeries
        await session.execute(update(series).where(series.uuid == series_uuid).values(created_at=created_at))


async def test_series_of_followed_creators_newest_first_once_and_never_blocked(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ann = await add_creator(
        events,
        [link("BLUESKY", "ann.bsky.social", "https://bsky.app/profile/"), link("PATREON", "annexample")],
    )
    bob = await add_creator(events, [link("BLUESKY", "bob.bsky.social", "https://bsky.app/profile/")])
    carol = await add_creator(events, [link("PATREON", "caroldraws", "https://patreon.com/")])
    older = await add_series(events, sessionmaker, [ann], name="Older")
    shared = await add_series(events, sessionmaker, [ann, bob], name="Shared")
    await add_series(events, sessionmaker, [bob], name="Blocked", isBlocked=True)
    carols = await add_series(events, sessionmaker, [carol], name="Carol's")
    await age(sessionmaker, older, days=3)
    await age(sessionmaker, carols, days=1)

    async with sessionmaker() as session:
        bluesky = await series_for_bluesky_handles(
            session, ["bob.bsky.social", "ann.bsky.social", "stranger.bsky.social"]
        )
        patreon = await series_for_patreon_usernames(session, ["caroldraws", "annexample"])
        wrong_network = await series_for_patreon_usernames(session, ["ann.bsky.social"])
        nobody = await series_for_bluesky_handles(session, [])

    assert [series.uuid for series in bluesky] == [shared, older]
    assert [series.uuid for series in patreon] == [shared, carols, older]
    assert wrong_network == []
    assert nobody == []


async def test_tens_of_thousands_of_follows_are_matched_in_one_query(
    events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    ann = await add_creator(events, [link("BLUESKY", "ann.bsky.social", "https://bsky.app/profile/")])
    series = await add_series(events, sessionmaker, [ann])
    # More values than PostgreSQL accepts as separate parameters of one statement (32,767).
    handles = [f"reader{n}.bsky.social" for n in range(40_000)] + ["ann.bsky.social"]

    async with sessionmaker() as session:
        found = await series_for_bluesky_handles(session, handles)

    assert [row.uuid for row in found] == [series]
