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
from inkverse.database.reads import ReadConnection

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
        connection = await self._session.connection()
        await connection.exec_driver_sql(
            _HOLD if exclusive else _HOLD_SHARED, (f"{taddy_type.value}:{uuid}",)
        )

    async def claim_child(
        self, taddy_type: TaddyType, uuid: str, timestamp: int, *, parent: tuple[TaddyType, str]
    ) -> bool:
        """`claim` for a created/updated event, refused (False) as well when the parent was deleted by an
        event at or after `timestamp` (an issue of a deleted series stays gone with it). Call it after
        `hold(parent)`: the statement must not start before the parent's delete has committed, and it
        runs on the driver, inside the transaction that `hold` began."""
        parent_type, parent_uuid = parent
        parameters = (taddy_type.value, uuid, timestamp, parent_type.value, parent_uuid)
        return bool(await (await ReadConnection.of(self._session)).fetch(_CLAIM_CHILD, parameters))

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


# The hot path's statements as the driver runs them (no statement building per event). The lock key and
# the newer-event rule are those of `hold` and `_advance_when_newer`.
_HOLD = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))"
_HOLD_SHARED = "SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))"
_CLAIM_CHILD = """
INSERT INTO taddy_entity_state AS state (taddy_type, uuid, last_timestamp, deleted)
SELECT $1::varchar, $2::uuid, $3::bigint, false
WHERE NOT EXISTS (
    SELECT FROM taddy_entity_state AS parent
    WHERE parent.taddy_type = $4::varchar AND parent.uuid = $5::uuid AND parent.deleted
      AND parent.last_timestamp >= $3::bigint
)
ON CONFLICT (taddy_type, uuid) DO UPDATE
SET last_timestamp = excluded.last_timestamp, deleted = excluded.deleted, updated_at = now()
WHERE state.last_timestamp < excluded.last_timestamp
   OR (state.last_timestamp = excluded.last_timestamp AND (excluded.deleted OR NOT state.deleted))
RETURNING state.uuid
"""
