"""A small typed adapter over the aioboto3 SQS client."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from botocore.exceptions import ClientError
from types_aiobotocore_sqs import SQSClient
from types_aiobotocore_sqs.type_defs import (
    BatchResultErrorEntryTypeDef,
    DeleteMessageBatchRequestEntryTypeDef,
    MessageAttributeValueTypeDef,
    MessageTypeDef,
    SendMessageBatchRequestEntryTypeDef,
)

from inkverse.settings import QueueSettings

MAX_BATCH = 10
"""SQS's limit of entries per batch call and of messages per receive."""


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int

    @classmethod
    def from_sqs(cls, message: MessageTypeDef) -> "ReceivedMessage":
        attributes = message.get("Attributes", {})
        return cls(
            message_id=message["MessageId"],
            receipt_handle=message["ReceiptHandle"],
            body=message.get("Body", ""),
            receive_count=int(attributes.get("ApproximateReceiveCount", "1")),
        )


class QueueClient:
    """Send, receive and acknowledge messages by queue name (`INKVERSE_HIGH_PRIORITY`)."""

    def __init__(self, sqs: SQSClient, settings: QueueSettings) -> None:
        self._sqs = sqs
        self._settings = settings
        self._urls: dict[str, str] = {}
        self._lock = asyncio.Lock()

    @property
    def settings(self) -> QueueSettings:
        return self._settings

    def dlq_name(self, queue: str) -> str:
        return f"{queue}{self._settings.dlq_suffix}"

    async def url(self, queue: str) -> str:
        if queue in self._urls:
            return self._urls[queue]
        async with self._lock:
            if queue not in self._urls:
                self._urls[queue] = await self._resolve_url(queue)
        return self._urls[queue]

    async def _resolve_url(self, queue: str) -> str:
        if self._settings.base_url:
            return f"{self._settings.base_url.rstrip('/')}/{queue}"
        response = await self._sqs.get_queue_url(QueueName=queue)
        return response["QueueUrl"]

    async def send(
        self, queue: str, body: str, delay_seconds: int = 0, attributes: dict[str, str] | None = None
    ) -> str:
        message_attributes: dict[str, MessageAttributeValueTypeDef] = {
            name: {"DataType": "String", "StringValue": value} for name, value in (attributes or {}).items()
        }
        response = await self._sqs.send_message(
            QueueUrl=await self.url(queue),
            MessageBody=body,
            DelaySeconds=delay_seconds,
            MessageAttributes=message_attributes,
        )
        return response["MessageId"]

    async def send_batch(self, queue: str, bodies: Sequence[str]) -> dict[int, str]:
        """Send up to 10 bodies in one call; returns the reason of each body SQS refused, by index."""
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {"Id": str(index), "MessageBody": body} for index, body in enumerate(bodies)
        ]
        response = await self._sqs.send_message_batch(QueueUrl=await self.url(queue), Entries=entries)
        return {int(failure["Id"]): _reason(failure) for failure in response.get("Failed", [])}

    async def receive(
        self, queue: str, max_messages: int = MAX_BATCH, wait_seconds: int | None = None
    ) -> list[ReceivedMessage]:
        wait = self._settings.wait_time_seconds if wait_seconds is None else wait_seconds
        response = await self._sqs.receive_message(
            QueueUrl=await self.url(queue),
            MaxNumberOfMessages=min(max_messages, MAX_BATCH),
            WaitTimeSeconds=wait,
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        return [ReceivedMessage.from_sqs(message) for message in response.get("Messages", [])]

    async def delete(self, queue: str, messages: Sequence[ReceivedMessage]) -> dict[int, str]:
        """Delete the messages, 10 per DeleteMessageBatch call; returns the reason of each message SQS
        refused to delete, by index. A call that fails raises."""
        url = await self.url(queue)
        refused: dict[int, str] = {}
        for start in range(0, len(messages), MAX_BATCH):
            chunk = messages[start : start + MAX_BATCH]
            entries: list[DeleteMessageBatchRequestEntryTypeDef] = [
                {"Id": str(start + index), "ReceiptHandle": message.receipt_handle}
                for index, message in enumerate(chunk)
            ]
            response = await self._sqs.delete_message_batch(QueueUrl=url, Entries=entries)
            refused |= {int(failure["Id"]): _reason(failure) for failure in response.get("Failed", [])}
        return refused

    async def change_visibility(self, queue: str, message: ReceivedMessage, seconds: int) -> None:
        await self._sqs.change_message_visibility(
            QueueUrl=await self.url(queue), ReceiptHandle=message.receipt_handle, VisibilityTimeout=seconds
        )

    async def ping(self, queue: str) -> None:
        """Raise if the queue endpoint cannot be reached or the queue does not exist."""
        await self._sqs.get_queue_attributes(QueueUrl=await self.url(queue), AttributeNames=["QueueArn"])

    async def exists(self, queue: str) -> bool:
        try:
            await self._sqs.get_queue_url(QueueName=queue)
        except ClientError as exc:
            if "NonExistentQueue" in str(exc.response.get("Error", {}).get("Code", "")):
                return False
            raise
        return True


def _reason(failure: BatchResultErrorEntryTypeDef) -> str:
    return f"{failure['Code']}: {failure.get('Message', '')}"
