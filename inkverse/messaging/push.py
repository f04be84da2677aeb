"""Expo push (integrations.md §5.5): send messages, read receipts, report dead tokens.

One client on the shared aiohttp session. `send` posts at most 100 messages per request (Expo's limit;
the original counted users, so a request could pass it and be refused whole) and returns one ticket per
message, in order. `receipts` reads the receipts of earlier tickets, 1,000 ids per request. HTTP 429,
5xx, timeouts and dropped connections are retried with exponential backoff; any other refusal raises
`ExpoPushError`. A `DeviceNotRegistered` ticket or receipt puts its token in `dead_tokens`, for the caller
to prune (`delete_device_tokens`).

In development with `EXPO_API_URL` unset nothing is sent: each message is logged and written as a JSON
file under `$INKVERSE_DATA_DIR/push/`, and its ticket is `ok`.
"""

import asyncio
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, Literal, TypeVar

import aiohttp
import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from inkverse.database import tables
from inkverse.errors import DependencyUnavailableError, InkverseError
from inkverse.settings import Environment, ExpoSettings, ServerSettings

log = structlog.get_logger(__name__)

MAX_MESSAGES_PER_REQUEST = 100
MAX_RECEIPT_IDS_PER_REQUEST = 1000
ATTEMPTS = 4
DEVICE_NOT_REGISTERED = "DeviceNotRegistered"


class ExpoPushError(InkverseError):
    """Expo refused a request (HTTP 4xx other than 429, or `errors` in the answer)."""


class ExpoTransientError(DependencyUnavailableError):
    """A retryable failure: HTTP 429 or 5xx, a timeout, or a dropped connection."""


_T = TypeVar("_T")


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


_WireT = TypeVar("_WireT", bound=_Wire)


class RichContent(_Wire):
    image: str | None = None


class PushMessage(_Wire):
    """One message to one Expo push token, in Expo's field names."""

    to: str
    title: str | None = None
    body: str | None = None
    data: dict[str, Any] | None = None
    channel_id: str | None = Field(default=None, alias="channelId")
    sound: Literal["default"] | None = None
    priority: Literal["default", "normal", "high"] | None = None
    mutable_content: bool | None = Field(default=None, alias="mutableContent")
    rich_content: RichContent | None = Field(default=None, alias="richContent")

    def wire(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class _Details(_Wire):
    error: str | None = None


class PushTicket(_Wire):
    """Expo's answer for one message: `ok` with a receipt `id`, or `error` with `details.error`."""

    status: Literal["ok", "error"]
    id: str | None = None
    message: str | None = None
    details: _Details | None = None

    @property
    def error(self) -> str | None:
        return self.details.error if self.details is not None else None


class PushReceipt(_Wire):
    """The delivery outcome of one ticket, once Expo has handed it to Apple or Google."""

    status: Literal["ok", "error"]
    message: str | None = None
    details: _Details | None = None

    @property
    def error(self) -> str | None:
        return self.details.error if self.details is not None else None


@dataclass(frozen=True, slots=True)
class SendResult:
    """`tickets[i]` answers `messages[i]`; `dead_tokens` are those Expo called `DeviceNotRegistered`."""

    tickets: list[PushTicket]
    dead_tokens: list[str]


@dataclass(frozen=True, slots=True)
class ReceiptResult:
    """The receipts Expo has (a ticket not yet delivered has none yet), by ticket id."""

    receipts: dict[str, PushReceipt]
    dead_tokens: list[str]


class ExpoPushClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        settings: ExpoSettings,
        server: ServerSettings,
        *,
        backoff_seconds: float = 1.0,
    ) -> None:
        self._http = http
        self._settings = settings
        self._backoff = backoff_seconds
        self._sink = (
            server.data_dir / "push"
            if settings.api_url is None and server.env is Environment.DEVELOPMENT
            else None
        )

    async def send(self, messages: Sequence[PushMessage]) -> SendResult:
        tickets: list[PushTicket] = []
        for chunk in _chunks(messages, MAX_MESSAGES_PER_REQUEST):
            tickets.extend(await self._send_chunk(chunk))
        dead = [
            message.to
            for message, ticket in zip(messages, tickets, strict=True)
            if ticket.error == DEVICE_NOT_REGISTERED
        ]
        return SendResult(tickets, dead)

    async def receipts(self, token_by_ticket: Mapping[str, str]) -> ReceiptResult:
        """The receipts of the tickets `token_by_ticket` names (ticket id -> the token it was sent to)."""
        found: dict[str, PushReceipt] = {}
        for chunk in _chunks(list(token_by_ticket), MAX_RECEIPT_IDS_PER_REQUEST):
            found.update(await self._receipts_chunk(chunk))
        dead = [
            token_by_ticket[ticket_id]
            for ticket_id, receipt in found.items()
            if receipt.error == DEVICE_NOT_REGISTERED and ticket_id in token_by_ticket
        ]
        return ReceiptResult(found, dead)

    async def _send_chunk(self, chunk: Sequence[PushMessage]) -> list[PushTicket]:
        if self._sink is not None:
            return await asyncio.to_thread(_write_to_sink, self._sink, chunk)
        data = await self._post("/push/send", [message.wire() for message in chunk])
        if not isinstance(data, list) or len(data) != len(chunk):
            raise ExpoPushError(
                f"Expo answered {len(chunk)} messages with something other than as many tickets"
            )
        return [_parse(PushTicket, ticket) for ticket in data]

    async def _receipts_chunk(self, ids: Sequence[str]) -> dict[str, PushReceipt]:
        if self._sink is not None:
            return {ticket_id: PushReceipt(status="ok") for ticket_id in ids}
        data = await self._post("/push/getReceipts", {"ids": list(ids)})
        if not isinstance(data, dict):
            raise ExpoPushError("Expo answered getReceipts with something other than an object of receipts")
        return {str(ticket_id): _parse(PushReceipt, receipt) for ticket_id, receipt in data.items()}

    async def _post(self, path: str, body: object) -> Any:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_exponential(multiplier=self._backoff, max=30),
            retry=retry_if_exception_type(ExpoTransientError),
            reraise=True,
        ):
            with attempt:
                return await self._post_once(path, body)
        raise AssertionError("unreachable: tenacity reraises")

    async def _post_once(self, path: str, body: object) -> Any:
        try:
            async with self._http.post(
                f"{self._settings.endpoint}{path}", json=body, headers=self._headers()
            ) as response:
                if response.status == HTTPStatus.TOO_MANY_REQUESTS or response.status >= 500:  # noqa: PLR2004
                    raise ExpoTransientError(f"Expo answered HTTP {response.status}")
                status, text = response.status, await response.text()
        except (TimeoutError, aiohttp.ClientConnectionError) as exc:
            raise ExpoTransientError(f"Expo unreachable: {type(exc).__name__}") from exc
        try:
            answer = json.loads(text)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise ExpoPushError(f"Expo answered HTTP {status} with a body that is not a JSON object")
        if status >= HTTPStatus.BAD_REQUEST or answer.get("errors"):
            raise ExpoPushError(
                f"Expo refused the request (HTTP {status}): {_describe(answer.get('errors'))}"
            )
        return answer.get("data")

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip, deflate"}
        token = self._settings.push_access_token
        if token is not None:
            headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        return headers


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _parse(model: type[_WireT], value: object) -> _WireT:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise ExpoPushError(
            f"Expo answered an unreadable {model.__name__}: {exc.errors()[0]['msg']}"
        ) from exc


def _describe(errors: object) -> str:
    if isinstance(errors, list):
        return "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors if isinstance(e, dict))
    return "no details"


def _write_to_sink(folder: Path, chunk: Iterable[PushMessage]) -> list[PushTicket]:
    """Development: each message becomes a JSON file a person can read; nothing leaves the machine."""
    folder.mkdir(parents=True, exist_ok=True)
    tickets: list[PushTicket] = []
    for message in chunk:
        ticket_id = f"dev-{uuid.uuid4()}"
        path = folder / f"{ticket_id}.json"
        path.write_text(json.dumps(message.wire(), indent=2, ensure_ascii=False))
        log.info("push.saved", to=message.to, title=message.title, path=str(path))
        tickets.append(PushTicket(status="ok", id=ticket_id))
    return tickets


async def delete_device_tokens(session: AsyncSession, tokens: Sequence[str]) -> int:
    """Forget the devices Expo reported as no longer registered; the number of rows deleted."""
    if not tokens:
        return 0
    result = await session.execute(
        delete(tables.UserDevice).where(tables.UserDevice.fcm_token.in_(list(tokens)))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def request_groups(
    items: Iterable[_T], messages: Callable[[_T], int], limit: int = MAX_MESSAGES_PER_REQUEST
) -> list[list[_T]]:
    """`items` in order, grouped so that a group holds at most `limit` messages and an item's messages
    (a recipient's devices) are never split across two groups; an item with none is left out, one with
    more than `limit` is alone (`send` splits those)."""
    groups: list[list[_T]] = []
    current: list[_T] = []
    size = 0
    for item in items:
        count = messages(item)
        if not count:
            continue
        if current and size + count > limit:
            groups.append(current)
            current, size = [], 0
        current.append(item)
        size += count
    if current:
        groups.append(current)
    return groups
