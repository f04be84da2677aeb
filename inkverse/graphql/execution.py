"""A faster path through graphql-core's executor for plain leaf fields.

Most fields of a catalog answer are attributes of an object (`name`, `uuid`, `genre0`, `tags`):
graphql-core builds a resolve info, calls Strawberry's default resolver and completes the value through
several layers for each of them, about ten microseconds a field. `PlainFieldExecutionContext` reads such
a field's attribute and serializes it directly. Anything unusual (a null in a non-null field, a value
the scalar refuses) goes the standard way, so errors are exactly graphql-core's.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import AwaitableOrValue, Path, Undefined, UndefinedType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

PLAIN_FIELD = "inkverse-plain-field"


@dataclass(frozen=True, slots=True)
class PlainField:
    """How to read and serialize one plain leaf field."""

    attribute: str
    serialize: Callable[[Any], Any]
    non_null: bool
    is_list: bool


def mark_plain_fields(schema: GraphQLSchema) -> None:
    """Tag every field that only reads an attribute and returns a leaf (or a list of nullable leaves)."""
    for named_type in schema.type_map.values():
        if isinstance(named_type, GraphQLObjectType) and not named_type.name.startswith("__"):
            for field in named_type.fields.values():
                plain = _plain_field(field)
                if plain is not None:
                    field.extensions = {**field.extensions, PLAIN_FIELD: plain}


def _plain_field(field: GraphQLField) -> PlainField | None:
    definition = field.extensions.get("strawberry-definition")
    if not isinstance(definition, StrawberryField) or not getattr(field.resolve, "_is_default", False):
        return None
    if field.args:
        return None
    return _leaf_shape(definition.python_name, field.type)


def _leaf_shape(attribute: str, field_type: GraphQLOutputType) -> PlainField | None:
    non_null = isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if is_leaf_type(inner):
        return PlainField(attribute, _serializer(inner), non_null, is_list=False)
    if isinstance(inner, GraphQLList) and not non_null and is_leaf_type(inner.of_type):
        return PlainField(attribute, _serializer(inner.of_type), non_null=False, is_list=True)
    return None


def _serializer(leaf_type: GraphQLLeafType) -> Callable[[Any], Any]:
    """The type's own serializer; for enums a lookup by value first (Strawberry's scans every value)."""
    if not isinstance(leaf_type, GraphQLEnumType):
        return leaf_type.serialize
    by_value = {value.value: name for name, value in leaf_type.values.items()}
    wrapped: type[Enum] | None = getattr(leaf_type, "wrapped_cls", None)
    # Keyed by member: reading `member.value` (a descriptor) costs more than the lookup itself.
    names = {member: by_value[member.value] for member in wrapped or () if member.value in by_value}
    fallback = leaf_type.serialize

    def serialize_enum(member: Any) -> Any:
        name = names.get(member) if isinstance(member, Enum) else None
        return name if name is not None else fallback(member)

    return serialize_enum


Plan = list[tuple[str, PlainField | None]]
"""How to complete an object: per response name its plain field, or None for `__typename`."""


class PlainFieldExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per selection (graphql-core reuses one grouped field set for every object of a list): the
        # steps that complete an object when all its fields are plain, else None. The set is kept
        # alive with its plan, so its id is not reused during the execution.
        self._plans: dict[int, tuple[GroupedFieldSet, Plan | None]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        """An object whose selected fields are all plain is completed in one loop."""
        plan = self._plan(parent_type, grouped_field_set)
        if plan is not None:
            completed = _completed_object(plan, parent_type.name, source_value)
            if completed is not None:
                return completed
        return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Plan | None:
        cached = self._plans.get(id(grouped_field_set))
        if cached is None:
            cached = (grouped_field_set, _object_plan(parent_type, grouped_field_set))
            self._plans[id(grouped_field_set)] = cached
        return cached[1]

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> AwaitableOrValue[Any] | UndefinedType:
        field_name = field_details_list[0].node.name.value
        if field_name == "__typename":
            return parent_type.name
        field_def = parent_type.fields.get(field_name)
        plain = field_def.extensions.get(PLAIN_FIELD) if field_def is not None else None
        if plain is not None:
            value = _completed(plain, source)
            if value is not Undefined:
                return value
        return super().execute_field(parent_type, source, field_details_list, path, position_context)


def _object_plan(parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Plan | None:
    plan: Plan = []
    for response_name, field_details_list in grouped_field_set.items():
        field_name = field_details_list[0].node.name.value
        field_def = parent_type.fields.get(field_name)
        plain = field_def.extensions.get(PLAIN_FIELD) if field_def is not None else None
        if field_name != "__typename" and plain is None:
            return None
        plan.append((response_name, plain))
    return plan


def _completed_object(plan: Plan, type_name: str, source: Any) -> dict[str, Any] | None:
    """The object's fields, or None when one of them needs the standard path."""
    completed: dict[str, Any] = {}
    for response_name, plain in plan:
        if plain is None:
            completed[response_name] = type_name
            continue
        value = _completed(plain, source)
        if value is Undefined:
            return None
        completed[response_name] = value
    return completed


def _completed(plain: PlainField, source: Any) -> Any:
    """The serialized value, or Undefined when the standard path must handle it (to report an error)."""
    value = getattr(source, plain.attribute, Undefined)
    if value is None:
        return Undefined if plain.non_null else None
    if value is Undefined:
        return Undefined
    serialize = plain.serialize
    try:
        if plain.is_list:
            return _completed_list(serialize, value)
        serialized = serialize(value)
    except Exception:  # noqa: BLE001 - the standard path reports it as a field error
        return Undefined
    return Undefined if serialized is None else serialized


def _completed_list(serialize: Callable[[Any], Any], value: Any) -> Any:
    if not isinstance(value, list):
        return Undefined
    items = []
    for item in value:
        serialized = None if item is None else serialize(item)
        if serialized is None and item is not None:
            return Undefined
        items.append(serialized)
    return items
