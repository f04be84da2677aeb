"""The ORM tables: the 19 of the reference schema (database.md §2) plus our own side tables
`taddy_entity_state`, `queue_outbox`, `comicseries_search`, `job_runs`, `notification_deliveries` and
`push_tickets`.

Importing this package registers every table on `Base.metadata`.

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
from inkverse.database.tables.delivery import NotificationDelivery, PushTicket
from inkverse.database.tables.jobs import JobRun
from inkverse.database.tables.notifications import (
    NotificationPreference,
    NotificationSetting,
    UserNotification,
)
from inkverse.database.tables.outbox import QueueOutbox
from inkverse.database.tables.search import ComicSeriesSearch
from inkverse.database.tables.social import UserComment, UserLike, UserReport, UserSeriesSubscription
from inkverse.database.tables.taddy import TaddyEntityState
from inkverse.database.tables.users import OAuthToken, User, UserCreatorClaim, UserDevice

__all__ = [
    "ComicIssue",
    "ComicSeries",
    "ComicSeriesSearch",
    "ComicStory",
    "ContentType",
    "Creator",
    "CreatorContent",
    "CreatorLink",
    "HostingProvider",
    "JobRun",
    "NotificationDelivery",
    "NotificationPreference",
    "NotificationSetting",
    "OAuthToken",
    "PushTicket",
    "QueueOutbox",
    "TaddyEntityState",
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
