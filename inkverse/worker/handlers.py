"""The message handlers of this build, by message type."""

from typing import TypeVar

import structlog
from dishka import AsyncContainer
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from inkverse.errors import ValidationError
from inkverse.notifications.content import is_uuid
from inkverse.notifications.delivery import NotificationDelivery
from inkverse.notifications.digest import DigestSender
from inkverse.notifications.fanout import EpisodeGoneError, NewEpisodeFanOut
from inkverse.queues.messages import (
    CreatorEpisodeLiked,
    MeasureStoryImages,
    MessageType,
    PushNotificationMessage,
    SendCreatorDigest,
    SendNotification,
)
from inkverse.taddy.processing import StoryImageMeasurer, WebhookProcessor
from inkverse.taddy.webhooks import TaddyWebhook
from inkverse.worker.registry import HandlerRegistry, MessageBody, PoisonMessageError

log = structlog.get_logger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse(model: type[ModelT], body: object, what: str) -> ModelT:
    """The message as `model`; a body that is not one can never succeed, so it is poison."""
    try:
        return model.model_validate(body)
    except PydanticValidationError as exc:
        raise PoisonMessageError(f"not {what}: {exc.errors()[0]['msg']}") from None


async def process_taddy_webhook(body: MessageBody, scope: AsyncContainer) -> None:
    webhook = parse(TaddyWebhook, body, "a Taddy webhook")
    processor = await scope.get(WebhookProcessor)
    try:
        await processor.process(webhook)
    except ValidationError as exc:
        raise PoisonMessageError(f"{webhook.event} {webhook.uuid}: {exc}") from None


async def send_push_notification(body: MessageBody, scope: AsyncContainer) -> None:
    """NEW_EPISODE_RELEASED: the fan-out to the series' subscribers. CREATOR_EPISODE_LIKED (the
    original's super-like body, never queued by it): acknowledged, as the daily digest covers it."""
    message = parse(PushNotificationMessage, {"body": body}, "a push notification").body
    if isinstance(message, CreatorEpisodeLiked):
        log.info("push.covered_by_digest", series=message.series_uuid, issues=len(message.issue_uuids))
        return
    for name, value in (("issueUuid", message.issue_uuid), ("seriesUuid", message.series_uuid)):
        if not is_uuid(value):
            raise PoisonMessageError(f"NEW_EPISODE_RELEASED: {name} {value!r} is not a uuid")
    try:
        await (await scope.get(NewEpisodeFanOut)).fan_out(message)
    except EpisodeGoneError as exc:
        raise PoisonMessageError(f"NEW_EPISODE_RELEASED: {exc}") from None


async def send_notification(body: MessageBody, scope: AsyncContainer) -> None:
    """Push and e-mail of the in-app notifications named; a failed send raises, so the queue retries."""
    message = parse(SendNotification, body, "a notification delivery")
    await (await scope.get(NotificationDelivery)).deliver(message.ids)


async def measure_story_images(body: MessageBody, scope: AsyncContainer) -> None:
    message = parse(MeasureStoryImages, body, "a story image request")
    await (await scope.get(StoryImageMeasurer)).measure(message)


async def send_creator_digest(body: MessageBody, scope: AsyncContainer) -> None:
    message = parse(SendCreatorDigest, body, "a creator digest")
    await (await scope.get(DigestSender)).send(message)


def default_registry() -> HandlerRegistry:
    return HandlerRegistry(
        {
            MessageType.PROCESS_TADDY_WEBHOOK: process_taddy_webhook,
            MessageType.SEND_PUSH_NOTIFICATION: send_push_notification,
            MessageType.MEASURE_STORY_IMAGES: measure_story_images,
            MessageType.SEND_NOTIFICATION: send_notification,
            MessageType.SEND_CREATOR_DIGEST: send_creator_digest,
        }
    )
