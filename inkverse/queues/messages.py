"""Message types and the typed bodies of the messages the worker consumes (integrations.md §3.2).

Bodies are JSON objects with a top-level `type`; the bodies the original server produces are accepted
unchanged. A `PROCESS_TADDY_WEBHOOK` body is the webhook delivery itself plus `type`.
"""

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class MessageType(StrEnum):
    PROCESS_TADDY_WEBHOOK = "PROCESS_TADDY_WEBHOOK"
    SEND_PUSH_NOTIFICATION = "SEND_PUSH_NOTIFICATION"
    MEASURE_STORY_IMAGES = "MEASURE_STORY_IMAGES"
    SEND_NOTIFICATION = "SEND_NOTIFICATION"
    SEND_CREATOR_DIGEST = "SEND_CREATOR_DIGEST"


class PushNotificationType(StrEnum):
    NEW_EPISODE_RELEASED = "NEW_EPISODE_RELEASED"
    CREATOR_EPISODE_LIKED = "CREATOR_EPISODE_LIKED"


class _Body(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class NewEpisodeReleased(_Body):
    type: Literal[MessageType.SEND_PUSH_NOTIFICATION] = MessageType.SEND_PUSH_NOTIFICATION
    push_notification_type: Literal[PushNotificationType.NEW_EPISODE_RELEASED] = Field(
        default=PushNotificationType.NEW_EPISODE_RELEASED, alias="pushNotificationType"
    )
    issue_uuid: str = Field(alias="issueUuid")
    series_uuid: str = Field(alias="seriesUuid")


class CreatorEpisodeLiked(_Body):
    type: Literal[MessageType.SEND_PUSH_NOTIFICATION] = MessageType.SEND_PUSH_NOTIFICATION
    push_notification_type: Literal[PushNotificationType.CREATOR_EPISODE_LIKED] = Field(
        default=PushNotificationType.CREATOR_EPISODE_LIKED, alias="pushNotificationType"
    )
    issue_uuids: list[str] = Field(alias="issueUuids")
    series_uuid: str = Field(alias="seriesUuid")
    sender_id: str | int = Field(alias="senderId")


PushNotification = Annotated[
    NewEpisodeReleased | CreatorEpisodeLiked, Field(discriminator="push_notification_type")
]


class PushNotificationMessage(BaseModel):
    body: PushNotification


class MeasureStoryImages(_Body):
    """Ours, not the original's: the stories of one issue whose images are to be measured."""

    type: Literal[MessageType.MEASURE_STORY_IMAGES] = MessageType.MEASURE_STORY_IMAGES
    issue_uuid: str = Field(alias="issueUuid")
    story_uuids: list[str] = Field(alias="storyUuids", min_length=1)


MAX_NOTIFICATIONS_PER_DELIVERY = 100


class SendNotification(_Body):
    """Ours, not the original's: push and e-mail in-app notifications (`user_notifications.id`) per
    their recipients' settings; the original sent them from inside the API request. One notification
    (`notificationId`, as the social actions stage it) or a batch of the new-episode fan-out
    (`notificationIds`, at most `MAX_NOTIFICATIONS_PER_DELIVERY`)."""

    type: Literal[MessageType.SEND_NOTIFICATION] = MessageType.SEND_NOTIFICATION
    notification_id: int | None = Field(default=None, alias="notificationId")
    notification_ids: list[int] | None = Field(
        default=None, alias="notificationIds", min_length=1, max_length=MAX_NOTIFICATIONS_PER_DELIVERY
    )

    @model_validator(mode="after")
    def _names_a_notification(self) -> Self:
        if self.notification_id is None and self.notification_ids is None:
            raise ValueError("notificationId or notificationIds is required")
        return self

    @property
    def ids(self) -> list[int]:
        """Every notification named, each once, in order."""
        named = [self.notification_id] if self.notification_id is not None else []
        return list(dict.fromkeys([*named, *(self.notification_ids or [])]))


MAX_DIGESTS_PER_MESSAGE = 100


class DigestRecipient(_Body):
    user_id: int = Field(alias="userId")
    episode_likes: int = Field(alias="episodeLikes", ge=0)
    episode_comments: int = Field(alias="episodeComments", ge=0)


class SendCreatorDigest(_Body):
    """Ours, not the original's: the creator digest of the window `[windowStart, windowEnd)` (epoch
    seconds) for up to `MAX_DIGESTS_PER_MESSAGE` creators, with their counts as staged by the job."""

    type: Literal[MessageType.SEND_CREATOR_DIGEST] = MessageType.SEND_CREATOR_DIGEST
    window_start: int = Field(alias="windowStart")
    window_end: int = Field(alias="windowEnd")
    recipients: list[DigestRecipient] = Field(min_length=1, max_length=MAX_DIGESTS_PER_MESSAGE)


def dump(message: BaseModel) -> dict[str, object]:
    """The wire form: field aliases (camelCase), as the original's consumers expect; fields left unset
    are left out (the original's producer dropped top-level nulls too)."""
    return message.model_dump(mode="json", by_alias=True, exclude_none=True)
