"""`SEND_NOTIFICATION` (staged by `NotificationWriter`) is a known message type: accepted until delivery
is built, and a malformed one is dead-lettered rather than retried."""

import pytest
from dishka import AsyncContainer

from inkverse.queues.messages import MessageType, SendNotification, dump
from inkverse.worker.handlers import default_registry, record_notification_delivery
from inkverse.worker.registry import PoisonMessageError


async def test_a_staged_delivery_is_accepted(container: AsyncContainer) -> None:
    assert MessageType.SEND_NOTIFICATION in default_registry().types
    await record_notification_delivery(dump(SendNotification(notification_id=7)), container)


async def test_a_delivery_without_its_notification_is_poison(container: AsyncContainer) -> None:
    with pytest.raises(PoisonMessageError, match="not a notification delivery"):
        await record_notification_delivery({"type": "SEND_NOTIFICATION"}, container)
