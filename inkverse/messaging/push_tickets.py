"""Send pushes and keep what Expo answered, in the caller's transaction: each accepted ticket is stored
with its token in `push_tickets` (the `push-receipts` job reads its receipt later), and the devices Expo
called `DeviceNotRegistered` are deleted from `user_device` at once."""

from collections.abc import Sequence

import structlog
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables
from inkverse.messaging.push import ExpoPushClient, PushMessage, SendResult, delete_device_tokens

log = structlog.get_logger(__name__)


async def send_and_record(
    push: ExpoPushClient, session: AsyncSession, messages: Sequence[PushMessage]
) -> SendResult:
    """Send `messages` (100 per request); store the `ok` tickets and prune the dead tokens."""
    result = await push.send(messages)
    tickets = [
        {"id": ticket.id, "token": message.to}
        for message, ticket in zip(messages, result.tickets, strict=True)
        if ticket.status == "ok" and ticket.id
    ]
    if tickets:
        await session.execute(insert(tables.PushTicket).on_conflict_do_nothing(), tickets)
    pruned = await delete_device_tokens(session, result.dead_tokens)
    if pruned:
        log.info("push.devices_pruned", devices=pruned)
    return result
