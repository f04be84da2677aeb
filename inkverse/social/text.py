"""Comment text rules (graphql.md §2.7 `addComment`): non-blank, at most 2000 characters, markup removed.

Markup is stripped by nh3 (the ammonia sanitiser) with every tag disallowed, and the content of the
elements a browser would run or render from elsewhere dropped with it. nh3 returns HTML, so its output
is unescaped to store the plain text the apps show: `<3 & more` reads the same. Unescaping can reveal
markup that was written as entities (`&lt;script&gt;`), so both steps repeat until the text no longer
changes.
"""

import html

import nh3

from inkverse.errors import ValidationError

MAX_COMMENT_LENGTH = 2000
EMPTY = "Comment text cannot be empty"
TOO_LONG = f"Comment text cannot exceed {MAX_COMMENT_LENGTH} characters"

_DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math"}
)


def strip_markup(text: str) -> str:
    """Plain text with no markup left. Each pass that changes the text removes a tag or decodes an
    entity, so the text shrinks until it is stable; `len(text) + 1` passes always suffice."""
    for _ in range(len(text) + 1):
        cleaned = html.unescape(nh3.clean(text, tags=set(), clean_content_tags=set(_DROPPED_WITH_CONTENT)))
        if cleaned == text:
            break
        text = cleaned
    return text


def comment_text(raw: str) -> str:
    """The text to store, or `ValidationError` with the original's message."""
    if not raw.strip():
        raise ValidationError("text", EMPTY)
    if len(raw) > MAX_COMMENT_LENGTH:
        raise ValidationError("text", TOO_LONG)
    text = strip_markup(raw).strip()
    if not text:  # only markup: nothing left to show
        raise ValidationError("text", EMPTY)
    return text
