"""Message type → handler. Handlers receive the parsed body and the message's REQUEST-scoped container."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from dishka import AsyncContainer

MessageBody = dict[str, Any]
Handler = Callable[[MessageBody, AsyncContainer], Awaitable[None]]


class UnknownMessageTypeError(LookupError):
    pass


class PoisonMessageError(ValueError):
    """The message can never succeed: it goes to the dead-letter queue at once."""


class HandlerRegistry:
    def __init__(self, handlers: Mapping[str, Handler] | None = None) -> None:
        self._handlers: dict[str, Handler] = dict(handlers or {})

    def register(self, message_type: str, handler: Handler) -> None:
        self._handlers[message_type] = handler

    def handler_for(self, message_type: str) -> Handler:
        try:
            return self._handlers[message_type]
        except KeyError:
            raise UnknownMessageTypeError(f"no handler for message type {message_type!r}") from None

    @property
    def types(self) -> list[str]:
        return sorted(self._handlers)
