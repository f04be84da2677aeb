"""Delivery dedupe keys (`notification_deliveries`): a push or e-mail is sent only by the transaction
that inserted its key. Claim the keys, send, commit: a failed send rolls the claim back so a retry sends
again; a concurrent duplicate waits on the uncommitted key, then finds it and sends nothing."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables

Delivery = tables.NotificationDelivery


async def claim(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """Insert the keys not recorded yet, in the session's transaction; the ones this call inserted."""
    if not keys:
        return set()
    statement = (
        insert(Delivery)
        .values([{"dedupe_key": key} for key in dict.fromkeys(keys)])
        .on_conflict_do_nothing()
        .returning(Delivery.dedupe_key)
    )
    return set(await session.scalars(statement))


async def recorded(session: AsyncSession, keys: Sequence[str]) -> set[str]:
    """The keys already recorded."""
    if not keys:
        return set()
    return set(await session.scalars(select(Delivery.dedupe_key).where(Delivery.dedupe_key.in_(keys))))


async def prune_batch(session: AsyncSession, older_than: datetime, batch: int) -> int:
    """Delete up to `batch` keys recorded before `older_than`; how many were deleted."""
    oldest = (
        select(Delivery.dedupe_key).where(Delivery.delivered_at < older_than).limit(batch).scalar_subquery()
    )
    result = await session.execute(delete(Delivery).where(Delivery.dedupe_key.in_(oldest)))
    return int(result.rowcount)  # type: ignore[attr-defined]
