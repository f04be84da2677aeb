"""Depth limit (graphql.md §3.1): no field may sit under more than MAX_DEPTH enclosing fields.

A field's level is the number of fields enclosing it (root fields are at level 0); fragments add no
level. Every operation of the document is checked, leaf fields included. Fields named `__*` are
checked themselves but not descended into, so introspection is not depth-limited.
"""

from collections.abc import Iterable

from graphql import (
    SKIP,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    SelectionNode,
    ValidationRule,
    VisitorAction,
)

from inkverse.graphql.validators.document import (
    RuleViolation,
    fragments_by_name,
    has_fragment_cycle,
    operations_by_name,
    unknown_fragment,
)

MAX_DEPTH = 5


def operation_depths(document: DocumentNode, max_depth: int = MAX_DEPTH) -> dict[str, int]:
    """The deepest field level of each operation ("" for an anonymous one).

    Raises RuleViolation for the first operation that goes deeper than max_depth. A document with a
    fragment cycle is not measured (empty result).
    """
    fragments = fragments_by_name(document)
    if has_fragment_cycle(fragments):
        return {}
    meter = _DepthMeter(fragments, max_depth)
    return {
        name: meter.operation_depth(name or "Query", operation.selection_set.selections)
        for name, operation in operations_by_name(document).items()
    }


class DepthLimitRule(ValidationRule):
    def enter_document(self, node: DocumentNode, *_args: object) -> VisitorAction:
        try:
            operation_depths(node)
        except RuleViolation as violation:
            self.report_error(GraphQLError(violation.message, violation.node))
        return SKIP


class _DepthMeter:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode], max_depth: int) -> None:
        self._fragments = fragments
        self._max_depth = max_depth
        # Depth below a fragment's own level; memoised so that fragments spread many times are walked once.
        self._fragment_depths: dict[str, int] = {}
        self._operation_label = ""

    def operation_depth(self, label: str, selections: Iterable[SelectionNode]) -> int:
        self._operation_label = label
        return self._deepest(selections, 0)

    def _deepest(self, selections: Iterable[SelectionNode], level: int) -> int:
        return max((self._depth(selection, level) for selection in selections), default=0)

    def _depth(self, selection: SelectionNode, level: int) -> int:
        if level > self._max_depth:
            raise self._too_deep(selection)
        if isinstance(selection, FieldNode):
            return self._field_depth(selection, level)
        if isinstance(selection, FragmentSpreadNode):
            return self._spread_depth(selection, level)
        if isinstance(selection, InlineFragmentNode):
            return self._deepest(selection.selection_set.selections, level)
        raise TypeError(f"unexpected selection {selection.kind}")

    def _field_depth(self, field: FieldNode, level: int) -> int:
        if field.name.value.startswith("__") or field.selection_set is None:
            return 0
        return 1 + self._deepest(field.selection_set.selections, level + 1)

    def _spread_depth(self, spread: FragmentSpreadNode, level: int) -> int:
        name = spread.name.value
        if name in self._fragment_depths:
            depth = self._fragment_depths[name]
            if level + depth > self._max_depth:
                raise self._too_deep(spread)
            return depth
        fragment = self._fragments.get(name)
        if fragment is None:
            raise unknown_fragment(spread)
        depth = self._deepest(fragment.selection_set.selections, level)
        self._fragment_depths[name] = depth
        return depth

    def _too_deep(self, selection: SelectionNode) -> RuleViolation:
        return RuleViolation(
            f"{self._operation_label} exceeds maximum allowed operation depth of {self._max_depth}.",
            selection,
        )
