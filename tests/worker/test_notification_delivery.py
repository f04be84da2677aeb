"""The notification message types are handled by the worker; a malformed one is poison (dead-lettered
at once) rather than retried. Delivery itself is tested in `tests/notifications/`."""

import pytest
from dishka import AsyncContainer

from inkverse.queues.messages import MessageType
from inkverse.worker.handlers import default_registry, send_notification, send_push_notification
from inkverse.worker.registry import PoisonMessageError


def test_both_notification_types_have_a_handler() -> None:
    types = default_registry().types
    assert MessageType.SEND_NOTIFICATION in types
    assert MessageType.SEND_PUSH_NOTIFICATION in types


async def test_a_delivery_without_its_notification_is_poison(container: AsyncContainer) -> None:
    with pytest.raises(PoisonMessageError, match="not a notification delivery"):
        await send_notification({"type": "SEND_NOTIFICATION"}, container)
    with pytest.raises(PoisonMessageError, match="not a notification delivery"):
        await send_notification({"type": "SEND_NOTIFICATION", "notificationIds": list(range(101))}, container)


async def test_a_new_episode_message_with_a_bad_uuid_is_poison(container: AsyncContainer) -> None:
    body = {"type": "SEND_PUSH_NOTIFICATION", "pushNotificationType": "NEW_EPISODE_RELEASED",
            "issueUuid": "not-a-uuid", "seriesUuid": "5c3a1f0e-7b2d-4e8a-9c6f-1d2e3f4a5b6c"}  # fmt: skip
    with pytest.raises(PoisonMessageError, match="issueUuid 'not-a-uuid' is not a uuid"):
        await send_push_notification(body, container)
