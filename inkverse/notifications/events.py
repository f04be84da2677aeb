"""Notification event types and channels, and the default setting of each pair (integrations.md §5.6).

These are the domain's classes; `inkverse.graphql.enums` registers them under their GraphQL names.
"""

import enum


class NotificationEventType(enum.StrEnum):
    NEW_EPISODE_RELEASED = "NEW_EPISODE_RELEASED"
    COMMENT_REPLY = "COMMENT_REPLY"
    COMMENT_LIKED = "COMMENT_LIKED"
    CREATOR_EPISODE_LIKED = "CREATOR_EPISODE_LIKED"
    CREATOR_EPISODE_COMMENTED = "CREATOR_EPISODE_COMMENTED"


class NotificationChannel(enum.StrEnum):
    PUSH = "PUSH"
    EMAIL = "EMAIL"


class NotificationTimeBucket(enum.StrEnum):
    TODAY = "TODAY"
    THIS_WEEK = "THIS_WEEK"
    THIS_MONTH = "THIS_MONTH"
    EARLIER = "EARLIER"


_EMAILED_BY_DEFAULT = frozenset(
    {NotificationEventType.CREATOR_EPISODE_LIKED, NotificationEventType.CREATOR_EPISODE_COMMENTED}
)

DELIVERED_AT_ONCE = frozenset({NotificationEventType.COMMENT_REPLY, NotificationEventType.COMMENT_LIKED})
"""Events whose push and e-mail go out right away; creator events wait for the daily digest, and new
episodes are fanned out by the worker."""

AGGREGATED = (
    NotificationEventType.COMMENT_LIKED,
    NotificationEventType.CREATOR_EPISODE_LIKED,
    NotificationEventType.CREATOR_EPISODE_COMMENTED,
)
"""Events the feed groups by target and parent, with a count (graphql.md §2.6)."""

INDIVIDUAL = (NotificationEventType.COMMENT_REPLY, NotificationEventType.NEW_EPISODE_RELEASED)


def enabled_by_default(event: NotificationEventType, channel: NotificationChannel) -> bool:
    """PUSH is on for every event; EMAIL only for the creator events (`NOTIFICATION_DEFAULTS`)."""
    return channel is NotificationChannel.PUSH or event in _EMAILED_BY_DEFAULT
