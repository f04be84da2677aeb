"""Small ASGI pieces shared by the middlewares in front of the GraphQL endpoint (response cache,
persisted queries, conditional GET) and the request's sign-in: no framework, no I/O beyond `receive`."""

from starlette.datastructures import Headers
from starlette.types import Message, Receive


def bearer_token(headers: Headers) -> str | None:
    """The token of `Authorization: Bearer <token>` as graphql.md §1.4 reads it; None when anonymous
    (no header, an empty one, another scheme, or `Bearer` alone)."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.split(" ", 1)[0] or None


async def read_body(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body, up to `limit` bytes; False when it is longer (or the client left)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > limit:
            return b"".join(chunks), False


def replaying(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then defers to the server's."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay
