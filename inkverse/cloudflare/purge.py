"""Cloudflare zone purging: the website pages (and sitemap files) a purge makes stale.

POST `{CLOUDFLARE_API_URL}/zones/{zone}/purge_cache` with `{"files": [...]}` in batches of
`CLOUDFLARE_PURGE_BATCH_SIZE` URLs, or `{"purge_everything": true}` for `everything`. Page URLs follow
the website's routes (integrations.md §4.3) with the original's URL bugs fixed: an input that is
missing means no URL (never `https://inkverse.coundefined`), issue slugs use the issue's name, the
homepage is `…/`, and a documentation purge names its page instead of emptying the zone.
"""

from collections.abc import Callable, Sequence

import aiohttp
import structlog

from inkverse.cache.cdn import post_json
from inkverse.cache.purge import CacheType, CdnPurger, LoggingCdnPurger, Purge, PurgeFailedError
from inkverse.messaging.links import issue_url, profile_url
from inkverse.settings import CloudflareSettings

log = structlog.get_logger(__name__)

SITEMAP_BUCKET = "ink0"


class PageUrls:
    """The URLs of the pages (and files) each purge type makes stale."""

    def __init__(self, website_url: str, files_url: str | None) -> None:
        self._site = website_url.rstrip("/")
        self._files = files_url.rstrip("/") if files_url else None
        self._builders: dict[CacheType, Callable[[Purge], list[str]]] = {
            CacheType.DOCUMENTATION: self._documentation,
            CacheType.COMICSERIES: self._series,
            CacheType.COMICISSUE_FOR_SERIES: self._series,
            CacheType.COMICISSUE: self._issue,
            CacheType.CREATOR: self._creator,
            CacheType.RECENTLY_ADDED: self._homepage,
            CacheType.RECENTLY_UPDATED: self._homepage,
            CacheType.PROFILE_COMICSERIES: self._profile,
            CacheType.USER: self._profile,
            CacheType.SITEMAP: self._sitemap,
        }

    def has_pages(self, cache_type: CacheType) -> bool:
        return cache_type in self._builders

    def for_purge(self, purge: Purge) -> list[str]:
        builder = self._builders.get(purge.cache_type)
        return builder(purge) if builder is not None else []

    def _documentation(self, purge: Purge) -> list[str]:
        return [f"{self._site}{page}" for page in purge.ids if page.startswith("/")]

    def _series(self, purge: Purge) -> list[str]:
        return [f"{self._site}/comics/{purge.short_url}"] if purge.short_url else []

    def _issue(self, purge: Purge) -> list[str]:
        if not (purge.short_url and purge.name and len(purge.ids) == 1):
            return []
        return [issue_url(self._site, purge.short_url, purge.name, purge.ids[0])]

    def _creator(self, purge: Purge) -> list[str]:
        return [f"{self._site}/creators/{purge.short_url}"] if purge.short_url else []

    def _homepage(self, _: Purge) -> list[str]:
        return [f"{self._site}/"]

    def _profile(self, purge: Purge) -> list[str]:
        return [profile_url(self._site, purge.short_url)] if purge.short_url else []

    def _sitemap(self, purge: Purge) -> list[str]:
        return [f"{self._files}/sitemap/{name}" for name in purge.ids if name] if self._files else []


class CloudflarePurger:
    name = "cloudflare"

    def __init__(
        self,
        http: aiohttp.ClientSession,
        settings: CloudflareSettings,
        website_url: str,
        *,
        attempts: int = 3,
        wait_seconds: float = 0.5,
    ) -> None:
        if settings.api_token is None or settings.zone_id is None:
            raise ValueError("Cloudflare purging needs CLOUDFLARE_API_TOKEN and CLOUDFLARE_ZONE_ID")
        self._http = http
        self._endpoint = f"{settings.api_url.rstrip('/')}/zones/{settings.zone_id}/purge_cache"
        self._headers = {"Authorization": f"Bearer {settings.api_token.get_secret_value()}"}
        self._batch_size = settings.purge_batch_size
        self._urls = PageUrls(website_url, settings.r2_public_urls.get(SITEMAP_BUCKET))
        self._attempts = attempts
        self._wait_seconds = wait_seconds

    async def send(self, purges: Sequence[Purge]) -> None:
        if any(purge.cache_type is CacheType.EVERYTHING for purge in purges):
            await self._purge({"purge_everything": True})
            return
        urls = list(dict.fromkeys(url for purge in purges for url in self._page_urls(purge)))
        failures = []
        for start in range(0, len(urls), self._batch_size):
            try:
                await self._purge({"files": urls[start : start + self._batch_size]})
            except PurgeFailedError as exc:
                failures.append(str(exc))
        if failures:
            raise PurgeFailedError("; ".join(failures))

    def _page_urls(self, purge: Purge) -> list[str]:
        urls = self._urls.for_purge(purge)
        if not urls and self._urls.has_pages(purge.cache_type):
            log.info("cache.cloudflare_no_url", cache_type=purge.cache_type.value, ids=purge.ids)
        return urls

    async def _purge(self, payload: dict[str, object]) -> None:
        answer = await post_json(
            self._http,
            self._endpoint,
            service=self.name,
            headers=self._headers,
            payload=payload,
            attempts=self._attempts,
            wait_seconds=self._wait_seconds,
        )
        if not (isinstance(answer, dict) and answer.get("success") is True):
            raise PurgeFailedError(f"cloudflare refused the purge: {answer!r:.300}")


def make_cloudflare_purger(
    http: aiohttp.ClientSession, settings: CloudflareSettings, website_url: str
) -> CdnPurger:
    """The zone purger, or a logging stand-in when the token or the zone is not configured."""
    if settings.api_token is None or settings.zone_id is None:
        return LoggingCdnPurger(CloudflarePurger.name)
    return CloudflarePurger(http, settings, website_url)
