"""CORS as the original answered it (graphql.md §1.2): methods GET, HEAD, POST, OPTIONS, credentials
allowed, request headers reflected, preflight 204 cached for an hour.

`/api/graphql` allows any origin (the literal `*`); the site's own routes (`/api/auth/*`,
`/api/claim-creator/*`) allow only the website, whatever the request's `Origin`, so a browser sends the
refresh-token cookie to them from the website alone.
"""

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOW_METHODS = "GET,HEAD,POST,OPTIONS"
MAX_AGE = "3600"
SITE_PATH_PREFIXES = ("/api/auth/", "/api/claim-creator/")


class Cors:
    """Answers preflights itself and adds the allow headers to every response of `app`."""

    def __init__(self, app: ASGIApp, allow_origin: str = "*") -> None:
        self._app = app
        self._allow = {
            "Access-Control-Allow-Origin": allow_origin,
            "Access-Control-Allow-Credentials": "true",
        }
        # A fixed origin other than `*` is one answer among several a cache may keep: say it varies.
        self._vary = "" if allow_origin == "*" else "Origin"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await self._preflight(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(self._allow)
                if self._vary:
                    headers.add_vary_header(self._vary)
            await send(message)

        await self._app(scope, receive, send_with_cors)

    async def _preflight(self, scope: Scope, receive: Receive, send: Send) -> None:
        requested = Headers(scope=scope).get("access-control-request-headers")
        headers = {
            **self._allow,
            "Access-Control-Allow-Methods": ALLOW_METHODS,
            "Access-Control-Max-Age": MAX_AGE,
            "Vary": ", ".join(filter(None, (self._vary, "Access-Control-Request-Headers"))),
        }
        if requested:
            headers["Access-Control-Allow-Headers"] = requested
        await Response(status_code=204, headers=headers)(scope, receive, send)


class SiteCors:
    """`Cors` with the website as the only origin, for the site's own routes; other paths pass through."""

    def __init__(self, app: ASGIApp, website_url: str) -> None:
        self._app = app
        self._cors = Cors(app, allow_origin=website_url.rstrip("/"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(SITE_PATH_PREFIXES):
            await self._cors(scope, receive, send)
            return
        await self._app(scope, receive, send)
