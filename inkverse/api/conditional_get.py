"""Validators for GraphQL over GET, as ASGI middleware, so a CDN or browser can revalidate an answer.

A 200 answer to a GET carries an `ETag` (a hash of the body); a GET whose `If-None-Match` names it is
answered 304 without a body. An answer to a request with a bearer token depends on the user: it is
always `Cache-Control: private, no-store`. Whether an anonymous answer is public is the response
cache's decision (`public, max-age=N` for answers it can purge), else the endpoint's `no-store`.
"""

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inkverse.asgi import bearer_token

PRIVATE = "private, no-store"


class ConditionalGet:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self._app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        private = bearer_token(request_headers) is not None
        start: Message = {}
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self._app(scope, receive, buffer)
        body = b"".join(chunks)
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        if private:
            headers["Cache-Control"] = PRIVATE
        status = start.get("status", 500)
        if status == 200:  # noqa: PLR2004
            etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
            headers["ETag"] = etag
            if _matches(request_headers.get("if-none-match"), etag):
                status, body = 304, b""
                del headers["Content-Length"]
                del headers["Content-Type"]
        await send({"type": "http.response.start", "status": status, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")}
    return "*" in candidates or etag in candidates
