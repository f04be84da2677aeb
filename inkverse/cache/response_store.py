"""The Redis side of the GraphQL response cache; the ASGI middleware is `inkverse.cache.response_middleware`.

An entry is `<content type>\n<body>` under `response:<hash>`, indexed under `tag:<Type>:<key>` for each
object the response contains; purging that target (`CacheInvalidator`) deletes it.
"""

import contextlib
from dataclasses import dataclass

from inkverse.cache.keys import object_tag
from inkverse.cache.store import CacheStore, CacheUnavailableError, CacheWrite
from inkverse.metrics import Metrics
from inkverse.settings import CacheSettings, GraphQLSettings

LAYER = "response"
HIT, MISS, BYPASS = "HIT", "MISS", "BYPASS"


def response_tag_target(tag: str) -> str:
    """The purge target of a response tag (`ComicSeries:<uuid>` → `tag:ComicSeries:<uuid>`)."""
    return f"tag:{tag}"


def object_target(type_name: str, key: str) -> str:
    return response_tag_target(object_tag(type_name, key))


@dataclass(frozen=True, slots=True)
class Lookup:
    """A stored response (content type and body), and the Redis time of the lookup; `started` is None
    when Redis could not be asked."""

    entry: tuple[bytes, bytes] | None
    started: int | None


class ResponseStore:
    """The Redis side of the response cache."""

    def __init__(
        self, store: CacheStore, cache: CacheSettings, graphql: GraphQLSettings, metrics: Metrics
    ) -> None:
        self._store = store
        self._cache = cache
        self._metrics = metrics
        self.enabled = cache.enabled
        self.cache_control = f"public, max-age={graphql.cdn_max_age}" if graphql.cdn_max_age > 0 else None

    async def lookup(self, key: str) -> Lookup:
        try:
            snapshot = await self._store.read(LAYER, [key])
        except CacheUnavailableError:
            return Lookup(entry=None, started=None)
        raw = snapshot.values[0]
        if raw is None or b"\n" not in raw:
            return Lookup(entry=None, started=snapshot.started)
        content_type, body = raw.split(b"\n", 1)
        return Lookup(entry=(content_type, body), started=snapshot.started)

    async def save(self, key: str, content_type: bytes, body: bytes, tags: set[str], started: int) -> None:
        targets = tuple(response_tag_target(tag) for tag in sorted(tags))
        write = CacheWrite(
            name=key,
            value=content_type + b"\n" + body,
            ttl_seconds=self._cache.response_ttl_seconds,
            targets=targets,
            indexed_under=targets,
        )
        # A failed write is logged and counted by the store; the response is sent all the same.
        with contextlib.suppress(CacheUnavailableError):
            await self._store.write(LAYER, [write], started)

    def count(self, result: str) -> None:
        self._metrics.cache_lookups.labels(LAYER, "graphql", result.lower()).inc()
