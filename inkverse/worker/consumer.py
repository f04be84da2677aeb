"""The SQS consumer loop.

At-least-once: a message is deleted only after its handler returned (and so committed). A failing
message becomes visible again after a backoff that grows with its receive count; after
`SQS_MAX_RECEIVE_COUNT` receives it is moved to the dead-letter queue with the reason, and so is a
message that cannot be parsed or has no handler. Stopping cancels the long poll at once, lets in-flight
handlers finish within the grace period, then cancels them. Messages received after the stop, those
still waiting for a slot and the cancelled ones are given back at once (visibility 0) rather than after
their visibility timeout.

Messages are received up to 10 at a time as soon as a slot is free and none waits for one (at most
`concurrency` wait, their visibility extended meanwhile), and deleted together: the deletes of handlers
that finish while a DeleteMessageBatch call is running go in the next call.
"""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import structlog
from botocore.exceptions import ClientError
from dishka import AsyncContainer

from inkverse.batching import Coalescer
from inkverse.metrics import Metrics
from inkverse.queues.admin import RECEIVE_COUNT_ATTRIBUTE
from inkverse.queues.client import MAX_BATCH, QueueClient, ReceivedMessage
from inkverse.queues.producer import POINTER_KEY, OverflowStore
from inkverse.settings import QueueSettings, WorkerSettings
from inkverse.worker.registry import HandlerRegistry, MessageBody, PoisonMessageError, UnknownMessageTypeError

log = structlog.get_logger(__name__)

RECEIVE_ERROR_PAUSE_SECONDS = 2.0
RELEASE_TIMEOUT_SECONDS = 5.0


def retry_delay(receive_count: int, base_seconds: int, max_seconds: int) -> int:
    """Exponential: base, 2 base, 4 base, ... capped at `max_seconds` (by default 5 s up to 15 min)."""
    return int(min(base_seconds * 2 ** max(receive_count - 1, 0), max_seconds))


def parse_body(raw: str) -> tuple[str, MessageBody]:
    try:
        body: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise PoisonMessageError(f"body is not JSON: {exc.msg}") from None
    if not isinstance(body, dict):
        raise PoisonMessageError("body is not a JSON object")
    message_type = body.get("type")
    if not isinstance(message_type, str) or not message_type:
        raise PoisonMessageError("body has no `type`")
    return message_type, body


class Consumer:
    def __init__(
        self,
        *,
        container: AsyncContainer,
        queues: QueueClient,
        registry: HandlerRegistry,
        settings: WorkerSettings,
        queue_settings: QueueSettings,
        metrics: Metrics,
        overflow: OverflowStore,
    ) -> None:
        self._container = container
        self._queues = queues
        self._registry = registry
        self._settings = settings
        self._queue_settings = queue_settings
        self._metrics = metrics
        self._overflow = overflow
        self._queue = settings.queue
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._waiting: set[asyncio.Task[None]] = set()
        """Received messages not yet holding a slot."""
        self._progress = asyncio.Event()
        self._deletes: Coalescer[ReceivedMessage, str | None] = Coalescer(
            self._delete_together, max_items=MAX_BATCH
        )
        self.polling = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker.started", queue=self._queue, concurrency=self._settings.concurrency)
        try:
            while not stop.is_set():
                messages = await self._receive_until(stop)
                if stop.is_set():
                    await self._release(messages)
                    break
                for message in messages:
                    task = asyncio.create_task(self._process(message))
                    self._in_flight.add(task)
                    self._waiting.add(task)
                    task.add_done_callback(self._finished)
        finally:
            await self._drain()
            log.info("worker.stopped", queue=self._queue)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._waiting.discard(task)
        self._progress.set()

    async def _room(self) -> int:
        """Wait until a slot is free and no received message waits for one; how many to ask for."""
        while self._waiting or self._slots.locked():
            self._progress.clear()
            await self._progress.wait()
        return min(MAX_BATCH, self._settings.concurrency)

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        """One of the `concurrency` handler slots, for the current message's task."""
        async with self._slots:
            task = asyncio.current_task()
            if task is not None:
                self._waiting.discard(task)
            self._progress.set()
            try:
                yield
            finally:
                self._progress.set()

    async def _receive_until(self, stop: asyncio.Event) -> list[ReceivedMessage]:
        receive = asyncio.ensure_future(self._receive())
        stopped = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({receive, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
        if not receive.done():
            receive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await receive
            return []
        return receive.result()

    async def _receive(self) -> list[ReceivedMessage]:
        count = await self._room()
        self.polling.set()
        try:
            return await self._queues.receive(self._queue, max_messages=count)
        except Exception as exc:  # noqa: BLE001 - the loop must outlive an unreachable queue
            log.warning("worker.receive_failed", error=str(exc))
            await asyncio.sleep(RECEIVE_ERROR_PAUSE_SECONDS)
            return []

    async def _process(self, message: ReceivedMessage) -> None:
        message_type = "unknown"
        with structlog.contextvars.bound_contextvars(message_id=message.message_id):
            try:
                message_type, body = parse_body(message.body)
                pointer = body.get(POINTER_KEY)
                if pointer is not None:
                    message_type, body = await self._load_overflow(pointer)
                handler = self._registry.handler_for(message_type)
                async with self._heartbeat(message), self._slot():
                    await self._run_handler(handler, body)
            except (PoisonMessageError, UnknownMessageTypeError) as exc:
                await self._dead_letter(message, message_type, str(exc))
                return
            except asyncio.CancelledError:
                # Stopping: still waiting for a slot, or cancelled at the end of the shutdown grace.
                # Nothing was committed: hand it on now.
                await self._release([message])
                raise
            except Exception as exc:  # noqa: BLE001 - any handler failure is retried, then dead-lettered
                await self._retry_later(message, message_type, exc)
                return
            await self._acknowledge(message, message_type, pointer)

    async def _acknowledge(self, message: ReceivedMessage, message_type: str, pointer: Any) -> None:
        try:
            refused = await self._deletes.submit(message)
        except Exception as exc:  # noqa: BLE001 - handled work comes back and is applied again (idempotent)
            refused = str(exc)
        if refused is not None:
            log.warning("worker.delete_failed", type=message_type, error=refused)
            return
        if pointer is not None:
            with contextlib.suppress(Exception):
                await self._overflow.delete(pointer)
        self._count(message_type, "ok")
        log.info("worker.message_done", type=message_type)

    async def _delete_together(self, messages: list[ReceivedMessage]) -> list[str | None]:
        refused = await self._queues.delete(self._queue, messages)
        return [refused.get(index) for index in range(len(messages))]

    def _count(self, message_type: str, outcome: str) -> None:
        # Types come from message bodies: only registered ones become metric labels.
        label = message_type if message_type in self._registry.types else "unknown"
        self._metrics.messages.labels(self._queue, label, outcome).inc()

    async def _load_overflow(self, pointer: Any) -> tuple[str, MessageBody]:
        if not isinstance(pointer, dict) or not self._overflow.owns(pointer):
            raise PoisonMessageError("bodyPointer does not name a stored message body")
        try:
            raw = await self._overflow.get(pointer)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "NoSuchBucket"}:
                raise PoisonMessageError(f"stored body {pointer['key']} is gone") from None
            raise
        return parse_body(raw)

    async def _run_handler(self, handler: Any, body: MessageBody) -> None:
        async with asyncio.timeout(self._settings.message_timeout_seconds), self._container() as scope:
            await handler(body, scope)

    @contextlib.asynccontextmanager
    async def _heartbeat(self, message: ReceivedMessage) -> Any:
        """Keep a long handler's message invisible so that no other consumer picks it up meanwhile."""
        timeout = self._queue_settings.visibility_timeout_seconds

        async def extend() -> None:
            while True:
                await asyncio.sleep(max(timeout / 2, 1))
                with contextlib.suppress(Exception):
                    await self._queues.change_visibility(self._queue, message, timeout)

        task = asyncio.create_task(extend())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _retry_later(self, message: ReceivedMessage, message_type: str, exc: Exception) -> None:
        reason = f"{type(exc).__name__}: {exc}"[:1000]
        if message.receive_count >= self._queue_settings.max_receive_count:
            await self._dead_letter(message, message_type, f"failed {message.receive_count} times: {reason}")
            return
        delay = retry_delay(
            message.receive_count,
            self._settings.retry_backoff_base_seconds,
            self._settings.retry_backoff_max_seconds,
        )
        log.warning("worker.message_failed", type=message_type, attempt=message.receive_count, retry_in=delay,
                    error=reason)  # fmt: skip
        self._count(message_type, "retry")
        with contextlib.suppress(Exception):
            await self._queues.change_visibility(self._queue, message, delay)

    async def _dead_letter(self, message: ReceivedMessage, message_type: str, reason: str) -> None:
        dlq = self._queues.dlq_name(self._queue)
        log.error("worker.message_dead_lettered", type=message_type, reason=reason, dlq=dlq)
        try:
            await self._queues.send(
                dlq,
                message.body,
                attributes={
                    "reason": reason[:256],
                    "type": message_type,
                    RECEIVE_COUNT_ATTRIBUTE: str(message.receive_count),
                },
            )
            if refused := await self._queues.delete(self._queue, [message]):
                raise RuntimeError(f"SQS refused to delete it: {refused[0]}")
        except Exception as exc:  # noqa: BLE001 - left on the queue; the redrive policy moves it later
            log.error("worker.dead_letter_failed", error=str(exc))
            return
        self._count(message_type, "dead_lettered")

    async def _release(self, messages: list[ReceivedMessage]) -> None:
        """Make messages visible again at once, for another worker (or this one, restarted)."""

        async def release(message: ReceivedMessage) -> None:
            try:
                async with asyncio.timeout(RELEASE_TIMEOUT_SECONDS):
                    await self._queues.change_visibility(self._queue, message, 0)
            except Exception as exc:  # noqa: BLE001 - it comes back after its visibility timeout instead
                log.warning("worker.release_failed", message_id=message.message_id, error=str(exc))

        await asyncio.gather(*(release(message) for message in messages))
        log.info("worker.released", count=len(messages))

    async def _drain(self) -> None:
        # Messages that never started are handed back at once: their tasks release them when cancelled,
        # once they run (one turn of the loop starts those the last receive created).
        await asyncio.sleep(0)
        for task in list(self._waiting):
            task.cancel()
        if not self._in_flight:
            return
        log.info("worker.draining", in_flight=len(self._in_flight))
        _, pending = await asyncio.wait(set(self._in_flight), timeout=self._settings.shutdown_grace_seconds)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
            log.warning("worker.cancelled_in_flight", count=len(pending))
