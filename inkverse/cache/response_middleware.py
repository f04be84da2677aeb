"""The GraphQL response cache at the origin (what Stellate does at the edge), as ASGI middleware.

    ResponseCache(GraphQLEndpoint(schema, ...), container=container, schema=schema)

Query operations are looked up: anonymous ones, and those carrying a bearer token (the app always sends
one) when `verify_bearer` accepts the token and the answer cannot depend on who asks (every root field in
`public_root_fields`, none of `self_only_fields`); such a request shares the anonymous entry. The key is
a hash of (query, variables, operationName); GET and POST share entries. A response is stored
whole when it is a 200 without errors, none of its root fields is null, and it contains at least one
object carrying its key field: each such object tags the entry `Type:key`, and purging that tag
(`CacheInvalidator`) deletes every response containing the object. A null root field is not cached,
since nothing in it could be purged when the object appears later.

Every response carries `X-Cache`: HIT (served from Redis), MISS (executed, then stored), or BYPASS (not
cacheable, or Redis unavailable). `Cache-Control` is the endpoint's (`no-store`), except that HIT and
MISS responses get `public, max-age=N` when `GRAPHQL_CDN_MAX_AGE` is N > 0.
"""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import strawberry
from dishka import AsyncContainer
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    get_operation_ast,
    is_abstract_type,
    parse,
    visit,
)
from starlette.datastructures import Headers, MutableHeaders, QueryParams
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inkverse.asgi import bearer_token, read_body, replaying
from inkverse.cache.keys import CACHE_KEY_FIELD_BY_TYPE
from inkverse.cache.response_store import BYPASS, HIT, MISS, Lookup, ResponseStore
from inkverse.cache.tags import response_tags

# Larger bodies and documents are passed to the endpoint uncached (it enforces the request limits);
# the cache never spends more than a bounded parse on a request.
MAX_BODY_BYTES = 65_536
MAX_TOKENS = 10_000
_PARSED_DOCUMENTS = 256
_UNDECODABLE = object()


BearerCheck = Callable[[str], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class ViewerPolicy:
    """When a request carrying a bearer token may share the anonymous cache entry (coordinates are
    `Type.field`; root fields are names)."""

    verify_bearer: BearerCheck
    public_root_fields: frozenset[str]
    self_only_fields: frozenset[str]


@dataclass(frozen=True, slots=True)
class CacheableRequest:
    key: str
    query: str
    document: DocumentNode
    operation: OperationDefinitionNode
    bearer: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentFields:
    coordinates: frozenset[str]
    """`Type.field` of every field selected."""
    taggable: bool
    """Whether an object of a keyed type (or of an interface or union) may be in the answer."""


@dataclass(slots=True)
class CapturedResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class ResponseCache:
    """ASGI middleware around the GraphQL endpoint; `schema` is the Strawberry (or graphql-core) schema
    the endpoint executes. The store comes from the container's APP scope on the first request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        container: AsyncContainer,
        schema: strawberry.Schema | GraphQLSchema,
        viewers: ViewerPolicy | None = None,
    ) -> None:
        self._app = app
        self._container = container
        self._schema = schema if isinstance(schema, GraphQLSchema) else schema._schema  # noqa: SLF001
        self._store: ResponseStore | None = None
        self._viewers = viewers
        self._fields = lru_cache(maxsize=_PARSED_DOCUMENTS)(self._document_fields)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        store = await self._response_store()
        receive, request = await _cacheable_request(scope, receive) if store.enabled else (receive, None)
        if request is not None and not self._fields(request.query, request.document).taggable:
            request = None  # nothing in the answer could tag (or purge) an entry: no Redis round trip
        if request is not None and request.bearer is not None and not await self._shareable(request):
            request = None
        lookup = await store.lookup(request.key) if request is not None else Lookup(None, None)
        if request is None or lookup.started is None:
            store.count(BYPASS)
            await self._app(scope, receive, _with_x_cache(send, BYPASS))
            return
        if lookup.entry is not None:
            store.count(HIT)
            await _send_entry(scope, receive, send, lookup.entry, store.cache_control)
            return
        response = await _capture(self._app, scope, receive)
        tags = self._tags(request, response)
        if tags:
            await store.save(request.key, _content_type(response), response.body, tags, lookup.started)
        store.count(MISS if tags else BYPASS)
        await _send_captured(send, response, MISS if tags else BYPASS, store.cache_control if tags else None)

    async def _response_store(self) -> ResponseStore:
        if self._store is None:
            self._store = await self._container.get(ResponseStore)
        return self._store

    async def _shareable(self, request: CacheableRequest) -> bool:
        """Whether a token-bearing request may use the anonymous entry: the token is valid (else the
        endpoint answers 401) and no field in the document depends on who asks."""
        if self._viewers is None or request.bearer is None:
            return False
        coordinates = self._fields(request.query, request.document).coordinates
        roots = {name.partition(".")[2] for name in coordinates if name.startswith("Query.")}
        if not roots <= self._viewers.public_root_fields or coordinates & self._viewers.self_only_fields:
            return False
        return await self._viewers.verify_bearer(request.bearer)

    def _document_fields(self, _query: str, document: DocumentNode) -> DocumentFields:
        type_info = TypeInfo(self._schema)
        found: set[str] = set()
        taggable = False

        class Collector(Visitor):
            def enter_field(self, node: FieldNode, *_: object) -> None:
                nonlocal taggable
                parent = type_info.get_parent_type()
                if parent is not None:
                    found.add(f"{parent.name}.{node.name.value}")
                named = get_named_type(type_info.get_type())
                taggable = (
                    taggable
                    or is_abstract_type(named)
                    or (named is not None and named.name in CACHE_KEY_FIELD_BY_TYPE)
                )

        visit(document, TypeInfoVisitor(type_info, Collector()))
        return DocumentFields(frozenset(found), taggable)

    def _tags(self, request: CacheableRequest, response: CapturedResponse) -> set[str]:
        data = _cacheable_data(response)
        return response_tags(self._schema, request.document, request.operation, data) if data else set()


async def _cacheable_request(scope: Scope, receive: Receive) -> tuple[Receive, CacheableRequest | None]:
    """The request, if it may be served from the cache; the body is read and handed on unchanged."""
    headers = Headers(scope=scope)
    bearer = bearer_token(headers)
    if scope["method"] not in ("GET", "POST"):
        return receive, None
    if scope["method"] == "GET":
        if "text/html" in headers.get("accept", ""):
            return receive, None  # a browser: the endpoint answers with GraphiQL outside production
        params = dict(QueryParams(scope["query_string"]))
        return receive, _query_request(params, from_query_string=True, bearer=bearer)
    body, complete = await read_body(receive, MAX_BODY_BYTES)
    replay = replaying(body, complete, receive)
    if not complete or not headers.get("content-type", "").startswith("application/json"):
        return replay, None
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        return replay, None
    request = (
        _query_request(params, from_query_string=False, bearer=bearer) if isinstance(params, dict) else None
    )
    return replay, request


def _query_request(
    params: dict[str, Any], *, from_query_string: bool, bearer: str | None
) -> CacheableRequest | None:
    if from_query_string:
        params = {**params, **_json_values(params, ("variables", "extensions"))}
    query, variables = params.get("query"), params.get("variables")
    operation_name = params.get("operationName")
    if not isinstance(query, str) or not isinstance(variables, dict | None):
        return None
    if not isinstance(operation_name, str | None) or _asks_persisted_query(params.get("extensions")):
        return None
    document = _parsed(query)
    operation = get_operation_ast(document, operation_name) if document is not None else None
    if document is None or operation is None or operation.operation is not OperationType.QUERY:
        return None
    try:
        key = _request_key(query, variables, operation_name)
    except orjson.JSONEncodeError:
        return None  # variables nested too deep to serialize: the endpoint refuses them with a 400
    return CacheableRequest(key, query, document, operation, bearer)


def _asks_persisted_query(extensions: object) -> bool:
    return isinstance(extensions, dict) and extensions.get("persistedQuery") is not None


def _json_values(params: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Query-string parameters that hold JSON, decoded; an undecodable one becomes a non-object."""
    decoded: dict[str, Any] = {}
    for name in names:
        if isinstance(params.get(name), str):
            try:
                decoded[name] = orjson.loads(params[name])
            except orjson.JSONDecodeError:
                decoded[name] = _UNDECODABLE
    return decoded


@lru_cache(maxsize=_PARSED_DOCUMENTS)
def _parsed(query: str) -> DocumentNode | None:
    try:
        return parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None


def _request_key(query: str, variables: dict[str, Any] | None, operation_name: str | None) -> str:
    canonical = orjson.dumps([query, variables or {}, operation_name], option=orjson.OPT_SORT_KEYS)
    return "response:" + hashlib.sha256(canonical).hexdigest()


def _cacheable_data(response: CapturedResponse) -> dict[str, Any] | None:
    """The `data` of a response that may be stored, else None."""
    if response.status != 200:  # noqa: PLR2004
        return None
    try:
        payload = orjson.loads(response.body)
    except orjson.JSONDecodeError:
        return None
    data = payload.get("data") if isinstance(payload, dict) and not payload.get("errors") else None
    if not isinstance(data, dict) or not data or any(value is None for value in data.values()):
        return None
    return data


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> CapturedResponse:
    response = CapturedResponse(status=500, headers=[], body=b"")
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            response.status = message["status"]
            response.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    response.body = b"".join(chunks)
    return response


def _content_type(response: CapturedResponse) -> bytes:
    return Headers(raw=response.headers).get("content-type", "application/json").encode("latin-1")


async def _send_captured(
    send: Send, response: CapturedResponse, x_cache: str, cache_control: str | None
) -> None:
    headers = MutableHeaders(raw=list(response.headers))
    headers["X-Cache"] = x_cache
    if cache_control is not None:
        headers["Cache-Control"] = cache_control
    await send({"type": "http.response.start", "status": response.status, "headers": headers.raw})
    await send({"type": "http.response.body", "body": response.body})


async def _send_entry(
    scope: Scope, receive: Receive, send: Send, entry: tuple[bytes, bytes], cache_control: str | None
) -> None:
    content_type, body = entry
    headers = {
        "Content-Type": content_type.decode("latin-1"),
        "Cache-Control": cache_control or "no-store",
        "X-Cache": HIT,
    }
    await Response(body, headers=headers)(scope, receive, send)


def _with_x_cache(send: Send, x_cache: str) -> Send:
    async def send_with_header(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message)["X-Cache"] = x_cache
        await send(message)

    return send_with_header
