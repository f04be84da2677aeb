"""The complexity limit (graphql.md §3.2): scalar 1, object 18, x12 per list level, limit 5000."""

import time

from graphql import GraphQLSchema, build_schema, get_introspection_query, parse

from inkverse.graphql.validators import (
    MAX_COST,
    TOO_COMPLEX_MESSAGE,
    VALIDATION_RULES,
    ComplexityLimitRule,
    document_cost,
)
from tests.graphql.validators.client_operations import CLIENT_OPERATIONS
from tests.graphql.validators.reference_schema import REFERENCE_SDL
from tests.graphql.validators.support import validation_messages


def cost(schema: GraphQLSchema, source: str) -> float:
    return document_cost(schema, parse(source))


def complexity_messages(schema: GraphQLSchema, source: str) -> list[str]:
    return validation_messages(schema, source, [ComplexityLimitRule])


def test_the_limit_is_5000() -> None:
    assert MAX_COST == 5000


def test_an_object_costs_18_and_a_scalar_1(schema: GraphQLSchema) -> None:
    assert cost(schema, '{ getComicSeries(uuid: "x") { uuid name } }') == 20


def test_each_list_level_multiplies_by_12(schema: GraphQLSchema) -> None:
    source = '{ getComicSeries(uuid: "x") { uuid creators { uuid comics { uuid name } } } }'
    # 18 + 1 + 12 * (18 + 1) + 144 * (18 + 1 + 1)
    assert cost(schema, source) == 3127
    assert complexity_messages(schema, source) == []


def test_search_through_three_lists_is_rejected(schema: GraphQLSchema) -> None:
    source = "{ search { searchId comicSeries { uuid creators { uuid comics { uuid } } } } }"
    assert cost(schema, source) == 35815
    assert complexity_messages(schema, source) == [TOO_COMPLEX_MESSAGE]
    assert TOO_COMPLEX_MESSAGE == "This Query is too complex. Please delete some properties and try again."


def test_the_standard_introspection_query_is_accepted(schema: GraphQLSchema) -> None:
    source = get_introspection_query()
    assert 1424 <= cost(schema, source) <= 1433
    assert validation_messages(schema, source) == []


def test_lists_of_introspection_types_have_factor_1(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ __schema { types { name fields { name } } } }") == 18 + 18 + 1 + 18 + 1


def test_typename_costs_1_times_the_multiplier(schema: GraphQLSchema) -> None:
    assert cost(schema, '{ getComicSeries(uuid: "x") { uuid creators { __typename } } }') == 18 + 1 + 216 + 12


def test_a_union_costs_like_a_scalar(schema: GraphQLSchema) -> None:
    source = "{ getNotificationsForUser(buckets: [TODAY]) { sections { items { __typename } } } }"
    # sections carries @costFactor(value: 1); items is a list (x12) of a union (cost 1)
    assert cost(schema, source) == 18 + 18 + 12 + 12


def test_cost_factor_on_notification_sections_keeps_the_feed_under_the_limit(schema: GraphQLSchema) -> None:
    feed = next(operation for operation in CLIENT_OPERATIONS if operation.name == "GetNotificationFeed")
    without_factor = build_schema(REFERENCE_SDL.replace(" @costFactor(value: 1)", ""))
    assert cost(schema, feed.document) == 4072
    assert cost(without_factor, feed.document) > MAX_COST
    assert complexity_messages(without_factor, feed.document) == [TOO_COMPLEX_MESSAGE]


def test_cost_and_cost_factor_directives_override_the_defaults() -> None:
    schema = build_schema("""
        directive @cost(value: Float!) on FIELD_DEFINITION
        directive @costFactor(value: Float!) on FIELD_DEFINITION
        type Query { things: [Thing] @costFactor(value: 3) grid: [[Thing]] }
        type Thing { name: String @cost(value: 0.5) price: Int @cost(value: 40) }
    """)
    assert cost(schema, "{ things { name price } }") == 3 * 18 + 3 * 0.5 + 3 * 40
    assert cost(schema, "{ grid { name } }") == 144 * 18 + 144 * 0.5


def test_aliases_and_repeated_fields_are_counted_once(schema: GraphQLSchema) -> None:
    source = '{ a: getComicSeries(uuid: "x") { uuid } b: getComicSeries(uuid: "x") { name uuid } }'
    assert cost(schema, source) == 20


def test_the_same_field_with_other_arguments_is_counted_again(schema: GraphQLSchema) -> None:
    source = '{ a: getComicSeries(uuid: "x") { uuid } b: getComicSeries(uuid: "y") { uuid } }'
    assert cost(schema, source) == 38


def test_argument_order_does_not_matter(schema: GraphQLSchema) -> None:
    source = """{
      a: getComicIssue(uuid: "i", seriesUuid: "s") { uuid }
      b: getComicIssue(seriesUuid: "s", uuid: "i") { uuid }
    }"""
    assert cost(schema, source) == 19


def test_fragments_are_inlined_and_merged_with_the_fields_beside_them(schema: GraphQLSchema) -> None:
    source = """
    { getComicSeries(uuid: "x") { uuid name ...series creators { uuid } } }
    fragment series on ComicSeries { uuid name creators { uuid name } }
    """
    assert cost(schema, source) == 18 + 1 + 1 + 216 + 12 + 12


def test_inline_fragments_on_the_same_type_are_merged(schema: GraphQLSchema) -> None:
    source = """
    { getNotificationsForUser(buckets: [TODAY]) { sections { items {
        ... on Notification { id }
        ... on Notification { id createdAt }
        ... on AggregatedNotification { id }
    } } } }
    """
    assert cost(schema, source) == 18 + 18 + 12 + 12 * 2 + 12


def test_every_operation_of_the_document_counts(schema: GraphQLSchema) -> None:
    three_thousand = '{ getComicSeries(uuid: "x") { uuid creators { uuid comics { uuid name } } } }'
    source = three_thousand.replace("{", "query One {", 1) + three_thousand.replace("{", "query Two {", 1)
    assert cost(schema, source) == 2 * 3127
    assert complexity_messages(schema, source) == [TOO_COMPLEX_MESSAGE]


def test_unknown_fields_cost_like_scalars(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ nothing { at all } }") == 3


def test_a_fragment_cycle_is_left_to_the_specified_rule(schema: GraphQLSchema) -> None:
    source = "{ me { ...a } }\nfragment a on User { creator { user { ...a } } }"
    assert complexity_messages(schema, source) == []


def test_fragments_spread_exponentially_are_validated_quickly(schema: GraphQLSchema) -> None:
    levels = 40  # 2**40 paths: only memoised walks finish
    same_level = [f"fragment f{i} on ComicSeries {{ uuid ...f{i + 1} ...f{i + 1} }}" for i in range(levels)]
    nested = [
        f"fragment n{i} on ComicSeries {{ uuid creators {{ uuid comics {{ ...n{i + 1} ...n{i + 1} }} }} }}"
        for i in range(levels)
    ]
    source = "\n".join(
        [
            '{ a: getComicSeries(uuid: "a") { ...f0 } b: getComicSeries(uuid: "b") { ...n0 } }',
            *same_level,
            f"fragment f{levels} on ComicSeries {{ uuid name }}",
            *nested,
            f"fragment n{levels} on ComicSeries {{ uuid name }}",
        ]
    )
    started = time.perf_counter()
    messages = validation_messages(schema, source, VALIDATION_RULES)
    assert time.perf_counter() - started < 5
    assert messages == ["Query exceeds maximum allowed operation depth of 5.", TOO_COMPLEX_MESSAGE]
