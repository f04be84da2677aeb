"""Cloudflare zone purging against a fake API: exact requests, batching, retries, and the page URLs."""

from collections.abc import AsyncIterator

import aiohttp
import pytest
from pydantic import SecretStr

from inkverse.cache.purge import CacheType, LoggingCdnPurger, Purge, PurgeFailedError
from inkverse.cloudflare.purge import CloudflarePurger, PageUrls, make_cloudflare_purger
from inkverse.settings import CloudflareSettings
from tests.cache.support import CLOUDFLARE_OK, FakeCdn, serve_fake_cdn

TOKEN = "cf-secret"
ZONE = "zone-9"
SITE = "https://inkverse.co"


@pytest.fixture
async def fake_cloudflare() -> AsyncIterator[FakeCdn]:
    async with serve_fake_cdn(CLOUDFLARE_OK) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def purger(http: aiohttp.ClientSession, fake: FakeCdn, batch_size: int = 30) -> CloudflarePurger:
    settings = CloudflareSettings(
        api_url=f"{fake.url}/client/v4", api_token=SecretStr(TOKEN), zone_id=ZONE, purge_batch_size=batch_size
    )
    return CloudflarePurger(http, settings, SITE, attempts=3, wait_seconds=0.01)


async def test_series_page_purge_request(http: aiohttp.ClientSession, fake_cloudflare: FakeCdn) -> None:
    await purger(http, fake_cloudflare).send(
        [Purge(CacheType.COMICSERIES, ids=("s1",), short_url="ink-tales")]
    )
    [request] = fake_cloudflare.requests
    assert request.method == "POST"
    assert request.path == f"/client/v4/zones/{ZONE}/purge_cache"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {"files": ["https://inkverse.co/comics/ink-tales"]}


async def test_urls_are_batched_to_the_per_call_limit(
    http: aiohttp.ClientSession, fake_cloudflare: FakeCdn
) -> None:
    sitemaps = [Purge(CacheType.SITEMAP, ids=tuple(f"comicseries-{n}.xml" for n in range(65)))]
    await purger(http, fake_cloudflare).send(sitemaps)
    batches = [body["files"] for body in fake_cloudflare.bodies]
    assert [len(batch) for batch in batches] == [30, 30, 5]
    assert batches[0][0] == "https://ink0.inkverse.co/sitemap/comicseries-0.xml"
    assert batches[2][-1] == "https://ink0.inkverse.co/sitemap/comicseries-64.xml"


async def test_duplicate_urls_are_sent_once(http: aiohttp.ClientSession, fake_cloudflare: FakeCdn) -> None:
    await purger(http, fake_cloudflare).send(
        [Purge(CacheType.RECENTLY_ADDED), Purge(CacheType.RECENTLY_UPDATED)]
    )
    assert fake_cloudflare.bodies == [{"files": ["https://inkverse.co/"]}]


async def test_everything_purges_the_zone(http: aiohttp.ClientSession, fake_cloudflare: FakeCdn) -> None:
    await purger(http, fake_cloudflare).send([Purge(CacheType.EVERYTHING)])
    assert fake_cloudflare.bodies == [{"purge_everything": True}]


async def test_types_without_pages_send_nothing(
    http: aiohttp.ClientSession, fake_cloudflare: FakeCdn
) -> None:
    await purger(http, fake_cloudflare).send(
        [Purge(CacheType.COMICSTORY, ids=("st1",)), Purge(CacheType.CREATOR, ids=("c1",))]
    )
    assert fake_cloudflare.requests == []


async def test_rate_limits_and_server_errors_are_retried(
    http: aiohttp.ClientSession, fake_cloudflare: FakeCdn
) -> None:
    fake_cloudflare.respond(429, {"success": False, "errors": [{"code": 971, "message": "throttled"}]})
    fake_cloudflare.respond(502, "bad gateway")
    await purger(http, fake_cloudflare).send([Purge(CacheType.RECENTLY_ADDED)])
    assert len(fake_cloudflare.requests) == 3


async def test_a_refused_batch_fails_after_the_others_are_sent(
    http: aiohttp.ClientSession, fake_cloudflare: FakeCdn
) -> None:
    fake_cloudflare.respond(
        400, {"success": False, "errors": [{"code": 1012, "message": "Request must contain"}]}
    )
    sitemaps = [Purge(CacheType.SITEMAP, ids=tuple(f"f{n}.xml" for n in range(3)))]
    with pytest.raises(PurgeFailedError, match="HTTP 400"):
        await purger(http, fake_cloudflare, batch_size=2).send(sitemaps)
    assert len(fake_cloudflare.requests) == 2


async def test_success_false_is_a_failure(http: aiohttp.ClientSession, fake_cloudflare: FakeCdn) -> None:
    fake_cloudflare.respond(200, {"success": False, "errors": [{"message": "nope"}]})
    with pytest.raises(PurgeFailedError, match="refused"):
        await purger(http, fake_cloudflare).send([Purge(CacheType.RECENTLY_ADDED)])


async def test_without_token_or_zone_purges_are_only_logged(http: aiohttp.ClientSession) -> None:
    assert isinstance(make_cloudflare_purger(http, CloudflareSettings(), SITE), LoggingCdnPurger)
    no_zone = CloudflareSettings(api_token=SecretStr("t"))
    assert isinstance(make_cloudflare_purger(http, no_zone, SITE), LoggingCdnPurger)


class TestPageUrls:
    urls = PageUrls("https://inkverse.co/", "https://ink0.inkverse.co")

    def test_issue_slug_uses_the_issue_name(self) -> None:
        purge = Purge(
            CacheType.COMICISSUE,
            ids=("i1",),
            short_url="ink-tales",
            name="Chapter 1: The Start!",
            series_uuid="s1",
        )
        assert self.urls.for_purge(purge) == ["https://inkverse.co/comics/ink-tales/chapter-1-the-start-i1"]

    def test_issue_without_name_or_short_url_has_no_url(self) -> None:
        assert self.urls.for_purge(Purge(CacheType.COMICISSUE, ids=("i1",), short_url="ink")) == []
        assert self.urls.for_purge(Purge(CacheType.COMICISSUE, ids=("i1",), name="One")) == []

    def test_creator_page_or_nothing(self) -> None:
        assert self.urls.for_purge(Purge(CacheType.CREATOR, ids=("c1",), short_url="ann")) == [
            "https://inkverse.co/creators/ann"
        ]
        assert self.urls.for_purge(Purge(CacheType.CREATOR, ids=("c1",))) == []

    def test_profile_page_needs_a_username(self) -> None:
        assert self.urls.for_purge(Purge(CacheType.USER, ids=("1",), short_url="ann")) == [
            "https://inkverse.co/ann"
        ]
        assert self.urls.for_purge(Purge(CacheType.USER, ids=("1",), short_url="")) == []
        assert self.urls.for_purge(Purge(CacheType.PROFILE_COMICSERIES, ids=("1",))) == []

    def test_documentation_purges_its_page(self) -> None:
        assert self.urls.for_purge(Purge(CacheType.DOCUMENTATION, ids=("/support",))) == [
            "https://inkverse.co/support"
        ]
        assert self.urls.for_purge(Purge(CacheType.DOCUMENTATION, ids=("/",))) == ["https://inkverse.co/"]

    def test_homepage_has_its_trailing_slash(self) -> None:
        assert self.urls.for_purge(Purge(CacheType.RECENTLY_UPDATED)) == ["https://inkverse.co/"]
