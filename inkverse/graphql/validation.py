"""Argument checks shared by resolvers (graphql.md §2.5)."""

import re

from inkverse.catalog.text import normalise_uuid
from inkverse.errors import ValidationError

# The `uuid` npm package's validate(): versions 1-8, RFC variant, plus the nil and max UUIDs.
_UUID = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    r"|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$",
    re.IGNORECASE,
)


def validate_and_trim_uuid(value: str | None, name: str = "uuid") -> str:
    """The uuid, trimmed and lower-cased; ValidationError when it is null or not a uuid."""
    if value is None:
        raise ValidationError(name, f"{name} is null!")
    normalised = normalise_uuid(value)
    if not _UUID.match(normalised):
        raise ValidationError(name, f"{value} is not a valid {name}")
    return normalised
