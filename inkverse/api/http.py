"""GraphQL over HTTP with the original server's contract (graphql.md §1.1, §1.6).

Strawberry executes; this endpoint owns the HTTP side so that status codes and bodies are the ones
existing clients see from the original: validation and syntax errors are HTTP 400 with
`INVALID_QUERY_OR_SYNTAX`, variable errors 400 `BAD_USER_INPUT`, a bad body or missing query 400
`BAD_REQUEST`, a mutation over GET 405; every error is exactly `{"message", "code"}`; `errors` comes
before `data`; responses carry `Cache-Control: no-store`.
"""

import json
import re
from http import HTTPStatus
from typing import Any

import orjson
import structlog
from dishka import AsyncContainer
from graphql import GraphQLError, Lexer, Source, TokenKind
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry import Schema
from strawberry.exceptions import MissingQueryError
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from inkverse.api.bearer import signed_in_user
from inkverse.api.bodies import (
    BodyTooLargeError,
    UnreadableJsonError,
    check_json_depth,
    json_text,
    read_body,
)
from inkverse.cache.aside import CacheAside
from inkverse.database.reads import RequestReads
from inkverse.graphql.context import Context
from inkverse.graphql.errors import (
    BAD_REQUEST,
    BAD_USER_INPUT,
    INVALID_QUERY,
    OPERATION_RESOLUTION_FAILURE,
    REQUIRES_AUTH,
    SERVER_ERROR,
    error_code,
    format_error,
    is_expected,
)
from inkverse.graphql.loaders import Loaders
from inkverse.settings import GraphQLSettings
from inkverse.users.tokens import InvalidTokenError

log = structlog.get_logger(__name__)

_VARIABLE_COERCION = re.compile(r"^Variable '\$")
_OPERATION_RESOLUTION = re.compile(r"^(Unknown operation named|Must provide operation name)")


class RequestError(Exception):
    def __init__(
        self, status: HTTPStatus, message: str, code: str = BAD_REQUEST, allow: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.allow = allow


def json_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json_bytes(body),
        status_code=status,
        media_type="application/json; charset=utf-8",
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def json_bytes(body: dict[str, Any]) -> bytes:
    """Compact JSON, UTF-8 kept, and a newline: orjson (several times faster on large answers), the
    standard encoder for what orjson refuses (integers beyond 64 bits, lone surrogates)."""
    try:
        return orjson.dumps(body) + b"\n"
    except orjson.JSONEncodeError:
        return (json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "code": code}]}


class GraphQLEndpoint:
    """An ASGI app for `/api/graphql`."""

    def __init__(self, schema: Schema, *, production: bool, limits: GraphQLSettings | None = None) -> None:
        self._schema = schema
        self._production = production
        self._limits = limits or GraphQLSettings()
        self._graphiql = None if production else _graphiql_page()
        self._shared: tuple[async_sessionmaker[AsyncSession], CacheAside] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.handle(request)
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        if request.method == "GET" and self._graphiql and "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(self._graphiql)
        try:
            params = await self._params(request)
            result = await self._execute(request, params)
        except RequestError as failure:
            headers = {"Allow": failure.allow} if failure.allow else None
            return json_response(error_body(str(failure), failure.code), failure.status, headers)
        return self._response(result)

    async def _params(self, request: Request) -> dict[str, Any]:
        if request.method == "GET":
            return self._get_params(request)
        if request.method != "POST":
            raise RequestError(HTTPStatus.METHOD_NOT_ALLOWED, "GraphQL only supports GET and POST requests.",
                               allow="GET, POST")  # fmt: skip
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise RequestError(
                HTTPStatus.BAD_REQUEST, "POST body missing, invalid Content-Type, or JSON object has no keys."
            )
        try:
            body = await read_body(request, self._limits.max_body_bytes)
        except BodyTooLargeError:
            raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request body too large.") from None
        try:
            params = json.loads(json_text(body))
        except UnreadableJsonError as exc:
            raise RequestError(HTTPStatus.BAD_REQUEST, str(exc)) from None
        except json.JSONDecodeError as exc:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"Malformed JSON body: {exc}") from None
        if isinstance(params, list):
            raise RequestError(HTTPStatus.BAD_REQUEST, "Operation batching disabled.")
        if not isinstance(params, dict) or not params:
            raise RequestError(
                HTTPStatus.BAD_REQUEST, "POST body missing, invalid Content-Type, or JSON object has no keys."
            )
        return params

    def _get_params(self, request: Request) -> dict[str, Any]:
        if len(request.scope["query_string"]) > self._limits.max_body_bytes:
            raise RequestError(HTTPStatus.REQUEST_URI_TOO_LONG, "Query string too long.")
        params: dict[str, Any] = dict(request.query_params)
        for key in ("variables", "extensions"):
            if key in params:
                try:
                    check_json_depth(params[key])
                    params[key] = json.loads(params[key])
                except UnreadableJsonError as exc:
                    raise RequestError(HTTPStatus.BAD_REQUEST, str(exc)) from None
                except json.JSONDecodeError:
                    raise RequestError(
                        HTTPStatus.BAD_REQUEST, f"`{key}` in the query string is not JSON."
                    ) from None
        return params

    async def _execute(self, request: Request, params: dict[str, Any]) -> ExecutionResult:
        query = params.get("query")
        if not isinstance(query, str) or not query.strip():
            raise RequestError(HTTPStatus.BAD_REQUEST, "GraphQL operations must contain a non-empty `query`.")
        variables = params.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise RequestError(HTTPStatus.BAD_REQUEST, "`variables` must be a JSON object.")
        operation_name = params.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestError(HTTPStatus.BAD_REQUEST, "`operationName` must be a string.")
        _refuse_nul_characters(query, variables)
        if (params.get("extensions") or {}).get("persistedQuery") is not None:
            raise RequestError(
                HTTPStatus.OK, "PersistedQueryNotSupported", code="PERSISTED_QUERY_NOT_SUPPORTED"
            )
        allowed = (
            {OperationType.QUERY}
            if request.method == "GET"
            else {OperationType.QUERY, OperationType.MUTATION}
        )
        context = await self._context(request)
        try:
            return await self._schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=allowed,
            )
        except InvalidOperationTypeError:
            message = "Can only perform a mutation operation from a POST request."
            raise RequestError(HTTPStatus.METHOD_NOT_ALLOWED, message, allow="POST") from None
        except CannotGetOperationTypeError as exc:
            raise RequestError(
                HTTPStatus.BAD_REQUEST, exc.as_http_error_reason(), OPERATION_RESOLUTION_FAILURE
            ) from None
        except MissingQueryError:
            raise RequestError(
                HTTPStatus.BAD_REQUEST, "GraphQL operations must contain a non-empty `query`."
            ) from None

    async def _context(self, request: Request) -> Context:
        container: AsyncContainer = request.state.dishka_container
        if self._shared is None:  # APP scope: the same for every request
            self._shared = (
                await container.get(async_sessionmaker[AsyncSession]),
                await container.get(CacheAside),
            )
        sessionmaker, cache = self._shared
        reads = await container.get(RequestReads)
        loaders = Loaders(reads, cache)
        try:
            user = await signed_in_user(request, container)
        except InvalidTokenError:
            raise RequestError(HTTPStatus.UNAUTHORIZED, "Invalid or expired token", REQUIRES_AUTH) from None
        if user is not None:
            reads.use_primary()  # a signed-in reader sees their own writes at once: no replica lag
        return Context(
            container=container, request=request, sessionmaker=sessionmaker, loaders=loaders, user=user,
            reads=reads,
        )  # fmt: skip

    def _response(self, result: ExecutionResult) -> Response:
        if isinstance(result, PreExecutionError) or (result.data is None and result.errors):
            request_level = self._request_level_failure(result)
            if request_level is not None:
                status, code = request_level
                errors = [{"message": error.message, "code": code} for error in result.errors or []]
                return json_response({"errors": errors}, status)
        body: dict[str, Any] = {}
        if result.errors:
            self._log_server_errors(result.errors)
            body["errors"] = [format_error(error, production=self._production) for error in result.errors]
        body["data"] = result.data
        return json_response(body)

    @staticmethod
    def _request_level_failure(result: ExecutionResult) -> tuple[HTTPStatus, str] | None:
        errors = result.errors or []
        if isinstance(result, PreExecutionError):
            return HTTPStatus.BAD_REQUEST, INVALID_QUERY
        if errors and all(_VARIABLE_COERCION.match(error.message) for error in errors):
            return HTTPStatus.BAD_REQUEST, BAD_USER_INPUT
        if errors and all(_OPERATION_RESOLUTION.match(error.message) for error in errors):
            return HTTPStatus.BAD_REQUEST, OPERATION_RESOLUTION_FAILURE
        return None

    @staticmethod
    def _log_server_errors(errors: list[GraphQLError]) -> None:
        for error in errors:
            if is_expected(error):
                log.warning("graphql.resolver_refused", path=error.path, error=error.message)
            elif error_code(error) == SERVER_ERROR:
                log.error("graphql.resolver_failed", path=error.path, exc_info=error.original_error)


def _refuse_nul_characters(query: str, variables: dict[str, Any] | None) -> None:
    """PostgreSQL cannot hold U+0000, so no stored value contains it: refuse it in any input string
    before a resolver sends it to the database (which would fail with a server error)."""
    for name, value in (variables or {}).items():
        if _holds_nul(value):
            raise RequestError(
                HTTPStatus.BAD_REQUEST, f"Variable '${name}' must not contain U+0000 (NUL).", BAD_USER_INPUT
            )
    if _string_literal_holds_nul(query):
        raise RequestError(
            HTTPStatus.BAD_REQUEST, "String values must not contain U+0000 (NUL).", BAD_USER_INPUT
        )


def _holds_nul(value: object) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _string_literal_holds_nul(query: str) -> bool:
    """A GraphQL string can only carry U+0000 as a `\\u` escape, so most documents are not lexed."""
    if "\\u" not in query:
        return False
    lexer = Lexer(Source(query))
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            if token.kind is TokenKind.STRING and "\x00" in (token.value or ""):
                return True
            token = lexer.advance()
    except GraphQLError:
        return False  # a syntax error: Strawberry reports it
    return False


# Strawberry's GraphiQL loads React and GraphiQL from unpkg.com (no maintained package ships them
# for Starlette), so a browser offline would show "Loading..." forever: say what is missing instead.
_GRAPHIQL_PLACEHOLDER = '<div id="graphiql" class="graphiql-container">Loading...</div>'
_GRAPHIQL_OFFLINE_NOTE = """<div id="graphiql" class="graphiql-container">
      Loading GraphiQL from unpkg.com...
    </div>
    <script>
      window.addEventListener("load", function () {
        if (typeof GraphiQL === "undefined") {
          document.getElementById("graphiql").textContent =
            "GraphiQL could not load: its scripts come from the unpkg.com CDN, which this browser " +
            "cannot reach. The API works without it: POST /api/graphql with a JSON body " +
            '{"query": "..."}, e.g. with curl.';
        }
      });
    </script>"""


def _graphiql_page() -> str:
    return get_graphql_ide_html("graphiql").replace(_GRAPHIQL_PLACEHOLDER, _GRAPHIQL_OFFLINE_NOTE)
