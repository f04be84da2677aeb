"""Pieces every webhook writer uses: the shared event dispatch, payload checks, upsert helpers."""

from abc import ABC, abstractmethod
from typing import Generic, TypeVar

from sqlalchemy import BigInteger, Boolean, ColumnElement, cast, func, literal_column

from inkverse.catalog.changes import ChangeResult
from inkverse.catalog.events import WebhookAction
from inkverse.catalog.payloads import TaddyPayload
from inkverse.errors import ValidationError

PayloadT = TypeVar("PayloadT", bound=TaddyPayload)

UPSERT_ACTIONS = frozenset({WebhookAction.CREATED, WebhookAction.UPDATED})

# Core-level writes: the session's identity map is not synchronised (the unit of work is one event).
NO_SYNC = {"synchronize_session": False}


def full_payload(action: WebhookAction, payload: TaddyPayload, model: type[PayloadT]) -> PayloadT:
    """The payload as `model` for a created/updated event, or ValidationError."""
    if action not in UPSERT_ACTIONS:
        raise ValidationError("action", f"{action.value} is not a created or updated event")
    if not isinstance(payload, model):
        raise ValidationError("data", f"a {action.value} event needs the whole object")
    return payload


class CatalogWriter(ABC, Generic[PayloadT]):
    """The writer of one Taddy type: `apply` sends a delete to `delete` and any other event, as the
    whole `payload_model` object, to `upsert`."""

    payload_model: type[PayloadT]

    async def apply(self, action: WebhookAction, payload: TaddyPayload, timestamp: int) -> ChangeResult:
        if action is WebhookAction.DELETED:
            return await self.delete(payload.uuid, timestamp)
        return await self.upsert(full_payload(action, payload, self.payload_model), timestamp)

    @abstractmethod
    async def upsert(self, payload: PayloadT, timestamp: int) -> ChangeResult: ...

    @abstractmethod
    async def delete(self, uuid: str, timestamp: int) -> ChangeResult: ...


def was_inserted() -> ColumnElement[bool]:
    """In `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`: true for a new row, false for an updated one.

    A freshly inserted row version has no deleting/locking transaction (`xmax = 0`); the conflict path
    locks the old version, so its new version carries our transaction id.
    """
    return literal_column("(xmax = 0)", Boolean).label("inserted")


def epoch_now() -> ColumnElement[int]:
    """The database's current time in whole epoch seconds (for the bigint time columns)."""
    return cast(func.floor(func.extract("epoch", func.now())), BigInteger)
