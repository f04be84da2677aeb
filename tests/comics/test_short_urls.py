"""Short URLs: the original's slug, collision-free numbering, concurrent writers of the same name."""

import asyncio

import pytest

from inkverse.catalog.events import TaddyType
from inkverse.catalog.short_urls import MAX_SLUG_LENGTH, first_free, slug_for
from inkverse.catalog.text import pretty_encode_title
from tests.fixtures.catalog import EventApplier
from tests.fixtures.taddy_payloads import new_uuid, series_data


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("My Comic: The Return!", "my-comic-the-return"),
        ("  Hello  World ", "-hello-world-"),
        ("Caf\u00e9 \u2013 Noir", "caf\u00e9-noir"),
        ("A_B.C", "abc"),
        ("\u201cQuoted\u201d \u2019n\u2019 (parens) [x] {y} <z> 100% #1", "quoted-n-parens-x-y-z-100-1"),
        ("Tab\tand\nnewline", "tabandnewline"),
        ("a - b -- c", "a-b-c"),
        ("漫画 タイトル", "漫画-タイトル"),
    ],
)
def test_pretty_encode_title_matches_the_original(title: str, slug: str) -> None:
    assert pretty_encode_title(title) == slug


def test_slug_falls_back_to_the_uuid_and_is_capped() -> None:
    uuid = new_uuid()
    assert slug_for(None, uuid) == uuid
    assert slug_for("!!!", uuid) == uuid
    assert len(slug_for("x" * 500, uuid)) == MAX_SLUG_LENGTH


def test_first_free_takes_the_smallest_unused_number() -> None:
    assert first_free("a", set()) == "a"
    assert first_free("a", {"a"}) == "a-1"
    assert first_free("a", {"a", "a-1", "a-3"}) == "a-2"
    assert first_free("a", {"a-1"}) == "a"


async def test_concurrent_series_with_the_same_name_get_distinct_short_urls(events: EventApplier) -> None:
    results = await asyncio.gather(
        *(events.created(TaddyType.COMICSERIES, series_data(name="Twin Peaks")) for _ in range(3))
    )
    assert sorted(result.short_url or "" for result in results) == [
        "twin-peaks",
        "twin-peaks-1",
        "twin-peaks-2",
    ]
