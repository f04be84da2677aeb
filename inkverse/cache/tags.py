"""The tags of a GraphQL response: `Type:key` for every object in it that carries its key field.

The response is walked along the operation's selections with the schema's types, so aliases,
fragment spreads and inline fragments are followed as the executor followed them. An object's type is
its `__typename` when selected, else the field's declared type (narrowed by a fragment's condition).
"""

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

from inkverse.cache.keys import CACHE_KEY_FIELD_BY_TYPE, object_tag

CompositeType = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


def response_tags(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, data: Mapping[str, Any]
) -> set[str]:
    root_type = schema.get_root_type(operation.operation)
    if root_type is None:
        return set()
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    collector = _TagCollector(schema, fragments)
    collector.visit_object(operation.selection_set, root_type, data)
    return collector.tags


class _TagCollector:
    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self._schema = schema
        self._fragments = fragments
        self.tags: set[str] = set()

    def visit_object(
        self, selection_set: SelectionSetNode, parent_type: CompositeType, value: Mapping[str, Any]
    ) -> None:
        type_name = self._runtime_type_name(parent_type, value)
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self._visit_field(selection, parent_type, type_name, value)
            elif isinstance(selection, InlineFragmentNode):
                self._visit_fragment(
                    selection.type_condition, selection.selection_set, parent_type, type_name, value
                )
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self._fragments.get(selection.name.value)
                if fragment is not None:
                    self._visit_fragment(
                        fragment.type_condition, fragment.selection_set, parent_type, type_name, value
                    )

    def _visit_field(
        self, field: FieldNode, parent_type: CompositeType, type_name: str, value: Mapping[str, Any]
    ) -> None:
        name = field.name.value
        response_key = field.alias.value if field.alias else name
        if name.startswith("__") or response_key not in value:
            return
        field_value = value[response_key]
        if name == CACHE_KEY_FIELD_BY_TYPE.get(type_name) and isinstance(field_value, (str, int)):
            self.tags.add(object_tag(type_name, str(field_value)))
        if field.selection_set is None or isinstance(parent_type, GraphQLUnionType):
            return
        definition = parent_type.fields.get(name)
        if definition is not None:
            self._visit_value(field.selection_set, definition.type, field_value)

    def _visit_value(self, selection_set: SelectionSetNode, type_: GraphQLOutputType, value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                self._visit_value(selection_set, type_, item)
            return
        named = get_named_type(type_)
        if isinstance(value, dict) and isinstance(named, CompositeType):
            self.visit_object(selection_set, named, value)

    def _visit_fragment(
        self,
        condition: NamedTypeNode | None,
        selection_set: SelectionSetNode,
        parent_type: CompositeType,
        type_name: str,
        value: Mapping[str, Any],
    ) -> None:
        fragment_type = self._schema.get_type(condition.name.value) if condition else parent_type
        if isinstance(fragment_type, CompositeType) and self._applies(fragment_type, type_name):
            self.visit_object(selection_set, fragment_type, value)

    def _applies(self, fragment_type: CompositeType, type_name: str) -> bool:
        runtime_type = self._schema.get_type(type_name)
        if not isinstance(runtime_type, GraphQLObjectType):
            # The object's own type is unknown: follow every fragment (extra tags only purge more).
            return True
        if isinstance(fragment_type, GraphQLObjectType):
            return fragment_type.name == type_name
        return self._schema.is_sub_type(fragment_type, runtime_type)

    @staticmethod
    def _runtime_type_name(parent_type: CompositeType, value: Mapping[str, Any]) -> str:
        typename = value.get("__typename")
        return typename if isinstance(typename, str) else parent_type.name
