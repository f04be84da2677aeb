"""Ordering and idempotency of Taddy webhooks, kept in our side table `taddy_entity_state`.

Every write first *claims* its event: the state row of the object is inserted or moved forward to the
event's timestamp in one statement, which also locks the row until the caller's transaction ends, so
two deliveries for the same object are applied one after the other. An event is applied when it is
newer than the stored one; at an equal timestamp a delete wins (a created/updated of the same second
as a delete is treated as older, so it cannot bring the object back). A duplicate delivery of the
newest event is applied again, which the writers make harmless.
"""

from collections.abc import Sequence

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.catalog.events import TaddyType
from inkverse.database import tables

State = tables.TaddyEntityState


class EntityStateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, taddy_type: TaddyType, uuid: str, timestamp: int, *, deleting: bool) -> bool:
        """Record this event as the object's newest, or return False when it is stale (skip it)."""
        row = insert(State).values(
            taddy_type=taddy_type.value, uuid=uuid, last_timestamp=timestamp, deleted=deleting
        )
        statement = _advance_when_newer(row).returning(State.uuid)
        return (await self._session.execute(statement)).first() is not None

    async def tombstone_many(self, taddy_type: TaddyType, uuids: Sequence[str], timestamp: int) -> None:
        """Mark objects deleted along with their parent, so stale events cannot recreate them either."""
        if not uuids:
            return
        rows = [
            {"taddy_type": taddy_type.value, "uuid": uuid, "last_timestamp": timestamp, "deleted": True}
            for uuid in uuids
        ]
        await self._session.execute(_advance_when_newer(insert(State).values(rows)))

    async def hold(self, taddy_type: TaddyType, uuid: str, *, exclusive: bool) -> None:
        """Serialise a parent's delete with writes of its children (issues of a series, content of a
        creator), which run concurrently in the worker: children hold the parent's lock shared, the
        delete holds it exclusively, until the end of the transaction. Without it an issue inserted
        while its series' delete is still uncommitted would survive as an orphan."""
        key = func.hashtextextended(f"{taddy_type.value}:{uuid}", 0)
        lock = func.pg_advisory_xact_lock(key) if exclusive else func.pg_advisory_xact_lock_shared(key)
        await self._session.execute(select(lock))

    async def is_tombstoned(self, taddy_type: TaddyType, uuid: str, timestamp: int) -> bool:
        """Whether the object was deleted by an event at or after `timestamp`."""
        statement = select(State.uuid).where(
            State.taddy_type == taddy_type.value,
            State.uuid == uuid,
            State.deleted,
            State.last_timestamp >= timestamp,
        )
        return (await self._session.execute(statement)).first() is not None

    async def get(self, taddy_type: TaddyType, uuid: str) -> tables.TaddyEntityState | None:
        return await self._session.get(State, (taddy_type.value, uuid))


def _advance_when_newer(statement: Insert) -> Insert:
    excluded = statement.excluded
    is_newer = or_(
        State.last_timestamp < excluded.last_timestamp,
        and_(
            State.last_timestamp == excluded.last_timestamp,
            or_(excluded.deleted, not_(State.deleted)),
        ),
    )
    return statement.on_conflict_do_update(
        index_elements=[State.taddy_type, State.uuid],
        set_={
            "last_timestamp": excluded.last_timestamp,
            "deleted": excluded.deleted,
            "updated_at": func.now(),
        },
        where=is_newer,
    )
