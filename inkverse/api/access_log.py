"""The access log: one structured `http.request` line per HTTP request (`LOG_ACCESS`, on by default).

Fields: method, path (without the query string, which may carry GraphQL variables), status,
duration_ms, operation (the GraphQL operation name, when the request names one or the document's
first operation has one), cache (the response cache's `X-Cache`) and request_id. Headers, cookies,
tokens and variable values are never logged. The body is only looked at as it passes through, up to
MAX_INSPECTED_BYTES, and only on the GraphQL paths.
"""

import re
import time
from typing import Any

import orjson
import structlog
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inkverse.api.graphql_first import is_graphql_path

log = structlog.get_logger("inkverse.access")

MAX_INSPECTED_BYTES = 65_536
_OPERATION_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")
_FIRST_OPERATION = re.compile(
    r"^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,99})", re.MULTILINE
)


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        inspect_body = is_graphql_path(scope["path"]) and scope["method"] == "POST"
        body = bytearray()
        response: dict[str, Any] = {"status": 500, "cache": None}

        async def observing_receive() -> Message:
            message = await receive()
            if inspect_body and message["type"] == "http.request" and len(body) < MAX_INSPECTED_BYTES:
                body.extend(message.get("body", b""))
            return message

        async def observing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                response["cache"] = Headers(raw=message.get("headers", [])).get("x-cache")
            await send(message)

        try:
            await self._app(scope, observing_receive if inspect_body else receive, observing_send)
        finally:
            log.info(
                "http.request",
                method=scope["method"],
                path=scope["path"],
                status=response["status"],
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                operation=_operation_name(scope, bytes(body)) if is_graphql_path(scope["path"]) else None,
                cache=response["cache"],
                request_id=structlog.contextvars.get_contextvars().get("request_id"),
            )


def _operation_name(scope: Scope, body: bytes) -> str | None:
    params: Any = dict(QueryParams(scope["query_string"])) if scope["method"] == "GET" else _json(body)
    if not isinstance(params, dict):
        return None
    name = params.get("operationName")
    if isinstance(name, str) and _OPERATION_NAME.match(name):
        return name
    query = params.get("query")
    match = _FIRST_OPERATION.search(query) if isinstance(query, str) else None
    return match.group(1) if match else None


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
