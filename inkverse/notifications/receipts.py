"""The `push-receipts` job: read the receipts of the push tickets kept by the deliveries.

Expo hands a push to Apple or Google after answering with a ticket; the receipt says how that went, and
is ready some minutes later. Tickets older than `CHECK_AFTER` are read in pages of 1,000 (the ticket ids
of a page in one request); a `DeviceNotRegistered` receipt removes its token from `user_device`. A ticket
whose receipt was read is deleted, and so is one older than `FORGET_AFTER`, whose receipt Expo no longer
keeps. Reads and the HTTP call happen outside any transaction; each page's deletes commit on their own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.messaging.push import MAX_RECEIPT_IDS_PER_REQUEST, ExpoPushClient, delete_device_tokens

log = structlog.get_logger(__name__)

CHECK_AFTER = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=24)
Ticket = tables.PushTicket


@dataclass(slots=True)
class ReceiptCheck:
    read: int = 0
    """Tickets whose receipt Expo had."""
    forgotten: int = 0
    """Tickets past `FORGET_AFTER` without a receipt."""
    devices_pruned: int = 0


async def check_push_receipts(
    sessionmaker: async_sessionmaker[AsyncSession],
    push: ExpoPushClient,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> ReceiptCheck:
    now = clock()
    check = ReceiptCheck()
    after = ""
    while page := await _tickets(sessionmaker, now - CHECK_AFTER, after):
        receipts = await push.receipts({ticket_id: token for ticket_id, token, _ in page})
        stale = [ticket_id for ticket_id, _, created_at in page if created_at < now - FORGET_AFTER]
        done = set(receipts.receipts) | set(stale)
        async with sessionmaker() as session, session.begin():
            await session.execute(delete(Ticket).where(Ticket.id.in_(done)))
            check.devices_pruned += await delete_device_tokens(session, receipts.dead_tokens)
        check.read += len(receipts.receipts)
        check.forgotten += len(set(stale) - set(receipts.receipts))
        after = page[-1][0]
    log.info("push.receipts_checked", read=check.read, forgotten=check.forgotten, pruned=check.devices_pruned)
    return check


async def _tickets(
    sessionmaker: async_sessionmaker[AsyncSession], created_before: datetime, after: str
) -> list[tuple[str, str, datetime]]:
    """A page of (id, token, created_at) of the tickets old enough to check, by id after `after`."""
    statement = (
        select(Ticket.id, Ticket.token, Ticket.created_at)
        .where(Ticket.created_at < created_before, Ticket.id > after)
        .order_by(Ticket.id)
        .limit(MAX_RECEIPT_IDS_PER_REQUEST)
    )
    async with sessionmaker() as session:
        return [
            (ticket_id, token, created_at)
            for ticket_id, token, created_at in await session.execute(statement)
        ]
