"""What the three validation rules share: how they index a document and how they abort."""

from collections.abc import Iterable, Mapping

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionNode,
)


class RuleViolation(Exception):  # noqa: N818 - a verdict, not a crash
    """Ends a rule's walk at the first violation; the rule reports the message as a validation error."""

    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.message = message
        self.node = node


def unknown_fragment(spread: FragmentSpreadNode) -> RuleViolation:
    # The original rules crash on a spread of an undefined fragment and report the crash message.
    return RuleViolation(f'Unknown fragment "{spread.name.value}".', spread)


def operations_by_name(document: DocumentNode) -> dict[str, OperationDefinitionNode]:
    """Operations by name ("" when anonymous); as in the original, a later namesake replaces the earlier."""
    operations: dict[str, OperationDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            operations[definition.name.value if definition.name else ""] = definition
    return operations


def fragments_by_name(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def has_fragment_cycle(fragments: Mapping[str, FragmentDefinitionNode]) -> bool:
    """Whether some fragment spreads itself, directly or not.

    The rules do not walk such documents (the original ones recurse until the stack overflows);
    graphql-core's NoFragmentCyclesRule rejects them.
    """
    spreads = {name: _spread_names(fragment.selection_set.selections) for name, fragment in fragments.items()}
    finished: set[str] = set()

    def reaches_itself(name: str, path: frozenset[str]) -> bool:
        if name in path:
            return True
        if name in finished or name not in spreads:
            return False
        found = any(reaches_itself(spread, path | {name}) for spread in spreads[name])
        finished.add(name)
        return found

    return any(reaches_itself(name, frozenset()) for name in fragments)


def _spread_names(selections: Iterable[SelectionNode]) -> set[str]:
    names: set[str] = set()
    for selection in selections:
        if isinstance(selection, FragmentSpreadNode):
            names.add(selection.name.value)
        elif isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
            names |= _spread_names(selection.selection_set.selections)
    return names
