"""Conversions from stored values to GraphQL values, shared by the type modules."""

import json
from collections.abc import Sequence
from enum import Enum
from typing import Any, TypeVar

import strawberry

EnumT = TypeVar("EnumT", bound=Enum)


def to_enum(enum_type: type[EnumT], value: str | None) -> EnumT | None:
    """A stored value outside the enum reads as null rather than failing the whole field."""
    if value is None:
        return None
    try:
        return enum_type(value)
    except ValueError:
        return None


def to_enums(enum_type: type[EnumT], values: Sequence[str] | None) -> list[EnumT | None] | None:
    return None if values is None else [to_enum(enum_type, value) for value in values]


def image_as_string(image: dict[str, Any] | None) -> str | None:
    """The stored image JSON as the original served it (JSON.stringify: compact, UTF-8 kept)."""
    return None if image is None else json.dumps(image, separators=(",", ":"), ensure_ascii=False)


def optional_id(value: str | int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


def string_list(values: Sequence[str] | None) -> list[str | None] | None:
    return None if values is None else list(values)
