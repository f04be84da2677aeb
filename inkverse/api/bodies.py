"""Reading request bodies with a size limit and bounding JSON nesting, before any of it is parsed."""

import re

from starlette.requests import Request

# Real payloads nest a handful of levels. Python's parser raises RecursionError near 1,000 levels and
# serializers give up earlier (orjson at 255), so anything deeper is refused before any of them sees it.
MAX_JSON_DEPTH = 64

_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING_WITHOUT_ESCAPES = re.compile(r'"[^"]*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_OPENERS = frozenset("[{")


class BodyTooLargeError(Exception):
    pass


class UnreadableJsonError(Exception):
    """A JSON body refused before parsing; the message says why, for the client."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it (or its declared length) exceeds `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise BodyTooLargeError
    return bytes(body)


def json_text(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> str:
    """The text of a JSON body, once it is known to be UTF-8 and to nest at most `max_depth` deep."""
    try:
        text = body.decode()
    except UnicodeDecodeError as exc:
        raise UnreadableJsonError(f"Body is not UTF-8 ({exc.reason} at byte {exc.start}).") from None
    check_json_depth(text, max_depth)
    return text


def check_json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise UnreadableJsonError if the JSON text nests arrays/objects deeper than `limit`.

    A scan without recursion, linear in the length: escapes, then strings are cut out (brackets inside
    strings do not count), then the brackets left are counted. Malformed text is left to the parser.
    """
    unescaped = _ESCAPE.sub("", text)
    brackets = _NOT_A_BRACKET.sub("", _STRING_WITHOUT_ESCAPES.sub("", unescaped))
    depth = 0
    for bracket in brackets:
        depth += 1 if bracket in _OPENERS else -1
        if depth > limit:
            raise UnreadableJsonError(f"JSON nested deeper than {limit} levels.")


def media_type(request: Request) -> str:
    """The Content-Type without its parameters, lower-cased (`""` when absent)."""
    return request.headers.get("content-type", "").partition(";")[0].strip().lower()
