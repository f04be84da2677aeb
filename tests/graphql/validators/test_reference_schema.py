"""The transcribed reference schema has the shape graphql.md §0 and §2 describe."""

from graphql import (
    GraphQLSchema,
    is_enum_type,
    is_input_object_type,
    is_introspection_type,
    is_object_type,
    is_union_type,
)


def test_the_schema_has_the_reference_size(schema: GraphQLSchema) -> None:
    types = [named for named in schema.type_map.values() if not is_introspection_type(named)]
    assert sum(map(is_object_type, types)) == 34
    assert sum(map(is_enum_type, types)) == 25
    assert sum(map(is_union_type, types)) == 1
    assert sum(map(is_input_object_type, types)) == 1
    assert schema.query_type is not None
    assert len(schema.query_type.fields) == 33
    assert schema.mutation_type is not None
    assert len(schema.mutation_type.fields) == 24
    assert schema.subscription_type is None


def test_the_cost_directives_are_declared_and_cost_factor_applied_once(schema: GraphQLSchema) -> None:
    assert schema.get_directive("cost") is not None
    assert schema.get_directive("costFactor") is not None
    applied = [
        (named.name, field_name)
        for named in schema.type_map.values()
        if is_object_type(named)
        for field_name, field in named.fields.items()
        if field.ast_node is not None and field.ast_node.directives
        for directive in field.ast_node.directives
        if directive.name.value in {"cost", "costFactor"}
    ]
    assert applied == [("NotificationFeed", "sections")]
