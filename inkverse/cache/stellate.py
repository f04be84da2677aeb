"""Stellate purging: its generated mutations, `purge<Type>(<keyField>: [ID!])`, or `_purgeAll`.

POST `STELLATE_PURGE_URL` with header `stellate-token`, one mutation per GraphQL type and chunk of at
most `STELLATE_PURGE_BATCH_SIZE` keys, in the original's form:

    mutation ComicSeriesPurge($uuid: [ID!]) { purgeComicSeries(uuid: $uuid) }   variables {"uuid": [...]}

An answer with `errors` is a refusal (not retried); 429, 5xx and network failures are retried.
"""

from collections.abc import Sequence

import aiohttp

from inkverse.cache.cdn import post_json
from inkverse.cache.keys import CACHE_KEY_FIELD_BY_TYPE
from inkverse.cache.purge import (
    CacheType,
    CdnPurger,
    LoggingCdnPurger,
    Purge,
    PurgeFailedError,
    purged_objects,
)
from inkverse.settings import StellateSettings

PURGE_ALL = "mutation { _purgeAll }"


def purge_mutation(type_name: str) -> str:
    key_field = CACHE_KEY_FIELD_BY_TYPE[type_name]
    return f"mutation {type_name}Purge(${key_field}: [ID!]) {{ purge{type_name}({key_field}: ${key_field}) }}"


def keys_by_type(purges: Sequence[Purge]) -> dict[str, list[str]]:
    """Every object to purge, merged per GraphQL type (keys deduplicated, first-seen order)."""
    merged: dict[str, dict[str, None]] = {}
    for purge in purges:
        for objects in purged_objects(purge):
            merged.setdefault(objects.type_name, {}).update(dict.fromkeys(key for key in objects.keys if key))
    return {type_name: list(keys) for type_name, keys in merged.items() if keys}


class StellatePurger:
    name = "stellate"

    def __init__(
        self,
        http: aiohttp.ClientSession,
        settings: StellateSettings,
        *,
        attempts: int = 3,
        wait_seconds: float = 0.5,
    ) -> None:
        if settings.api_token is None:
            raise ValueError("Stellate purging needs STELLATE_API_TOKEN")
        self._http = http
        self._url = settings.purge_url
        self._headers = {"stellate-token": settings.api_token.get_secret_value()}
        self._batch_size = settings.purge_batch_size
        self._attempts = attempts
        self._wait_seconds = wait_seconds

    async def send(self, purges: Sequence[Purge]) -> None:
        if any(purge.cache_type is CacheType.EVERYTHING for purge in purges):
            await self._mutate({"query": PURGE_ALL})
            return
        failures = []
        for type_name, keys in keys_by_type(purges).items():
            key_field = CACHE_KEY_FIELD_BY_TYPE[type_name]
            for start in range(0, len(keys), self._batch_size):
                variables = {key_field: keys[start : start + self._batch_size]}
                try:
                    await self._mutate({"query": purge_mutation(type_name), "variables": variables})
                except PurgeFailedError as exc:
                    failures.append(str(exc))
        if failures:
            raise PurgeFailedError("; ".join(failures))

    async def _mutate(self, payload: dict[str, object]) -> None:
        answer = await post_json(
            self._http,
            self._url,
            service=self.name,
            headers=self._headers,
            payload=payload,
            attempts=self._attempts,
            wait_seconds=self._wait_seconds,
        )
        if not isinstance(answer, dict) or answer.get("errors") or answer.get("data") is None:
            raise PurgeFailedError(f"stellate refused the purge: {answer!r:.300}")


def make_stellate_purger(http: aiohttp.ClientSession, settings: StellateSettings) -> CdnPurger:
    """The Stellate purger, or a logging stand-in when no token is configured."""
    if settings.api_token is None:
        return LoggingCdnPurger(StellatePurger.name)
    return StellatePurger(http, settings)
