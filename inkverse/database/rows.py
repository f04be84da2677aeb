"""ORM rows to JSON-ready dicts and back, so rows can live in the cache-aside layer.

A row rebuilt with `row_from_dict` is transient (no session): read it, never flush it.
"""

import enum
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Enum, inspect

from inkverse.database.base import Base

ModelT = TypeVar("ModelT", bound=Base)


def row_to_dict(row: Base) -> dict[str, Any]:
    return {attribute.key: getattr(row, attribute.key) for attribute in inspect(type(row)).column_attrs}


def row_from_dict(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    values: dict[str, Any] = {}
    for attribute in inspect(model).column_attrs:
        value = data.get(attribute.key)
        column_type = attribute.columns[0].type
        if value is not None and isinstance(column_type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, Enum):
            value = _enum_value(column_type.enum_class, value)
        values[attribute.key] = value
    return model(**values)


def _enum_value(enum_class: type[enum.Enum] | None, value: Any) -> Any:
    """Enum columns mapped to a Python enum get the member back; plain string enums stay strings."""
    return enum_class(value) if enum_class is not None else value
