"""`links_hash` is computed exactly like the original's `createHash`, so stored hashes keep matching."""

import hashlib

from inkverse.catalog.text import create_hash

EMPTY_HASH = "950f47125481dc78f91caa169a8c805de5844e658a85289a0521a0a30b1460a4"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_null_and_empty_links_hash_the_version_alone() -> None:
    assert create_hash(None) == create_hash([]) == EMPTY_HASH == sha256('{"HASH_VERSION":1}')


def test_an_array_is_spread_into_index_keys_in_order_without_spaces() -> None:
    links = [
        {"type": "PATREON", "base_url": "https://patreon.com/", "value": "café"},
        {"value": "ann.bsky.social", "type": "BLUESKY"},
    ]
    expected = (
        '{"0":{"type":"PATREON","base_url":"https://patreon.com/","value":"café"},'
        '"1":{"value":"ann.bsky.social","type":"BLUESKY"},"HASH_VERSION":1}'
    )
    assert create_hash(links) == sha256(expected)


def test_an_object_keeps_its_keys_then_the_version() -> None:
    assert create_hash({"b": 1, "a": "x"}) == sha256('{"b":1,"a":"x","HASH_VERSION":1}')
