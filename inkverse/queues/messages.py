"""Message types and the typed bodies of the messages the worker consumes (integrations.md §3.2).

Bodies are JSON objects with a top-level `type`; the bodies the original server produces are accepted
unchanged. A `PROCESS_TADDY_WEBHOOK` body is the webhook delivery itself plus `type`.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class MessageType(StrEnum):
    PROCESS_TADDY_WEBHOOK = "PROCESS_TADDY_WEBHOOK"
    SEND_PUSH_NOTIFICATION = "SEND_PUSH_NOTIFICATION"
    MEASURE_STORY_IMAGES = "MEASURE_STORY_IMAGES"
    SEND_NOTIFICATION = "SEND_NOTIFICATION"


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


class SendNotification(_Body):
    """Ours, not the original's: push and e-mail one in-app notification (`user_notifications.id`) per
    its recipient's settings; the original sent them from inside the API request."""

    type: Literal[MessageType.SEND_NOTIFICATION] = MessageType.SEND_NOTIFICATION
    notification_id: int = Field(alias="notificationId")


def dump(message: BaseModel) -> dict[str, object]:
    """The wire form: field aliases (camelCase), as the original's consumers expect."""
    return message.model_dump(mode="json", by_alias=True)
