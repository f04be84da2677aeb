"""The GraphQL cache keys: which field identifies an object of each type (graphql.md §3.3).

One table for everything that needs it: the required-cache-key-fields validation rule, the tags of the
GraphQL response cache and the Stellate purge mutations (`purge<Type>(<keyField>: [...])`).
"""

from collections.abc import Mapping

CACHE_KEY_FIELD_BY_TYPE: Mapping[str, str] = {
    "User": "id",
    "Documentation": "id",
    "ComicSeries": "uuid",
    "ComicIssue": "uuid",
    "ComicIssueForSeries": "seriesUuid",
    "ComicStory": "uuid",
    "Creator": "uuid",
    "CreatorContent": "uuid",
    "HomeScreenComicSeries": "id",
    "HomeScreenCuratedList": "id",
    "List": "id",
    "SearchResults": "searchId",
    "BlueskyProfile": "did",
    "UserComicSeries": "seriesUuid",
    "CannySSO": "userId",
    "ProfileComicSeries": "userId",
    "ComicIssueStats": "uuid",
    "ComicSeriesStats": "uuid",
    "CommentStats": "uuid",
    "Comment": "uuid",
    "UserComment": "targetUuid",
    "CommentsForTarget": "targetUuid",
    "Notification": "id",
    "AggregatedNotification": "id",
    "NotificationItem": "uuid",
    "NotificationFeed": "userId",
    "NotificationSettingStatus": "userId",
    "NotificationSettingItem": "id",
}


def object_tag(type_name: str, key: str) -> str:
    """The tag of one GraphQL object, `Type:key`, as responses are tagged and purged by."""
    return f"{type_name}:{key}"
