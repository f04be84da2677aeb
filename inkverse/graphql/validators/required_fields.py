"""Required cache-key fields (graphql.md §3.3): responses must carry the key Stellate and Apollo cache by.

Quirks kept from the original: which selections are checked is decided by the *field name* alone,
through one schema-wide map; a key supplied only through an inline fragment does not count; any
fragment spread in a selection set turns the check off for that set; the first violation ends the walk.
"""

import weakref
from collections.abc import Iterable, Mapping, Sequence

from graphql import (
    SKIP,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLWrappingType,
    InlineFragmentNode,
    Node,
    SelectionNode,
    ValidationRule,
    VisitorAction,
    is_input_object_type,
    is_interface_type,
    is_object_type,
)

from inkverse.cache.keys import CACHE_KEY_FIELD_BY_TYPE
from inkverse.graphql.validators.document import (
    RuleViolation,
    fragments_by_name,
    has_fragment_cycle,
    operations_by_name,
    unknown_fragment,
)

_cached_field_types: weakref.WeakKeyDictionary[GraphQLSchema, Mapping[str, str]] = weakref.WeakKeyDictionary()


def cache_keyed_field_types(schema: GraphQLSchema) -> Mapping[str, str]:
    """Field name → the cache-keyed type that a field of that name returns, anywhere in the schema.

    The return type is unwrapped at most once: `X`, `X!` and `[X]` count, `[X]!`, `[X!]` and `[X!]!`
    do not. When two fields share a name, the one met last in the schema's type map wins.
    """
    if schema not in _cached_field_types:
        _cached_field_types[schema] = _collect_field_types(schema)
    return _cached_field_types[schema]


def check_cache_keys(schema: GraphQLSchema, document: DocumentNode) -> None:
    """Raises RuleViolation for the first selection that lacks its type's cache key."""
    fragments = fragments_by_name(document)
    if has_fragment_cycle(fragments):
        return
    checker = _CacheKeyChecker(cache_keyed_field_types(schema), fragments)
    for operation in operations_by_name(document).values():
        checker.check_selections(operation.selection_set.selections)


class RequiredCacheKeyFieldsRule(ValidationRule):
    def enter_document(self, node: DocumentNode, *_args: object) -> VisitorAction:
        try:
            check_cache_keys(self.context.schema, node)
        except RuleViolation as violation:
            self.report_error(GraphQLError(violation.message, violation.node))
        return SKIP


def _collect_field_types(schema: GraphQLSchema) -> dict[str, str]:
    field_types: dict[str, str] = {}
    for named_type in schema.type_map.values():
        # Input object fields are included too, as the original walks every type's field map.
        if named_type.name.startswith("__") or not (
            is_object_type(named_type) or is_interface_type(named_type) or is_input_object_type(named_type)
        ):
            continue
        for field_name, field in named_type.fields.items():
            type_name = _name_under_one_wrapper(field.type)
            if type_name is not None and type_name in CACHE_KEY_FIELD_BY_TYPE:
                field_types[field_name] = type_name
    return field_types


def _name_under_one_wrapper(type_: GraphQLOutputType | GraphQLInputType) -> str | None:
    inner = type_.of_type if isinstance(type_, GraphQLWrappingType) else type_
    return None if isinstance(inner, GraphQLWrappingType) else inner.name


class _CacheKeyChecker:
    def __init__(
        self, field_types: Mapping[str, str], fragments: Mapping[str, FragmentDefinitionNode]
    ) -> None:
        self._field_types = field_types
        self._fragments = fragments
        # A fragment that passed once passes everywhere: its check does not depend on where it is spread.
        self._passed_fragments: set[str] = set()

    def check_selections(self, selections: Iterable[SelectionNode]) -> None:
        for selection in selections:
            if isinstance(selection, FieldNode):
                self._check_field(selection)
            elif isinstance(selection, FragmentSpreadNode):
                self._check_spread(selection)
            elif isinstance(selection, InlineFragmentNode):
                self.check_selections(selection.selection_set.selections)

    def _check_field(self, field: FieldNode) -> None:
        if field.name.value.startswith("__") or field.selection_set is None:
            return
        selections = field.selection_set.selections
        keyed_type = self._field_types.get(field.name.value)
        if keyed_type is not None:
            _require_cache_key(selections, keyed_type, field.name.value, field)
        self.check_selections(selections)

    def _check_spread(self, spread: FragmentSpreadNode) -> None:
        name = spread.name.value
        if name in self._passed_fragments:
            return
        fragment = self._fragments.get(name)
        if fragment is None:
            raise unknown_fragment(spread)
        selections = fragment.selection_set.selections
        if fragment.type_condition.name.value in CACHE_KEY_FIELD_BY_TYPE:
            _require_cache_key(selections, fragment.type_condition.name.value, name, fragment)
        self.check_selections(selections)
        self._passed_fragments.add(name)


def _require_cache_key(selections: Sequence[SelectionNode], type_name: str, inside: str, node: Node) -> None:
    if any(isinstance(selection, FragmentSpreadNode) for selection in selections):
        return
    field_names = {selection.name.value for selection in selections if isinstance(selection, FieldNode)}
    key = CACHE_KEY_FIELD_BY_TYPE[type_name]
    if field_names and key not in field_names:
        raise RuleViolation(
            f"The type {type_name} is required to return the property {key}. "
            f"Inside of {inside} please add the property {key} to the query.",
            node,
        )
