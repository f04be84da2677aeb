"""CORS for `/api/graphql` as the original answered it: any origin (literal `*`), credentials allowed,
methods GET, HEAD, POST, OPTIONS, request headers reflected, preflight 204 cached for an hour."""

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOW_METHODS = "GET,HEAD,POST,OPTIONS"
MAX_AGE = "3600"


class GraphQLCors:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            requested = Headers(scope=scope).get("access-control-request-headers")
            headers = {
                "Access-Control-Allow-Origin": "*",
                "Access-Control-Allow-Credentials": "true",
                "Access-Control-Allow-Methods": ALLOW_METHODS,
                "Access-Control-Max-Age": MAX_AGE,
                "Vary": "Access-Control-Request-Headers",
            }
            if requested:
                headers["Access-Control-Allow-Headers"] = requested
            await Response(status_code=204, headers=headers)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Access-Control-Allow-Origin"] = "*"
                headers["Access-Control-Allow-Credentials"] = "true"
            await send(message)

        await self._app(scope, receive, send_with_cors)
