"""What a notification says on each channel: the push (integrations.md §5.5) and the e-mail (§5.2) of
COMMENT_REPLY, COMMENT_LIKED and NEW_EPISODE_RELEASED, built from the rows they name."""

import uuid
from dataclasses import dataclass
from typing import Any

from inkverse.messaging.email import CommentLikedEmail, CommentReplyEmail, NewEpisodeEmail
from inkverse.messaging.email.messages import A_COMIC, SOMEONE, Email
from inkverse.messaging.push import PushMessage, RichContent
from inkverse.notifications.events import NotificationEventType

Event = NotificationEventType
COMMENT = "COMMENT"
COMICISSUE = "COMICISSUE"
COMICSERIES = "COMICSERIES"


@dataclass(frozen=True, slots=True)
class Issue:
    uuid: str
    name: str | None
    series_uuid: str
    banner_url: str | None


@dataclass(frozen=True, slots=True)
class Series:
    uuid: str
    name: str | None
    short_url: str


@dataclass(frozen=True, slots=True)
class About:
    """One notification with what its texts need: the issue (the new episode, or the one commented on),
    its series, and who acted (comments only; None when unknown or deleted)."""

    event: Event
    target_uuid: str
    parent_uuid: str | None
    issue: Issue | None
    series: Series | None
    actor_username: str | None = None

    @property
    def actor(self) -> str:
        return self.actor_username or SOMEONE


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def banner_url(image: dict[str, Any] | None) -> str | None:
    """The `banner_md` variant of a stored banner image (`base_url` + file), if there is one."""
    base, file = (image or {}).get("base_url"), (image or {}).get("banner_md")
    return f"{base}{file}" if isinstance(base, str) and isinstance(file, str) and base and file else None


def push_message(about: About, token: str) -> PushMessage | None:
    """The push to one device, or None when the notification cannot be told (its episode is gone)."""
    match about.event:
        case Event.NEW_EPISODE_RELEASED:
            return _new_episode_push(about, token)
        case Event.COMMENT_REPLY:
            return PushMessage(
                to=token,
                title="Yay! Someone replied to your comment",
                body=f"{about.actor} replied to your comment",
                data=_comment_data(about),
                priority="high",
                channel_id=Event.COMMENT_REPLY.value,
                sound="default",
                rich_content=_rich(about),
            )
        case Event.COMMENT_LIKED:
            return PushMessage(
                to=token,
                title="Yay! Someone liked your comment",
                body=f"{about.actor} liked your comment",
                data=_comment_data(about),
                channel_id=Event.COMMENT_LIKED.value,
                mutable_content=True,
                rich_content=_rich(about),
            )
        case _:
            return None


def email_message(about: About, unsubscribe_token: str) -> Email | None:
    """The e-mail, or None when the notification cannot be told."""
    issue, series = about.issue, about.series
    match about.event:
        case Event.NEW_EPISODE_RELEASED:
            if issue is None or series is None:
                return None
            return NewEpisodeEmail(
                series_name=series.name,
                series_short_url=series.short_url,
                issue_name=issue.name or "",
                issue_uuid=issue.uuid,
                banner_url=issue.banner_url,
                unsubscribe_token=unsubscribe_token,
            )
        case Event.COMMENT_REPLY | Event.COMMENT_LIKED:
            kind = CommentReplyEmail if about.event is Event.COMMENT_REPLY else CommentLikedEmail
            return kind(
                actor_username=about.actor_username,
                issue_name=issue.name if issue else None,
                series_name=series.name if series else None,
                unsubscribe_token=unsubscribe_token,
            )
        case _:
            return None


def _new_episode_push(about: About, token: str) -> PushMessage | None:
    if about.issue is None:
        return None
    series_name = (about.series.name if about.series else None) or A_COMIC
    return PushMessage(
        to=token,
        title="New Episode Released",
        body=f"A new episode of {series_name} just got released!",
        data={
            "type": Event.NEW_EPISODE_RELEASED.value,
            "seriesUuid": about.issue.series_uuid,
            "issueUuid": about.issue.uuid,
        },
        channel_id=Event.NEW_EPISODE_RELEASED.value,
        mutable_content=True,
        rich_content=_rich(about),
    )


def _comment_data(about: About) -> dict[str, Any]:
    data: dict[str, Any] = {"type": about.event.value, "targetUuid": about.target_uuid, "targetType": COMMENT}
    if about.parent_uuid is not None:
        data |= {"parentUuid": about.parent_uuid, "parentType": COMICISSUE}
    if about.issue is not None:
        data["seriesUuid"] = about.issue.series_uuid
    return data


def _rich(about: About) -> RichContent | None:
    image = about.issue.banner_url if about.issue else None
    return RichContent(image=image) if image else None
