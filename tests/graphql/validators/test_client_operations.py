"""The real client operations (graphql.md §4) pass all rules, at the depth and cost the reference lists."""

import pytest
from graphql import FieldNode, GraphQLSchema, Visitor, parse, print_ast, visit
from graphql.language import REMOVE, VisitorAction

from inkverse.graphql.validators import MAX_COST, MAX_DEPTH, document_cost, operation_depths
from tests.graphql.validators.client_operations import CLIENT_OPERATIONS, ClientOperation
from tests.graphql.validators.support import validation_messages


class _WithoutTypename(Visitor):
    def enter_field(self, node: FieldNode, *_args: object) -> VisitorAction:
        return REMOVE if node.name.value == "__typename" else None


def test_all_fifty_operations_are_transcribed() -> None:
    names = [operation.name for operation in CLIENT_OPERATIONS]
    assert len(names) == 50
    assert len(set(names)) == 50


@pytest.mark.parametrize("operation", CLIENT_OPERATIONS, ids=lambda operation: operation.name)
def test_the_operation_validates_cleanly(schema: GraphQLSchema, operation: ClientOperation) -> None:
    assert validation_messages(schema, operation.document) == []


@pytest.mark.parametrize("operation", CLIENT_OPERATIONS, ids=lambda operation: operation.name)
def test_depth_and_cost_are_the_reference_ones(schema: GraphQLSchema, operation: ClientOperation) -> None:
    document = parse(operation.document)
    assert operation_depths(document) == {operation.name: operation.depth}
    assert document_cost(schema, document) == operation.cost


def test_the_notification_feed_is_the_deepest_and_most_expensive(schema: GraphQLSchema) -> None:
    deepest = max(CLIENT_OPERATIONS, key=lambda operation: operation.depth)
    costliest = max(CLIENT_OPERATIONS, key=lambda operation: operation.cost)
    assert (deepest.name, deepest.depth) == ("GetNotificationFeed", MAX_DEPTH)
    assert (costliest.name, costliest.cost) == ("GetNotificationFeed", 4072)
    assert costliest.cost < MAX_COST


def test_the_notification_feed_without_apollo_typenames_costs_3854(schema: GraphQLSchema) -> None:
    feed = next(operation for operation in CLIENT_OPERATIONS if operation.name == "GetNotificationFeed")
    stripped = visit(parse(feed.document), _WithoutTypename())
    assert "__typename" not in print_ast(stripped)
    assert document_cost(schema, stripped) == 3854
