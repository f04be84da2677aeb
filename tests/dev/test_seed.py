"""The seed dataset: deterministic, the requested counts, unique short URLs, reference shapes; and the
loader's refusal of a non-empty database."""

import json

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkverse.catalog.payloads import BANNER_KEYS, COVER_KEYS, STORY_KEYS, THUMBNAIL_KEYS
from inkverse.catalog.text import create_hash
from inkverse.seed.dataset import SIZES, SeedDataset, SeedSize, ShortUrls
from inkverse.seed.loader import DatabaseNotEmptyError, seed_database, seed_demo_if_empty
from inkverse.settings import Settings

SMALL = SeedSize(series=40, issues_per_series=4, stories_per_issue=3, creators=12, users=10)
REFERENCE_TIME = 1_767_225_600
EDITORIAL = ("a7046949-a79d-4471-b3e0-9c6df652b9c8", "fb20203b-0e55-4e7c-a213-c0cd1e74fd0f")


def all_rows(dataset: SeedDataset) -> dict[str, list[tuple[object, ...]]]:
    return {table.name: list(table.rows) for table in dataset.tables()}


def column(dataset: SeedDataset, table_name: str, name: str) -> list[object]:
    table = next(table for table in dataset.tables() if table.name == table_name)
    index = table.columns.index(name)
    return [row[index] for row in table.rows]


def test_the_same_seed_gives_the_same_rows() -> None:
    first = all_rows(SeedDataset(SMALL, 7, REFERENCE_TIME, EDITORIAL))
    again = all_rows(SeedDataset(SMALL, 7, REFERENCE_TIME, EDITORIAL))
    other = all_rows(SeedDataset(SMALL, 8, REFERENCE_TIME, EDITORIAL))

    assert first == again
    assert first["comicstory"] != other["comicstory"]


def test_counts_follow_the_size() -> None:
    rows = all_rows(SeedDataset(SMALL, 1, REFERENCE_TIME, EDITORIAL))

    assert len(rows["comicseries"]) == 40
    assert len(rows["comicissue"]) == 40 * 4
    assert len(rows["comicstory"]) == 40 * 4 * 3
    assert len(rows["creator"]) == 12
    assert len(rows["users"]) == 10
    assert len(rows["uuid_lookup"]) == 40 + 40 * 4 + 12
    assert 40 <= len(rows["creatorcontent"]) <= 40 * 3
    assert rows["user_likes"]
    assert rows["user_comments"]


def test_editorial_series_come_first() -> None:
    dataset = SeedDataset(SMALL, 1, REFERENCE_TIME, EDITORIAL)

    assert [plan.uuid for plan in dataset.series[:2]] == list(EDITORIAL)
    assert not any(plan.is_blocked for plan in dataset.series[:2])


def test_short_urls_are_unique_in_each_namespace() -> None:
    dataset = SeedDataset(SeedSize(600, 1, 1, 300, 1), 3, REFERENCE_TIME)
    series_urls = [plan.short_url for plan in dataset.series]
    creator_urls = [plan.short_url for plan in dataset.creators]

    assert len(set(series_urls)) == len(series_urls)
    assert len(set(creator_urls)) == len(creator_urls)
    assert any(url.rsplit("-", 1)[-1].isdigit() for url in creator_urls)  # repeated names got a suffix


def test_short_urls_number_repeated_names_like_the_writers() -> None:
    short_urls = ShortUrls()

    allocated = [short_urls.allocate("The Lighthouse!", f"uuid-{n}") for n in range(3)]

    assert allocated == ["the-lighthouse", "the-lighthouse-1", "the-lighthouse-2"]


def test_positions_are_zero_based_and_contiguous() -> None:
    dataset = SeedDataset(SMALL, 1, REFERENCE_TIME)

    assert column(dataset, "comicissue", "position")[:4] == [0, 1, 2, 3]
    assert column(dataset, "comicstory", "position")[:3] == [0, 1, 2]


def test_images_have_exactly_the_reference_keys() -> None:
    dataset = SeedDataset(SMALL, 1, REFERENCE_TIME)
    cover = json.loads(str(column(dataset, "comicseries", "cover_image")[0]))
    banner = json.loads(str(column(dataset, "comicissue", "banner_image")[0]))
    thumbnail = json.loads(str(column(dataset, "comicissue", "thumbnail_image")[0]))
    story = json.loads(str(column(dataset, "comicstory", "story_image")[0]))

    assert tuple(cover) == COVER_KEYS
    assert tuple(banner) == BANNER_KEYS
    assert tuple(thumbnail) == THUMBNAIL_KEYS
    assert tuple(story) == STORY_KEYS
    assert story["base_url"].startswith("https://ay1.taddy.org/")
    assert story["base_url"].endswith("/")


def test_creator_links_match_their_hash_and_rows() -> None:
    dataset = SeedDataset(SMALL, 1, REFERENCE_TIME)
    creator = dataset.creators[0]
    stored = column(dataset, "creator", "links")[0]
    assert isinstance(stored, list)
    links = [json.loads(link) for link in stored]

    assert column(dataset, "creator", "links_hash")[0] == create_hash(links)
    link_rows = [row for row in dataset.creator_link_table().rows if row[0] == creator.uuid]
    assert [(row[1], row[3]) for row in link_rows] == [(link["type"], link["value"]) for link in links]


async def test_seeding_refuses_a_database_with_data(engine: AsyncEngine, settings: Settings) -> None:
    assert settings.database.url is not None
    report = await seed_database(settings.database.url, SMALL, 1, reference_time=REFERENCE_TIME)

    async with engine.connect() as connection:
        stories = await connection.scalar(text("SELECT count(*) FROM comicstory"))
        lookups = await connection.scalar(text("SELECT count(*) FROM uuid_lookup"))
    assert stories == report.rows["comicstory"] == 40 * 4 * 3
    assert lookups == 40 + 40 * 4 + 12

    with pytest.raises(DatabaseNotEmptyError):
        await seed_database(settings.database.url, SMALL, 1, reference_time=REFERENCE_TIME)

    await seed_database(settings.database.url, SMALL, 2, force=True, reference_time=REFERENCE_TIME)
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM comicstory")) == 40 * 4 * 3
        next_user_id = await connection.scalar(text("SELECT nextval(pg_get_serial_sequence('users', 'id'))"))
    assert next_user_id == SMALL.users + 1


async def test_dev_seeds_the_demo_dataset_only_into_an_empty_database(
    engine: AsyncEngine, settings: Settings
) -> None:
    assert settings.database.url is not None
    first = await seed_demo_if_empty(settings.database.url)
    again = await seed_demo_if_empty(settings.database.url)

    assert first is not None
    assert first.rows["comicseries"] == SIZES["demo"].series
    assert again is None
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM comicseries")) == SIZES["demo"].series
