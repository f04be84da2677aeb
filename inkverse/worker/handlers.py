"""The message handlers of this build, by message type."""

import structlog
from dishka import AsyncContainer
from pydantic import ValidationError as PydanticValidationError

from inkverse.errors import ValidationError
from inkverse.queues.messages import (
    MeasureStoryImages,
    MessageType,
    PushNotificationMessage,
    SendNotification,
)
from inkverse.taddy.processing import StoryImageMeasurer, WebhookProcessor
from inkverse.taddy.webhooks import TaddyWebhook
from inkverse.worker.registry import HandlerRegistry, MessageBody, PoisonMessageError

log = structlog.get_logger(__name__)


async def process_taddy_webhook(body: MessageBody, scope: AsyncContainer) -> None:
    try:
        webhook = TaddyWebhook.model_validate(body)
    except PydanticValidationError as exc:
        raise PoisonMessageError(f"not a Taddy webhook: {exc.errors()[0]['msg']}") from None
    processor = await scope.get(WebhookProcessor)
    try:
        await processor.process(webhook)
    except ValidationError as exc:
        raise PoisonMessageError(f"{webhook.event} {webhook.uuid}: {exc}") from None


async def record_push_notification(body: MessageBody, _: AsyncContainer) -> None:
    """Push delivery (Expo) arrives with the notifications issue; until then each request is recorded."""
    try:
        message = PushNotificationMessage.model_validate({"body": body}).body
    except PydanticValidationError as exc:
        raise PoisonMessageError(f"not a push notification: {exc.errors()[0]['msg']}") from None
    log.info("push.recorded_not_sent", **message.model_dump(mode="json", by_alias=True))


async def record_notification_delivery(body: MessageBody, _: AsyncContainer) -> None:
    """Push and e-mail of one in-app notification arrive with the delivery issue; until then recorded."""
    try:
        message = SendNotification.model_validate(body)
    except PydanticValidationError as exc:
        raise PoisonMessageError(f"not a notification delivery: {exc.errors()[0]['msg']}") from None
    log.info("notification.recorded_not_sent", notification_id=message.notification_id)


async def measure_story_images(body: MessageBody, scope: AsyncContainer) -> None:
    try:
        message = MeasureStoryImages.model_validate(body)
    except PydanticValidationError as exc:
        raise PoisonMessageError(f"not a story image request: {exc.errors()[0]['msg']}") from None
    await (await scope.get(StoryImageMeasurer)).measure(message)


def default_registry() -> HandlerRegistry:
    return HandlerRegistry(
        {
            MessageType.PROCESS_TADDY_WEBHOOK: process_taddy_webhook,
            MessageType.SEND_PUSH_NOTIFICATION: record_push_notification,
            MessageType.MEASURE_STORY_IMAGES: measure_story_images,
            MessageType.SEND_NOTIFICATION: record_notification_delivery,
        }
    )
