"""Text helpers reproduced exactly from the original (database.md §3.0), so stored values keep matching."""

import hashlib
import json
import re
from collections.abc import Mapping, Sequence

# The characters the original's prettyEncodeTitle deletes: ASCII punctuation (but not `-`), the en dash,
# curly quotes and any whitespace (JavaScript's `\s` also covers U+FEFF, Python's does not).
_TITLE_DELETED = re.compile(r"[`~!@#$%^&*()+=\u2013\[{\]}|\\'<,>?/\u201d\u201c\"\u2019;:._\s\ufeff]")
_HYPHEN_RUNS = re.compile(r"-{2,}")

HASH_VERSION = 1


def pretty_encode_title(title: str) -> str:
    """The original's slug: lower-case, single spaces to `-`, punctuation deleted, hyphen runs collapsed.

    Leading and trailing hyphens are kept, as the original keeps them:
    `"  Hello  World "` -> `-hello-world-`.
    """
    hyphenated = "-".join(title.lower().split(" "))
    return _HYPHEN_RUNS.sub("-", _TITLE_DELETED.sub("", hyphenated))


def create_hash(value: Mapping[str, object] | Sequence[object] | None) -> str:
    """The original's `createHash`: SHA-256 of `JSON.stringify({...value, HASH_VERSION: 1})`.

    Spreading an array in JavaScript yields its indexes as keys, so `[a, b]` hashes
    `{"0":a,"1":b,"HASH_VERSION":1}`; `null` and `[]` both hash `{"HASH_VERSION":1}`.
    """
    if value is None:
        spread: dict[str, object] = {}
    elif isinstance(value, Mapping):
        spread = dict(value)
    else:
        spread = {str(index): item for index, item in enumerate(value)}
    spread["HASH_VERSION"] = HASH_VERSION
    text = json.dumps(spread, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def normalise_uuid(value: str) -> str:
    """Uuids are stored, cached and purged in lower case: an upper-case argument names the same object."""
    return value.strip().lower()
