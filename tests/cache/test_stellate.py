"""Stellate purging against a fake Purging API: exact mutations, variables, header, chunking, retries."""

from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

from inkverse.cache.purge import CacheType, LoggingCdnPurger, Purge, PurgeFailedError
from inkverse.cache.stellate import StellatePurger, make_stellate_purger
from inkverse.settings import StellateSettings
from tests.cache.support import FakeCdn

TOKEN = "stellate-secret"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def purger(http: aiohttp.ClientSession, fake: FakeCdn, batch_size: int = 100) -> StellatePurger:
    settings = StellateSettings(
        purge_url=f"{fake.url}/inkverse1", api_token=SecretStr(TOKEN), purge_batch_size=batch_size
    )
    return StellatePurger(http, settings, attempts=3, wait_seconds=0.01)


async def test_series_purge_is_the_original_mutation(
    http: aiohttp.ClientSession, fake_stellate: FakeCdn
) -> None:
    await purger(http, fake_stellate).send([Purge(CacheType.COMICSERIES, ids=("s1",), short_url="ink")])
    [request] = fake_stellate.requests
    assert request.method == "POST"
    assert request.path == "/inkverse1"
    assert request.headers["stellate-token"] == TOKEN
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {
        "query": "mutation ComicSeriesPurge($uuid: [ID!]) { purgeComicSeries(uuid: $uuid) }",
        "variables": {"uuid": ["s1"]},
    }


async def test_issue_purges_the_issue_and_the_issue_list_of_its_series(
    http: aiohttp.ClientSession, fake_stellate: FakeCdn
) -> None:
    await purger(http, fake_stellate).send([Purge(CacheType.COMICISSUE, ids=("i1",), series_uuid="s1")])
    assert fake_stellate.bodies == [
        {
            "query": "mutation ComicIssuePurge($uuid: [ID!]) { purgeComicIssue(uuid: $uuid) }",
            "variables": {"uuid": ["i1"]},
        },
        {
            "query": "mutation ComicIssueForSeriesPurge($seriesUuid: [ID!]) "
            "{ purgeComicIssueForSeries(seriesUuid: $seriesUuid) }",
            "variables": {"seriesUuid": ["s1"]},
        },
    ]


@pytest.mark.parametrize(
    ("purge", "field", "variables"),
    [
        (Purge(CacheType.RECENTLY_ADDED), "purgeHomeScreenComicSeries", {"id": ["recently-added"]}),
        (Purge(CacheType.RECENTLY_UPDATED), "purgeHomeScreenComicSeries", {"id": ["recently-updated"]}),
        (Purge(CacheType.PROFILE_COMICSERIES, ids=("42",)), "purgeProfileComicSeries", {"userId": ["42"]}),
        (Purge(CacheType.USER, ids=("42",), short_url="ann"), "purgeUser", {"id": ["42"]}),
        (Purge(CacheType.COMMENTS, ids=("i1",)), "purgeCommentsForTarget", {"targetUuid": ["i1"]}),
        (Purge(CacheType.COMICISSUE_STATS, ids=("i1",)), "purgeComicIssueStats", {"uuid": ["i1"]}),
        (
            Purge(CacheType.NOTIFICATION_SETTINGS, ids=("7",)),
            "purgeNotificationSettingStatus",
            {"userId": ["7"]},
        ),
        (Purge(CacheType.DOCUMENTATION, ids=("/blog",)), "purgeDocumentation", {"id": ["/blog"]}),
    ],
)
async def test_mutation_per_type(
    http: aiohttp.ClientSession,
    fake_stellate: FakeCdn,
    purge: Purge,
    field: str,
    variables: dict[str, list[str]],
) -> None:
    await purger(http, fake_stellate).send([purge])
    [body] = fake_stellate.bodies
    assert f"{{ {field}(" in body["query"]
    assert body["variables"] == variables


async def test_everything_is_purge_all(http: aiohttp.ClientSession, fake_stellate: FakeCdn) -> None:
    await purger(http, fake_stellate).send(
        [Purge(CacheType.COMICSERIES, ids=("s1",)), Purge(CacheType.EVERYTHING)]
    )
    assert fake_stellate.bodies == [{"query": "mutation { _purgeAll }"}]


async def test_sitemap_has_nothing_to_purge(http: aiohttp.ClientSession, fake_stellate: FakeCdn) -> None:
    await purger(http, fake_stellate).send([Purge(CacheType.SITEMAP, ids=("comicseries-1.xml",))])
    assert fake_stellate.requests == []


async def test_keys_are_merged_per_type_and_chunked(
    http: aiohttp.ClientSession, fake_stellate: FakeCdn
) -> None:
    stories = [
        Purge(CacheType.COMICSTORY, ids=tuple(f"st{n}" for n in range(start, start + 3))) for start in (0, 3)
    ]
    await purger(http, fake_stellate, batch_size=4).send(
        [*stories, Purge(CacheType.COMICSTORY, ids=("st0",))]
    )
    assert [body["variables"]["uuid"] for body in fake_stellate.bodies] == [
        ["st0", "st1", "st2", "st3"],
        ["st4", "st5"],
    ]


async def test_server_errors_are_retried(http: aiohttp.ClientSession, fake_stellate: FakeCdn) -> None:
    fake_stellate.respond(503, "busy")
    fake_stellate.respond(429, "slow down")
    await purger(http, fake_stellate).send([Purge(CacheType.CREATOR, ids=("c1",))])
    assert len(fake_stellate.requests) == 3


async def test_graphql_errors_fail_without_retry(http: aiohttp.ClientSession, fake_stellate: FakeCdn) -> None:
    fake_stellate.respond(200, {"errors": [{"message": "Unknown field purgeNope"}]})
    with pytest.raises(PurgeFailedError, match="Unknown field"):
        await purger(http, fake_stellate).send([Purge(CacheType.CREATOR, ids=("c1",))])
    assert len(fake_stellate.requests) == 1


async def test_retries_spent_is_a_failure(http: aiohttp.ClientSession, fake_stellate: FakeCdn) -> None:
    for _ in range(3):
        fake_stellate.respond(500, "down")
    with pytest.raises(PurgeFailedError, match="after 3 attempts"):
        await purger(http, fake_stellate).send([Purge(CacheType.CREATOR, ids=("c1",))])


async def test_without_a_token_purges_are_only_logged(http: aiohttp.ClientSession) -> None:
    assert isinstance(make_stellate_purger(http, StellateSettings()), LoggingCdnPurger)
    assert StellateSettings().purge_url == "https://admin.stellate.co/inkverse1"
