"""The depth limit (graphql.md §3.1): root fields are level 0, nothing may sit deeper than level 5."""

import pytest
from graphql import GraphQLSchema, get_introspection_query, parse

from inkverse.graphql.validators import MAX_DEPTH, DepthLimitRule, RuleViolation, operation_depths
from tests.graphql.validators.support import validation_messages

# getNotificationsForUser(0) > sections(1) > items(2) > targetItem(3) > comicIssue(4) > <leaf>(5)
NOTIFICATION_PATH = """
query Feed {
  getNotificationsForUser(buckets: [TODAY]) {
    userId
    sections {
      items {
        ... on Notification {
          id
          targetItem { uuid comicIssue { %s } }
        }
      }
    }
  }
}
"""


def depth_messages(schema: GraphQLSchema, source: str) -> list[str]:
    return validation_messages(schema, source, [DepthLimitRule])


def test_the_limit_is_five() -> None:
    assert MAX_DEPTH == 5


def test_a_leaf_at_level_five_passes(schema: GraphQLSchema) -> None:
    source = NOTIFICATION_PATH % "uuid"
    assert validation_messages(schema, source) == []
    assert operation_depths(parse(source)) == {"Feed": 5}


def test_a_leaf_at_level_six_fails(schema: GraphQLSchema) -> None:
    source = NOTIFICATION_PATH % "uuid comicSeries { uuid }"
    assert depth_messages(schema, source) == ["Feed exceeds maximum allowed operation depth of 5."]


def test_typename_at_level_six_fails(schema: GraphQLSchema) -> None:
    source = NOTIFICATION_PATH % "uuid comicSeries { __typename }"
    assert depth_messages(schema, source) == ["Feed exceeds maximum allowed operation depth of 5."]


def test_typename_at_level_five_passes(schema: GraphQLSchema) -> None:
    assert depth_messages(schema, NOTIFICATION_PATH % "__typename") == []


def test_an_anonymous_operation_is_called_query(schema: GraphQLSchema) -> None:
    source = "{ me { creator { comics { creators { user { creator { uuid } } } } } } }"
    assert depth_messages(schema, source) == ["Query exceeds maximum allowed operation depth of 5."]


def test_mutations_are_limited_too(schema: GraphQLSchema) -> None:
    source = """
    mutation Deep {
      addComment(issueUuid: "i", seriesUuid: "s", text: "t") {
        user { creator { comics { creators { user { id } } } } }
      }
    }
    """
    assert depth_messages(schema, source) == ["Deep exceeds maximum allowed operation depth of 5."]


def test_fragments_are_inlined_and_add_no_level(schema: GraphQLSchema) -> None:
    source = """
    query Spread { getComicSeries(uuid: "x") { ...series } }
    fragment series on ComicSeries { uuid creators { ...creator } }
    fragment creator on Creator { uuid comics { uuid creators { uuid user { ... on User { %s } } } } }
    """
    assert depth_messages(schema, source % "id") == []
    assert operation_depths(parse(source % "id")) == {"Spread": 5}
    assert depth_messages(schema, source % "id creator { uuid }") == [
        "Spread exceeds maximum allowed operation depth of 5."
    ]


def test_introspection_is_not_depth_limited(schema: GraphQLSchema) -> None:
    assert validation_messages(schema, get_introspection_query()) == []
    deep_type = (
        '{ __type(name: "ComicSeries") { fields { type { ofType { ofType { ofType { name } } } } } } }'
    )
    assert depth_messages(schema, deep_type) == []


def test_an_introspection_field_is_itself_checked(schema: GraphQLSchema) -> None:
    source = NOTIFICATION_PATH % "uuid comicSeries { __schema { queryType { name } } }"
    assert depth_messages(schema, source) == ["Feed exceeds maximum allowed operation depth of 5."]


def test_every_operation_of_the_document_is_checked(schema: GraphQLSchema) -> None:
    source = "query Shallow { me { id } }\n" + NOTIFICATION_PATH.replace("Feed", "Deep") % (
        "uuid comicSeries { uuid }"
    )
    assert depth_messages(schema, source) == ["Deep exceeds maximum allowed operation depth of 5."]


def test_only_the_first_too_deep_operation_is_reported(schema: GraphQLSchema) -> None:
    too_deep = NOTIFICATION_PATH % "uuid comicSeries { uuid }"
    source = too_deep.replace("Feed", "First") + too_deep.replace("Feed", "Second")
    assert depth_messages(schema, source) == ["First exceeds maximum allowed operation depth of 5."]


def test_a_fragment_spread_many_times_is_checked_at_each_level(schema: GraphQLSchema) -> None:
    source = """
    query Reuse {
      getComicSeries(uuid: "x") { ...names creators { comics { creators { comics { ...names } } } } }
    }
    fragment names on ComicSeries { uuid creators { uuid } }
    """
    assert depth_messages(schema, source) == ["Reuse exceeds maximum allowed operation depth of 5."]
    with pytest.raises(RuleViolation):
        operation_depths(parse(source))


def test_a_spread_of_an_unknown_fragment_is_reported(schema: GraphQLSchema) -> None:
    messages = validation_messages(schema, "{ me { ...missing } }")
    assert 'Unknown fragment "missing".' in messages


def test_a_fragment_cycle_is_left_to_the_specified_rule(schema: GraphQLSchema) -> None:
    source = """
    { me { ...a } }
    fragment a on User { creator { user { ...a } } }
    """
    assert depth_messages(schema, source) == []
    assert validation_messages(schema, source) == ["Cannot spread fragment 'a' within itself."]
