"""Every GraphQL enum of the contract (graphql.md §2.3).

The catalog's enums are the domain's own classes (`inkverse.catalog_enums`, `inkverse.catalog.events`),
registered with Strawberry here under their GraphQL names: GraphQL shows the member names, in the
classes' order, and resolvers pass domain values through unchanged. The enums only the API knows follow.
"""

import enum

import strawberry

from inkverse.catalog.events import TaddyType
from inkverse.catalog_enums import (
    ComicSeriesLayoutType,
    ComicSeriesType,
    ContentRating,
    ContentRole,
    Country,
    Genre,
    InkverseType,
    Language,
    LinkType,
    SeriesStatus,
    SortOrder,
    TrendingMetric,
    TrendingPeriod,
)
from inkverse.notifications.events import NotificationChannel, NotificationEventType, NotificationTimeBucket

__all__ = [
    "AuthProvider",
    "ComicSeriesLayoutType",
    "ComicSeriesType",
    "CommentSortType",
    "ContentRating",
    "ContentRole",
    "Country",
    "CreatorClaimStatus",
    "Genre",
    "InkverseType",
    "Language",
    "LinkType",
    "ListType",
    "NotificationChannel",
    "NotificationEventType",
    "NotificationTimeBucket",
    "NotificationType",
    "PrivacyType",
    "ReportType",
    "SeriesStatus",
    "SortOrder",
    "TaddyType",
    "TrendingMetric",
    "TrendingPeriod",
    "UserAgeRange",
]

# In place: each call marks the class itself as a GraphQL enum (the name pins the contract's).
strawberry.enum(SortOrder, name="SortOrder")
strawberry.enum(Country, name="Country")
strawberry.enum(Language, name="Language")
strawberry.enum(Genre, name="Genre")
strawberry.enum(ContentRating, name="ContentRating")
strawberry.enum(ContentRole, name="ContentRole")
strawberry.enum(TaddyType, name="TaddyType")
strawberry.enum(InkverseType, name="InkverseType")
strawberry.enum(SeriesStatus, name="SeriesStatus")
strawberry.enum(ComicSeriesType, name="ComicSeriesType")
strawberry.enum(ComicSeriesLayoutType, name="ComicSeriesLayoutType")
strawberry.enum(LinkType, name="LinkType")
strawberry.enum(TrendingMetric, name="TrendingMetric")
strawberry.enum(TrendingPeriod, name="TrendingPeriod")


@strawberry.enum
class ListType(enum.Enum):
    COMICSERIES = "COMICSERIES"
    COMICISSUES = "COMICISSUES"
    CREATORS = "CREATORS"


@strawberry.enum
class PrivacyType(enum.Enum):
    PUBLIC = "PUBLIC"
    PRIVATE = "PRIVATE"


@strawberry.enum
class UserAgeRange(enum.Enum):
    UNDER_18 = "UNDER_18"
    AGE_18_24 = "AGE_18_24"
    AGE_25_34 = "AGE_25_34"
    AGE_35_PLUS = "AGE_35_PLUS"


@strawberry.enum
class AuthProvider(enum.Enum):
    GOOGLE = "GOOGLE"
    APPLE = "APPLE"
    EMAIL = "EMAIL"


@strawberry.enum
class CreatorClaimStatus(enum.Enum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@strawberry.enum
class NotificationType(enum.Enum):
    NEW_EPISODE_RELEASED = "NEW_EPISODE_RELEASED"


@strawberry.enum
class CommentSortType(enum.Enum):
    NEWEST = "NEWEST"
    TOP = "TOP"


@strawberry.enum
class ReportType(enum.Enum):
    COMMENT_SPAM = "COMMENT_SPAM"
    COMMENT_HARASSMENT = "COMMENT_HARASSMENT"
    COMMENT_SPOILER = "COMMENT_SPOILER"
    COMMENT_MEAN_OR_RUDE = "COMMENT_MEAN_OR_RUDE"
    COMICSERIES_INTELLECTUAL_PROPERTY_VIOLATION = "COMICSERIES_INTELLECTUAL_PROPERTY_VIOLATION"
    COMICSERIES_GENERATIVE_AI_CONTENT = "COMICSERIES_GENERATIVE_AI_CONTENT"
    COMICSERIES_CONTAINS_SEXUALLY_EXPLICIT_CONTENT = "COMICSERIES_CONTAINS_SEXUALLY_EXPLICIT_CONTENT"
    COMICSERIES_DECEPTIVE_OR_FRAUDULENT_CONTENT = "COMICSERIES_DECEPTIVE_OR_FRAUDULENT_CONTENT"
    COMICSERIES_CONTAINS_HATE_SPEECH = "COMICSERIES_CONTAINS_HATE_SPEECH"
    COMICSERIES_IS_SPAM = "COMICSERIES_IS_SPAM"
    COMICSERIES_CONTAINS_UNLAWFUL_CONTENT = "COMICSERIES_CONTAINS_UNLAWFUL_CONTENT"


strawberry.enum(NotificationEventType, name="NotificationEventType")
strawberry.enum(NotificationChannel, name="NotificationChannel")
strawberry.enum(NotificationTimeBucket, name="NotificationTimeBucket")
