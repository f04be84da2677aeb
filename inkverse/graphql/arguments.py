"""Argument defaults and bounds of the contract (graphql.md §2.5, §2.6).

No argument has a schema default: an omitted argument takes the resolver default, while an explicit
`null` is passed on, and fails the range check where the original's did (JavaScript destructuring
defaults apply to `undefined` only).
"""

from typing import TypeVar

from strawberry import UNSET

from inkverse.errors import ValidationError

T = TypeVar("T")


def default_if_omitted(value: T | None, default: T) -> T | None:
    return default if value is UNSET else value


def default_if_missing(value: T | None, default: T) -> T:
    """Omitted or null both take the default."""
    return default if value is UNSET or value is None else value


def check_range(name: str, value: int | None, low: int, high: int) -> int:
    if value is None or not low <= value <= high:
        raise ValidationError(name, f"{name} must be between {low} and {high}")
    return value
