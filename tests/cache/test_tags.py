"""Tags of a response: walked along the document with the schema's types."""

from typing import Any

from graphql import OperationDefinitionNode, build_schema, get_operation_ast, parse

from inkverse.cache.tags import response_tags

SCHEMA = build_schema(
    """
    type Query {
      getComicSeries(uuid: ID): ComicSeries
      getIssuesForComicSeries(seriesUuid: ID!): ComicIssueForSeries
      getRecentlyAddedComicSeries: HomeScreenComicSeries
      feed: [FeedItem!]!
      node: Named
    }
    type ComicSeries implements Named { uuid: ID! name: String creators: [Creator] }
    type Creator implements Named { uuid: ID! name: String }
    type ComicIssue { uuid: ID! name: String }
    type ComicIssueForSeries { seriesUuid: ID! issues: [ComicIssue!]! }
    type HomeScreenComicSeries { id: ID! comicSeries: [ComicSeries] }
    union FeedItem = ComicSeries | ComicIssue
    interface Named { name: String }
    """
)


def tags_of(query: str, data: dict[str, Any]) -> set[str]:
    document = parse(query)
    operation = get_operation_ast(document)
    assert isinstance(operation, OperationDefinitionNode)
    return response_tags(SCHEMA, document, operation, data)


def test_objects_with_their_key_field_are_tagged_through_lists() -> None:
    query = "{ getComicSeries(uuid: 1) { uuid creators { uuid name } } }"
    data = {"getComicSeries": {"uuid": "s1", "creators": [{"uuid": "c1", "name": "A"}, None]}}
    assert tags_of(query, data) == {"ComicSeries:s1", "Creator:c1"}


def test_aliases_are_followed_and_the_key_is_read_under_its_alias() -> None:
    query = "{ first: getComicSeries(uuid: 1) { id: uuid } second: getComicSeries(uuid: 2) { uuid } }"
    data = {"first": {"id": "s1"}, "second": {"uuid": "s2"}}
    assert tags_of(query, data) == {"ComicSeries:s1", "ComicSeries:s2"}


def test_a_field_named_like_a_key_under_another_type_is_not_a_tag() -> None:
    query = "{ getComicSeries(uuid: 1) { uuid: name } }"
    assert tags_of(query, {"getComicSeries": {"uuid": "Ink"}}) == set()


def test_fragments_spreads_and_nested_keys() -> None:
    query = """
      query Page { getIssuesForComicSeries(seriesUuid: 1) { ...List }
                   home: getRecentlyAddedComicSeries { id comicSeries { ... on ComicSeries { uuid } } } }
      fragment List on ComicIssueForSeries { seriesUuid issues { ...Issue } }
      fragment Issue on ComicIssue { uuid }
    """
    data = {
        "getIssuesForComicSeries": {"seriesUuid": "s1", "issues": [{"uuid": "i1"}, {"uuid": "i2"}]},
        "home": {"id": "recently-added", "comicSeries": [{"uuid": "s2"}]},
    }
    assert tags_of(query, data) == {
        "ComicIssueForSeries:s1",
        "ComicIssue:i1",
        "ComicIssue:i2",
        "HomeScreenComicSeries:recently-added",
        "ComicSeries:s2",
    }


def test_union_members_are_typed_by_typename() -> None:
    query = "{ feed { __typename ... on ComicSeries { uuid } ... on ComicIssue { uuid } } }"
    data = {"feed": [{"__typename": "ComicSeries", "uuid": "s1"}, {"__typename": "ComicIssue", "uuid": "i1"}]}
    assert tags_of(query, data) == {"ComicSeries:s1", "ComicIssue:i1"}


def test_interface_fragments_apply_to_their_implementations() -> None:
    query = "{ node { __typename ... on Named { name } ... on Creator { uuid } } }"
    assert tags_of(query, {"node": {"__typename": "Creator", "name": "A", "uuid": "c1"}}) == {"Creator:c1"}


def test_skipped_and_null_fields_add_nothing() -> None:
    query = "query($no: Boolean!) { getComicSeries(uuid: 1) { uuid @skip(if: $no) name } }"
    assert tags_of(query, {"getComicSeries": {"name": "Ink"}}) == set()
    assert tags_of("{ getComicSeries(uuid: 1) { uuid } }", {"getComicSeries": None}) == set()
