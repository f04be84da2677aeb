"""The required cache-key fields rule (graphql.md §3.3) and its quirks."""

from graphql import GraphQLSchema, build_schema, get_introspection_query

from inkverse.graphql.validators import RequiredCacheKeyFieldsRule, cache_keyed_field_types
from tests.graphql.validators.support import validation_messages

USER_COMIC_SERIES_MUTATIONS = [
    "subscribeToSeries",
    "unsubscribeFromSeries",
    "enableNotificationsForSeries",
    "disableNotificationsForSeries",
    "likeComicIssue",
    "unlikeComicIssue",
    "superLikeAllEpisodes",
]

# The field-name map graphql.md §3.3 lists for the reference schema.
EXPECTED_FIELD_TYPES = {
    "getBlueskyProfile": "BlueskyProfile",
    "cannySso": "CannySSO",
    **dict.fromkeys(["comicIssue", "getComicIssue", "issues", "nextIssue", "previousIssue"], "ComicIssue"),
    "getIssuesForComicSeries": "ComicIssueForSeries",
    "getStatsForComicIssue": "ComicIssueStats",
    **dict.fromkeys(
        [
            "comicSeries",
            "comics",
            "comicseries",
            "getComicSeries",
            "getComicsFromBlueskyCreators",
            "getComicsFromPatreonCreators",
        ],
        "ComicSeries",
    ),
    "getStatsForComicSeries": "ComicSeriesStats",
    **dict.fromkeys(["getComicStory", "stories"], "ComicStory"),
    **dict.fromkeys(["addComment", "comment", "editComment", "setCommentVisibility"], "Comment"),
    "stats": "CommentStats",
    **dict.fromkeys(["getComments", "getRepliesForComment"], "CommentsForTarget"),
    **dict.fromkeys(["creator", "creators", "getCreator"], "Creator"),
    **dict.fromkeys(["content", "getCreatorContent"], "CreatorContent"),
    "getDocumentation": "Documentation",
    **dict.fromkeys(
        [
            "getFeaturedComicSeries",
            "getMostPopularComicSeries",
            "getRecentlyAddedComicSeries",
            "getRecentlyUpdatedComicSeries",
            "getTrendingComicSeries",
        ],
        "HomeScreenComicSeries",
    ),
    "getCuratedLists": "HomeScreenCuratedList",
    **dict.fromkeys(["getList", "lists"], "List"),
    "getNotificationsForUser": "NotificationFeed",
    **dict.fromkeys(["parentItem", "targetItem"], "NotificationItem"),
    "addOrUpdateNotificationSetting": "NotificationSettingItem",
    "getNotificationSettings": "NotificationSettingStatus",
    "getUserSubscribedComics": "ProfileComicSeries",
    "search": "SearchResults",
    **dict.fromkeys(
        [
            "actor",
            "getUserById",
            "getUserByUsername",
            "me",
            "saveBlueskyDid",
            "updateUserEmail",
            "updateUserProfile",
            "user",
        ],
        "User",
    ),
    **dict.fromkeys([*USER_COMIC_SERIES_MUTATIONS, "getUserComicSeries"], "UserComicSeries"),
    **dict.fromkeys(["getUserComments", "likeComment", "unlikeComment"], "UserComment"),
}


def required_messages(schema: GraphQLSchema, source: str) -> list[str]:
    return validation_messages(schema, source, [RequiredCacheKeyFieldsRule])


def missing(type_name: str, key: str, inside: str) -> str:
    return (
        f"The type {type_name} is required to return the property {key}. "
        f"Inside of {inside} please add the property {key} to the query."
    )


def test_the_field_name_map_is_the_reference_one(schema: GraphQLSchema) -> None:
    assert dict(cache_keyed_field_types(schema)) == EXPECTED_FIELD_TYPES


def test_only_one_type_wrapper_is_looked_through() -> None:
    schema = build_schema("""
        type Query {
          plain: User required: User! list: [User] requiredList: [User]! strict: [User!] both: [User!]!
        }
        type User { id: ID! name: String }
    """)
    assert dict(cache_keyed_field_types(schema)) == dict.fromkeys(["plain", "required", "list"], "User")


def test_a_selection_without_the_key_is_rejected_with_the_reference_message(schema: GraphQLSchema) -> None:
    messages = validation_messages(schema, '{ getComicSeries(uuid: "x") { name } }')
    assert messages == [missing("ComicSeries", "uuid", "getComicSeries")]
    assert messages == [
        "The type ComicSeries is required to return the property uuid. "
        "Inside of getComicSeries please add the property uuid to the query."
    ]


def test_nested_selections_are_checked(schema: GraphQLSchema) -> None:
    source = '{ getComicSeries(uuid: "x") { uuid creators { uuid comics { name } } } }'
    assert required_messages(schema, source) == [missing("ComicSeries", "uuid", "comics")]


def test_mutations_are_checked(schema: GraphQLSchema) -> None:
    source = 'mutation { subscribeToSeries(seriesUuid: "x") { isSubscribed } }'
    assert required_messages(schema, source) == [
        missing("UserComicSeries", "seriesUuid", "subscribeToSeries")
    ]


def test_a_key_given_only_in_an_inline_fragment_does_not_count(schema: GraphQLSchema) -> None:
    source = '{ getComicSeries(uuid: "x") { name ... on ComicSeries { uuid } } }'
    assert required_messages(schema, source) == [missing("ComicSeries", "uuid", "getComicSeries")]


def test_a_selection_of_only_inline_fragments_is_not_checked(schema: GraphQLSchema) -> None:
    assert required_messages(schema, '{ getComicSeries(uuid: "x") { ... on ComicSeries { name } } }') == []


def test_the_type_of_an_inline_fragment_is_not_checked(schema: GraphQLSchema) -> None:
    source = """{ getNotificationsForUser(buckets: [TODAY]) {
        userId sections { items { ... on Notification { eventType } } }
    } }"""
    assert required_messages(schema, source) == []


def test_a_fragment_spread_turns_the_check_off_at_its_level(schema: GraphQLSchema) -> None:
    source = """
    { getComicSeries(uuid: "x") { name ...described } }
    fragment described on ComicSeries { description ...keyed }
    fragment keyed on ComicSeries { uuid }
    """
    assert required_messages(schema, source) == []


def test_a_fragment_spread_does_not_turn_the_check_off_below(schema: GraphQLSchema) -> None:
    source = """
    { getComicSeries(uuid: "x") { ...keyed creators { name } } }
    fragment keyed on ComicSeries { uuid }
    """
    assert required_messages(schema, source) == [missing("Creator", "uuid", "creators")]


def test_a_fragment_on_a_keyed_type_must_contain_the_key(schema: GraphQLSchema) -> None:
    source = """
    { getComicSeries(uuid: "x") { ...series } }
    fragment series on ComicSeries { name }
    """
    assert required_messages(schema, source) == [missing("ComicSeries", "uuid", "series")]


def test_a_fragment_on_a_type_without_key_is_not_checked(schema: GraphQLSchema) -> None:
    source = """
    { getCreator(uuid: "x") { uuid links { ...link } } }
    fragment link on LinkDetails { url }
    """
    assert required_messages(schema, source) == []


def test_fields_returning_lists_of_non_null_items_are_not_checked(schema: GraphQLSchema) -> None:
    comments = '{ getComments(targetUuid: "x", targetType: COMICISSUE) { targetUuid comments { text } } }'
    settings = "{ getNotificationSettings { userId settings { isEnabled } } }"
    assert required_messages(schema, comments) == []
    assert required_messages(schema, settings) == []


def test_the_field_name_counts_not_its_alias(schema: GraphQLSchema) -> None:
    assert required_messages(schema, '{ series: getComicSeries(uuid: "x") { key: uuid name } }') == []
    assert required_messages(schema, '{ series: getComicSeries(uuid: "x") { uuid: name } }') == [
        missing("ComicSeries", "uuid", "getComicSeries")
    ]


def test_the_check_goes_by_field_name_whatever_the_parent_type() -> None:
    schema = build_schema("""
        type Query { creator: Creator note: Note }
        type Creator { uuid: ID! name: String }
        type Note { creator: Memo }
        type Memo { text: String }
    """)
    assert required_messages(schema, "{ note { creator { text } } }") == [
        missing("Creator", "uuid", "creator")
    ]


def test_only_the_first_violation_is_reported(schema: GraphQLSchema) -> None:
    source = """
    query First { getCreator(uuid: "x") { name } }
    query Second { getComicSeries(uuid: "x") { name } }
    """
    assert required_messages(schema, source) == [missing("Creator", "uuid", "getCreator")]


def test_every_operation_of_the_document_is_checked(schema: GraphQLSchema) -> None:
    source = """
    query Fine { me { id } }
    query Broken { me { username } }
    """
    assert required_messages(schema, source) == [missing("User", "id", "me")]


def test_introspection_fields_are_skipped(schema: GraphQLSchema) -> None:
    assert required_messages(schema, get_introspection_query()) == []
    assert required_messages(schema, '{ getComicSeries(uuid: "x") { uuid __typename } }') == []


def test_a_spread_of_an_unknown_fragment_is_reported(schema: GraphQLSchema) -> None:
    assert required_messages(schema, "{ me { ...missing } }") == ['Unknown fragment "missing".']


def test_a_fragment_cycle_is_left_to_the_specified_rule(schema: GraphQLSchema) -> None:
    assert required_messages(schema, "{ me { ...a } }\nfragment a on User { ...a }") == []
