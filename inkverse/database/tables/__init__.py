"""The ORM tables (database.md §2): importing this package registers all 19 on `Base.metadata`.

Use as a module, `from inkverse.database import tables` then `tables.ComicSeries`, so model names never
collide with GraphQL types of the same name.
"""

from inkverse.database.tables.content import (
    ComicIssue,
    ComicSeries,
    ComicStory,
    ContentType,
    Creator,
    CreatorContent,
    CreatorLink,
    HostingProvider,
    UUIDLookup,
)
from inkverse.database.tables.notifications import (
    NotificationPreference,
    NotificationSetting,
    UserNotification,
)
from inkverse.database.tables.social import UserComment, UserLike, UserReport, UserSeriesSubscription
from inkverse.database.tables.users import OAuthToken, User, UserCreatorClaim, UserDevice

__all__ = [
    "ComicIssue",
    "ComicSeries",
    "ComicStory",
    "ContentType",
    "Creator",
    "CreatorContent",
    "CreatorLink",
    "HostingProvider",
    "NotificationPreference",
    "NotificationSetting",
    "OAuthToken",
    "UUIDLookup",
    "User",
    "UserComment",
    "UserCreatorClaim",
    "UserDevice",
    "UserLike",
    "UserNotification",
    "UserReport",
    "UserSeriesSubscription",
]
