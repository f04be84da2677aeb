"""Complexity limit (graphql.md §3.2): a port of the vendored `graphql-validation-complexity` rule.

The cost of a document is the sum, over every field selected by every operation, of the field's cost
(18 for an object type, 1 otherwise, or `@cost`) times the product of the list factors of the field
and the fields enclosing it (12 per list level, 1 for lists of introspection types, or `@costFactor`).
Each selection set is first flattened (fragment spreads inlined) and de-duplicated: fields with the
same name and arguments (aliases ignored), and inline fragments on the same type, are counted once
with their sub-selections merged.
"""

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldDefinitionNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionNode,
    ValidationRule,
    get_named_type,
    is_composite_type,
    is_introspection_type,
    is_named_type,
    is_object_type,
    print_ast,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from inkverse.graphql.validators.directives import Cost, CostFactor
from inkverse.graphql.validators.document import fragments_by_name, has_fragment_cycle

MAX_COST = 5000
SCALAR_COST = 1.0
OBJECT_COST = 18.0
LIST_FACTOR = 12.0
INTROSPECTION_LIST_FACTOR = 1.0
TOO_COMPLEX_MESSAGE = "This Query is too complex. Please delete some properties and try again."


def document_cost(schema: GraphQLSchema, document: DocumentNode, limit: float = math.inf) -> float:
    """The cost of every operation of the document together.

    Counting stops as soon as the cost exceeds `limit` (the result is then only known to be above it),
    which bounds the work on documents that spread fragments exponentially. A document with a fragment
    cycle costs 0: NoFragmentCyclesRule rejects it, and the original rule would never finish it.
    """
    fragments = fragments_by_name(document)
    if has_fragment_cycle(fragments):
        return 0.0
    counter = _CostCounter(schema, fragments, limit)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and counter.cost <= limit:
            counter.count_operation(definition)
    return counter.cost


class ComplexityLimitRule(ValidationRule):
    def leave_document(self, node: DocumentNode, *_args: object) -> None:
        if document_cost(self.context.schema, node, limit=MAX_COST) > MAX_COST:
            self.report_error(GraphQLError(TOO_COMPLEX_MESSAGE, node))


@dataclass(frozen=True)
class _Selection:
    """A field or inline fragment after de-duplication, holding the sub-selections of all its copies."""

    node: FieldNode | InlineFragmentNode
    sub_selections: tuple[SelectionNode, ...]


class _CostCounter:
    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], limit: float
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._limit = limit
        self._flattened_fragments: dict[str, tuple[_Selection, ...]] = {}
        self.cost = 0.0

    def count_operation(self, operation: OperationDefinitionNode) -> None:
        root_type = self._schema.get_root_type(operation.operation)
        self._count_selections(operation.selection_set.selections, root_type, 1.0)

    def _count_selections(
        self, selections: Iterable[SelectionNode], parent_type: GraphQLNamedType | None, factor: float
    ) -> None:
        for selection in self._flatten(selections):
            if self.cost > self._limit:
                return
            node = selection.node
            if isinstance(node, FieldNode):
                self._count_field(node, selection.sub_selections, parent_type, factor)
            else:
                fragment_type = _type_condition(self._schema, node, parent_type)
                self._count_selections(selection.sub_selections, fragment_type, factor)

    def _count_field(
        self,
        field: FieldNode,
        sub_selections: tuple[SelectionNode, ...],
        parent_type: GraphQLNamedType | None,
        factor: float,
    ) -> None:
        definition = _field_definition(self._schema, parent_type, field.name.value)
        factor *= _list_factor(definition)
        self.cost += factor * _own_cost(definition)
        if field.selection_set is not None:
            self._count_selections(sub_selections, _selection_type(definition), factor)

    def _flatten(self, selections: Iterable[SelectionNode]) -> tuple[_Selection, ...]:
        return _merge_duplicates(self._inline_spreads(selections))

    def _inline_spreads(self, selections: Iterable[SelectionNode]) -> Iterator[_Selection]:
        for selection in selections:
            if isinstance(selection, FragmentSpreadNode):
                yield from self._flattened_fragment(selection.name.value)
            elif isinstance(selection, FieldNode | InlineFragmentNode):
                sub_selections = selection.selection_set.selections if selection.selection_set else ()
                yield _Selection(selection, tuple(sub_selections))

    def _flattened_fragment(self, name: str) -> tuple[_Selection, ...]:
        if name not in self._flattened_fragments:
            fragment = self._fragments.get(name)
            # A spread of an undefined fragment adds nothing (KnownFragmentNamesRule reports it).
            flattened = self._flatten(fragment.selection_set.selections) if fragment else ()
            self._flattened_fragments[name] = flattened
        return self._flattened_fragments[name]


def _merge_duplicates(selections: Iterable[_Selection]) -> tuple[_Selection, ...]:
    merged: dict[object, _Selection] = {}
    for selection in selections:
        key = _identity(selection.node)
        first = merged.get(key)
        if first is None:
            merged[key] = selection
        elif first.node.selection_set is not None:
            merged[key] = _Selection(
                first.node, _concat_distinct(first.sub_selections, selection.sub_selections)
            )
    return tuple(merged.values())


def _identity(node: FieldNode | InlineFragmentNode) -> object:
    """What makes two selections "the same": field name and printed arguments, or fragment type."""
    if isinstance(node, InlineFragmentNode):
        return ("...", node.type_condition.name.value if node.type_condition else None)
    # Sorting by name matches the original order-insensitive comparison whenever argument names are
    # unique, which UniqueArgumentNamesRule demands anyway.
    arguments = sorted((argument.name.value, print_ast(argument.value)) for argument in node.arguments or ())
    return (node.name.value, tuple(arguments))


def _concat_distinct(
    first: tuple[SelectionNode, ...], second: tuple[SelectionNode, ...]
) -> tuple[SelectionNode, ...]:
    # The same AST node merged twice would be merged away again one level down, so keeping one copy
    # changes no cost but stops the lists from doubling with every repeated spread.
    seen = {id(node) for node in first}
    return first + tuple(node for node in second if id(node) not in seen)


def _field_definition(
    schema: GraphQLSchema, parent_type: GraphQLNamedType | None, name: str
) -> GraphQLField | None:
    if parent_type is None or not is_composite_type(parent_type):
        return None
    return schema.get_field(parent_type, name)


def _selection_type(definition: GraphQLField | None) -> GraphQLNamedType | None:
    named_type = get_named_type(definition.type) if definition else None
    return named_type if is_composite_type(named_type) else None


def _type_condition(
    schema: GraphQLSchema, fragment: InlineFragmentNode, parent_type: GraphQLNamedType | None
) -> GraphQLNamedType | None:
    if fragment.type_condition is None:
        return parent_type
    condition = schema.get_type(fragment.type_condition.name.value)
    return condition if is_composite_type(condition) else None


def _list_factor(definition: GraphQLField | None) -> float:
    override = _directive_value(definition, CostFactor, "costFactor")
    if override is not None:
        return override
    return _type_list_factor(definition.type) if definition else 1.0


def _type_list_factor(type_: GraphQLOutputType) -> float:
    if isinstance(type_, GraphQLNonNull):
        return _type_list_factor(type_.of_type)
    if isinstance(type_, GraphQLList):
        per_level = INTROSPECTION_LIST_FACTOR if _lists_introspection_type(type_) else LIST_FACTOR
        return per_level * _type_list_factor(type_.of_type)
    return 1.0


def _lists_introspection_type(list_type: GraphQLList[GraphQLOutputType]) -> bool:
    item_type = list_type.of_type
    if isinstance(item_type, GraphQLNonNull):
        item_type = item_type.of_type
    return is_named_type(item_type) and is_introspection_type(item_type)


def _own_cost(definition: GraphQLField | None) -> float:
    override = _directive_value(definition, Cost, "cost")
    if override is not None:
        return override
    if definition is not None and is_object_type(get_named_type(definition.type)):
        return OBJECT_COST
    return SCALAR_COST


def _directive_value(
    definition: GraphQLField | None, directive: type[Cost | CostFactor], directive_name: str
) -> float | None:
    """The `value` of the directive on the field: declared in Strawberry, or in SDL for a built schema."""
    if definition is None:
        return None
    strawberry_field = (definition.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if isinstance(strawberry_field, StrawberryField):
        for applied in strawberry_field.directives:
            if isinstance(applied, directive):
                return float(applied.value)
    if definition.ast_node is not None:
        return _sdl_directive_value(definition.ast_node, directive_name)
    return None


def _sdl_directive_value(field: FieldDefinitionNode, directive_name: str) -> float | None:
    for applied in field.directives or ():
        if applied.name.value != directive_name:
            continue
        for argument in applied.arguments or ():
            if argument.name.value == "value" and isinstance(argument.value, IntValueNode | FloatValueNode):
                return float(argument.value.value)
        raise ValueError(
            f"No `value` argument defined in `@{directive_name}` directive on `{field.name.value}` field."
        )
    return None
