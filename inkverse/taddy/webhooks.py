"""Taddy webhook deliveries: the body model, the secret check, and intake onto the queue.

Nothing is processed here: a delivery that passes the checks is enqueued as a
`PROCESS_TADDY_WEBHOOK` message and processed by the worker.
"""

import hmac
import json
import math
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from inkverse.catalog.events import TaddyType, WebhookAction
from inkverse.errors import ConfigurationError, ValidationError
from inkverse.queues.messages import MessageType
from inkverse.settings import Environment

# An escape sequence, matched whole so that `\\u0000` (an escaped backslash, then "u0000") is kept.
_ESCAPE = re.compile(r"\\(?:u0000|.)", re.DOTALL)

_NOTICE_ACTIONS = {
    WebhookAction.NEW_ISSUES_RELEASED: TaddyType.COMICSERIES,
    WebhookAction.NEW_CONTENT_RELEASED: TaddyType.CREATOR,
}


def _whole_seconds(value: object) -> object:
    return math.floor(value) if isinstance(value, float) and math.isfinite(value) else value


class TaddyWebhook(BaseModel):
    """One delivery: `{uuid, timestamp, taddyType, action, data}` (taddy-api.md §4.4)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    uuid: str = Field(min_length=1, max_length=100)
    # Taddy types it Float; the epoch seconds we compare are whole.
    timestamp: Annotated[int, BeforeValidator(_whole_seconds)] = Field(ge=0)
    taddy_type: TaddyType = Field(alias="taddyType")
    action: WebhookAction
    data: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _action_fits_type(self) -> "TaddyWebhook":
        expected_type = _NOTICE_ACTIONS.get(self.action)
        if expected_type is not None and self.taddy_type is not expected_type:
            raise ValueError(f"action {self.action.value} does not apply to {self.taddy_type.value}")
        if self.data is None and self.action in {WebhookAction.CREATED, WebhookAction.UPDATED}:
            raise ValueError(f"{self.action.value} needs `data`")
        return self

    @property
    def event(self) -> str:
        return f"{self.taddy_type.value}.{self.action.value}"

    def entity_uuid(self) -> str:
        """The uuid of the entity: `data.uuid` when present (creatorcontent's top-level uuid may be
        `creatorUuid:contentUuid`), else the top-level uuid."""
        data_uuid = (self.data or {}).get("uuid")
        return data_uuid if isinstance(data_uuid, str) and data_uuid else self.uuid


def parse_webhook(body: str) -> TaddyWebhook:
    """Parse and validate a delivery body, or raise ValidationError with a reason a person can act on.

    U+0000 is dropped from every string: PostgreSQL cannot store it, and refusing the delivery would
    only make Taddy send it again, unchanged.
    """
    try:
        raw = json.loads(without_nul_characters(body))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError("body", f"not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise ValidationError("body", "must be a JSON object")
    try:
        return TaddyWebhook.model_validate(raw)
    except PydanticValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "body"
        raise ValidationError(field, error["msg"]) from None


def without_nul_characters(body: str) -> str:
    """The JSON text without its `\\u0000` escapes (the only way JSON can carry U+0000)."""
    if "\\u0000" not in body:
        return body
    return _ESCAPE.sub(lambda escape: "" if escape[0] == "\\u0000" else escape[0], body)


def secret_matches(provided: str | None, expected: str) -> bool:
    """Constant-time comparison, so the secret cannot be guessed from response timings."""
    if provided is None:
        return False
    return hmac.compare_digest(provided.encode(), expected.encode())


DEV_WEBHOOK_SECRET = "inkverse-dev-webhook-secret"  # noqa: S105 - the published development default


def effective_secret(configured: str | None, environment: Environment) -> str:
    """The configured secret; when unset, a fixed default in development and a refusal elsewhere."""
    if configured:
        return configured
    if environment is not Environment.DEVELOPMENT:
        raise ConfigurationError(f"TADDY_WEBHOOK_SECRET: required when INKVERSE_ENV={environment.value}")
    return DEV_WEBHOOK_SECRET


def queue_message(webhook: TaddyWebhook) -> dict[str, Any]:
    """The `PROCESS_TADDY_WEBHOOK` body: the delivery as Taddy sent it, plus `type`."""
    return {"type": MessageType.PROCESS_TADDY_WEBHOOK.value, **webhook.model_dump(mode="json", by_alias=True)}
