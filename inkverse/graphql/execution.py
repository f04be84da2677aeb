"""A faster path through graphql-core's executor for plain leaf fields and fixed selections.

Most fields of a catalog answer are attributes of an object (`name`, `uuid`, `genre0`, `tags`):
graphql-core builds a resolve info, calls Strawberry's default resolver and completes the value through
several layers for each of them, about ten microseconds a field. `PlainFieldExecutionContext` reads such
a field's attribute and serializes it directly, and completes a list of objects made only of such
fields in one loop. Anything unusual (a null in a non-null field, a value the scalar refuses) goes the
standard way, so errors are exactly graphql-core's.

graphql-core also collects the fields of every selection again on each request. An operation without
directives on its selections (`@include`, `@skip`, `@defer`, ...) collects the same fields whatever its
variables, so `SelectionCache` keeps them, with the completion plans, per operation across requests
(the parsed documents themselves are kept by `inkverse.graphql.documents.DocumentCache`).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    is_leaf_type,
)
from graphql.execution.collect_fields import CollectedFields, DeferUsage, FieldDetailsList, GroupedFieldSet
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


@dataclass(slots=True)
class Selections:
    """What the selections of one operation collect, and how to complete them. Grouped field sets are
    kept alive with what is keyed by their id, so the ids are not reused."""

    root: GroupedFieldSet | None = None
    subfields: dict[tuple[str, int], tuple[FieldDetailsList, CollectedFields]] = field(default_factory=dict)
    plans: dict[int, tuple[GroupedFieldSet, Plan | None]] = field(default_factory=dict)
    """Per selection: the steps that complete an object when all its fields are plain, else None."""


class SelectionCache:
    """`Selections` per operation (by identity: documents are parsed once per text), for at most
    `maxsize` operations; None for an operation with directives on its selections."""

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._operations: dict[int, tuple[OperationDefinitionNode, Selections | None]] = {}

    def of(
        self, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
    ) -> Selections | None:
        cached = self._operations.get(id(operation))
        if cached is None:
            fixed = not operation.directives and not _has_directives(
                operation.selection_set, fragments, set()
            )
            cached = (operation, Selections() if fixed else None)
            if len(self._operations) >= self._maxsize:
                self._operations.pop(next(iter(self._operations)))  # the oldest entry
            self._operations[id(operation)] = cached
        return cached[1]


def _has_directives(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> bool:
    for selection in selection_set.selections if selection_set else ():
        if selection.directives:
            return True
        if isinstance(selection, FieldNode | InlineFragmentNode):
            if _has_directives(selection.selection_set, fragments, seen):
                return True
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None and (
                fragment.directives or _has_directives(fragment.selection_set, fragments, seen)
            ):
                return True
    return False


class PlainFieldExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, selections: SelectionCache | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cached = selections.of(self.operation, self.fragment_definitions) if selections else None
        self._selections = cached
        self._plans: dict[int, tuple[GroupedFieldSet, Plan | None]] = (
            cached.plans if cached is not None else {}
        )

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> AwaitableOrValue[dict[str, Any]]:
        """The root fields collected by the first request of the operation, so that the selections
        below them (keyed by identity) are found in the cache."""
        if self._selections is not None:
            if self._selections.root is None:
                self._selections.root = grouped_field_set
            grouped_field_set = self._selections.root
        return super().execute_collected_root_fields(
            root_type, root_value, grouped_field_set, serially, new_defer_usages
        )

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> CollectedFields:
        if self._selections is None:
            return super().collect_subfields(return_type, field_details_list)
        cache = self._selections.subfields
        key = (return_type.name, id(field_details_list))
        cached = cache.get(key)
        if cached is None:
            cached = (field_details_list, super().collect_subfields(return_type, field_details_list))
            cache[key] = cached
        return cached[1]

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        """A list of objects whose selected fields are all plain is completed in one loop."""
        item_type = return_type.of_type
        non_null = isinstance(item_type, GraphQLNonNull)
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if (
            isinstance(result, list)
            and isinstance(object_type, GraphQLObjectType)
            and not object_type.is_type_of
        ):
            grouped_field_set = self.collect_subfields(object_type, field_details_list).grouped_field_set
            plan = self._plan(object_type, grouped_field_set)
            if plan is not None:
                completed = _completed_objects(plan, object_type.name, result, non_null=non_null)
                if completed is not None:
                    return completed
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )

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


def _completed_objects(plan: Plan, type_name: str, items: list[Any], *, non_null: bool) -> list[Any] | None:
    """The completed items, or None when one of them needs the standard path."""
    completed: list[Any] = []
    for item in items:
        if item is None:
            if non_null:
                return None
            completed.append(None)
            continue
        value = _completed_object(plan, type_name, item)
        if value is None:
            return None
        completed.append(value)
    return completed


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
