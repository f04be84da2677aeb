"""Conversions from stored values to GraphQL values, shared by the type modules."""

import json
from collections.abc import Sequence
from enum import Enum
from functools import cache
from typing import Any, TypeVar

import orjson
import strawberry

EnumT = TypeVar("EnumT", bound=Enum)


def to_enum(enum_type: type[EnumT], value: str | None) -> EnumT | None:
    """A stored value outside the enum reads as null rather than failing the whole field."""
    return None if value is None else _members_by_value(enum_type).get(value)


@cache
def _members_by_value(enum_type: type[EnumT]) -> dict[object, EnumT]:
    """A dict lookup per value: calling the enum class costs several times more, on every field."""
    return {member.value: member for member in enum_type}


def to_enums(enum_type: type[EnumT], values: Sequence[str] | None) -> list[EnumT | None] | None:
    return None if values is None else [to_enum(enum_type, value) for value in values]


def image_as_string(image: dict[str, Any] | None) -> str | None:
    """The stored image JSON as the original served it (JSON.stringify: compact, UTF-8 kept)."""
    if image is None:
        return None
    try:
        return orjson.dumps(image).decode()
    except orjson.JSONEncodeError:  # e.g. a lone surrogate from a `\\ud800` escape, or a huge integer
        return json.dumps(image, separators=(",", ":"), ensure_ascii=False)


def optional_id(value: str | int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


def string_list(values: Sequence[str] | None) -> list[str | None] | None:
    return None if values is None else list(values)
