"""Sending typed messages, with bodies over SQS's 256 KiB limit stored in S3 behind a pointer.

The pointer body is `{"type": ..., "bodyPointer": {"bucket": ..., "key": ...}}`; the consumer resolves it
before dispatch, so handlers never see the difference.
"""

import asyncio
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from types_aiobotocore_s3 import S3Client

from inkverse.queues.client import MAX_BATCH, QueueClient

MAX_BODY_BYTES = 256 * 1024
POINTER_KEY = "bodyPointer"
OVERFLOW_PREFIX = "queue-overflow/"


class OverflowStore:
    """S3 objects holding message bodies too large for SQS."""

    def __init__(self, s3: S3Client, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    async def put(self, body: str) -> dict[str, str]:
        key = f"{OVERFLOW_PREFIX}{uuid.uuid4()}.json"
        await self._s3.put_object(
            Bucket=self._bucket, Key=key, Body=body.encode(), ContentType="application/json"
        )
        return {"bucket": self._bucket, "key": key}

    def owns(self, pointer: Mapping[str, object]) -> bool:
        """Only objects this store wrote may be read or deleted through a message's pointer."""
        key = pointer.get("key")
        return (
            pointer.get("bucket") == self._bucket and isinstance(key, str) and key.startswith(OVERFLOW_PREFIX)
        )

    async def get(self, pointer: Mapping[str, str]) -> str:
        response = await self._s3.get_object(Bucket=pointer["bucket"], Key=pointer["key"])
        async with response["Body"] as stream:
            return (await stream.read()).decode()

    async def delete(self, pointer: Mapping[str, str]) -> None:
        await self._s3.delete_object(Bucket=pointer["bucket"], Key=pointer["key"])


def encode(message: Mapping[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


class QueueProducer:
    def __init__(self, client: QueueClient, overflow: OverflowStore) -> None:
        self._client = client
        self._overflow = overflow

    async def _wire_body(self, message: Mapping[str, Any]) -> str:
        body = encode(message)
        if len(body.encode()) <= MAX_BODY_BYTES:
            return body
        pointer = await self._overflow.put(body)
        return encode({"type": message.get("type"), POINTER_KEY: pointer})

    async def send(self, queue: str, message: Mapping[str, Any]) -> str:
        """Send one message. Transient SQS errors are retried by the client (botocore's standard
        retry mode); what remains is raised to the caller."""
        return await self._client.send(queue, await self._wire_body(message))

    async def send_batch(self, queue: str, messages: Sequence[Mapping[str, Any]]) -> list[str | None]:
        """Send many, 10 per SendMessageBatch call, the calls at once (each retried by the client like
        `send`); returns, for each message, None when SQS took it or the reason it did not."""
        chunks = [messages[start : start + MAX_BATCH] for start in range(0, len(messages), MAX_BATCH)]
        outcomes = await asyncio.gather(*(self._send_chunk(queue, chunk) for chunk in chunks))
        return [outcome for chunk in outcomes for outcome in chunk]

    async def _send_chunk(self, queue: str, messages: Sequence[Mapping[str, Any]]) -> list[str | None]:
        try:
            bodies = [await self._wire_body(message) for message in messages]
            refused = await self._client.send_batch(queue, bodies)
        except Exception as exc:  # noqa: BLE001 - the whole call failed: every message of it did
            return [f"{type(exc).__name__}: {exc}"] * len(messages)
        return [refused.get(index) for index in range(len(messages))]
