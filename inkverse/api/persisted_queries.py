"""Automatic persisted queries (Apollo's protocol) for `/api/graphql`, as ASGI middleware.

A client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": H}`, first without the query:
if this process knows H, the request goes on with the document filled in; if not, the answer is
`PersistedQueryNotFound` and the client sends the query with its hash once, which registers it
(a hash that is not the query's SHA-256 is refused). With a GET the whole request fits in a URL, so a
CDN can cache it. Downstream (response cache, endpoint) sees an ordinary request: the document in
`query`, without the `persistedQuery` extension.

The documents are shared by every API process through Redis (`inkverse:apq:<hash>`, kept a day), so a
hash registered with one replica is known to all; each process keeps the ones it used last in a bounded
LRU in front. With Redis down a process knows only its own: another answers `PersistedQueryNotFound`,
and the client registers the query there again.
"""

import contextlib
import hashlib
from collections import OrderedDict
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import orjson
from dishka import AsyncContainer
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from inkverse.api.http import RequestError, error_body, json_response
from inkverse.asgi import read_body, replaying
from inkverse.cache.redis import RedisClient
from inkverse.cache.response_middleware import MAX_BODY_BYTES
from inkverse.cache.store import CacheUnavailableError, FailOpenGuard
from inkverse.graphql.errors import BAD_REQUEST
from inkverse.metrics import Metrics
from inkverse.settings import CacheSettings

PERSISTED_QUERY_VERSION = 1
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
_MARKER = b"persistedQuery"
_KEY_PREFIX = "inkverse:apq:"
_LAYER = "apq"


class PersistedDocuments:
    """The documents registered by hash: in Redis for every process, the `capacity` used last also here
    (a hash names one document, so a local copy is never stale)."""

    def __init__(
        self, redis: RedisClient, guard: FailOpenGuard, *, capacity: int = 1000, ttl_seconds: int = 86_400
    ) -> None:
        self._redis = redis
        self._guard = guard
        self._capacity = capacity
        self._ttl_seconds = ttl_seconds
        self._documents: OrderedDict[str, str] = OrderedDict()

    @classmethod
    def from_settings(
        cls, redis: RedisClient, cache: CacheSettings, metrics: Metrics
    ) -> "PersistedDocuments":
        """Redis calls bounded and cooled down as the caches' are (`CACHE_OPERATION_TIMEOUT_SECONDS`, ...)."""
        guard = FailOpenGuard(metrics, cache.operation_timeout_seconds, cache.failure_cooldown_seconds)
        return cls(redis, guard)

    async def get(self, sha256_hash: str) -> str | None:
        document = self._documents.get(sha256_hash)
        if document is not None:
            self._documents.move_to_end(sha256_hash)
            return document
        try:
            shared = await self._guard.call(
                _LAYER, "read", lambda: self._redis.get(_KEY_PREFIX + sha256_hash)
            )
        except CacheUnavailableError:
            return None
        if shared is None:
            return None
        document = shared.decode() if isinstance(shared, bytes) else str(shared)
        self._remember(sha256_hash, document)
        return document

    async def register(self, sha256_hash: str, document: str) -> None:
        self._remember(sha256_hash, document)
        with contextlib.suppress(CacheUnavailableError):
            await self._guard.call(
                _LAYER,
                "write",
                lambda: self._redis.set(_KEY_PREFIX + sha256_hash, document, ex=self._ttl_seconds),
            )

    def _remember(self, sha256_hash: str, document: str) -> None:
        self._documents[sha256_hash] = document
        self._documents.move_to_end(sha256_hash)
        while len(self._documents) > self._capacity:
            self._documents.popitem(last=False)


class PersistedQueries:
    """The documents come from the container's APP scope on the first request."""

    def __init__(self, app: ASGIApp, *, container: AsyncContainer) -> None:
        self._app = app
        self._container = container
        self._documents: PersistedDocuments | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        try:
            if scope["method"] == "GET" and _MARKER in scope["query_string"]:
                scope = await self._resolved_get(scope)
            elif scope["method"] == "POST":
                scope, receive = await self._resolved_post(scope, receive)
        except RequestError as failure:
            response = json_response(error_body(str(failure), failure.code), failure.status)
            await response(scope, receive, send)
            return
        await self._app(scope, receive, send)

    async def _resolved_get(self, scope: Scope) -> Scope:
        params: dict[str, Any] = dict(QueryParams(scope["query_string"]))
        try:
            extensions = orjson.loads(params.get("extensions", "null"))
        except orjson.JSONDecodeError:
            return scope  # the endpoint refuses it
        if not _asks_persisted_query(extensions):
            return scope
        params["query"] = await self._document(extensions, params.get("query"))
        _drop_persisted_query(extensions)
        if extensions:
            params["extensions"] = orjson.dumps(extensions).decode()
        else:
            params.pop("extensions", None)
        return {**scope, "query_string": urlencode(params).encode()}

    async def _resolved_post(self, scope: Scope, receive: Receive) -> tuple[Scope, Receive]:
        # Bodies over the response cache's limit go on untouched (the endpoint enforces the limits).
        body, complete = await read_body(receive, MAX_BODY_BYTES)
        replay = replaying(body, complete, receive)
        if not complete or _MARKER not in body:
            return scope, replay
        try:
            params = orjson.loads(body)
        except orjson.JSONDecodeError:
            return scope, replay
        if not isinstance(params, dict) or not _asks_persisted_query(params.get("extensions")):
            return scope, replay
        extensions = params["extensions"]
        params["query"] = await self._document(extensions, params.get("query"))
        _drop_persisted_query(extensions)
        if not extensions:
            del params["extensions"]
        rewritten = orjson.dumps(params)
        headers = [(name, value) for name, value in scope["headers"] if name != b"content-length"]
        headers.append((b"content-length", str(len(rewritten)).encode()))
        return {**scope, "headers": headers}, replaying(rewritten, True, receive)

    async def _document(self, extensions: dict[str, Any], query: object) -> str:
        """The document the request runs: registered now if it came with the query, else looked up."""
        persisted = extensions["persistedQuery"]
        if not isinstance(persisted, dict) or persisted.get("version") != PERSISTED_QUERY_VERSION:
            raise RequestError(HTTPStatus.BAD_REQUEST, "Unsupported persisted query version", BAD_REQUEST)
        sha256_hash = persisted.get("sha256Hash")
        if not isinstance(sha256_hash, str) or not sha256_hash:
            raise RequestError(HTTPStatus.BAD_REQUEST, "persistedQuery.sha256Hash is missing", BAD_REQUEST)
        if isinstance(query, str) and query:
            if hashlib.sha256(query.encode()).hexdigest() != sha256_hash.lower():
                raise RequestError(HTTPStatus.BAD_REQUEST, "provided sha does not match query", BAD_REQUEST)
            await (await self._store()).register(sha256_hash.lower(), query)
            return query
        document = await (await self._store()).get(sha256_hash.lower())
        if document is None:
            raise RequestError(HTTPStatus.OK, "PersistedQueryNotFound", NOT_FOUND)
        return document

    async def _store(self) -> PersistedDocuments:
        if self._documents is None:
            self._documents = await self._container.get(PersistedDocuments)
        return self._documents


def _asks_persisted_query(extensions: object) -> bool:
    return isinstance(extensions, dict) and extensions.get("persistedQuery") is not None


def _drop_persisted_query(extensions: dict[str, Any]) -> None:
    del extensions["persistedQuery"]
