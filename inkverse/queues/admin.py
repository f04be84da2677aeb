"""Queue administration: create every queue with its dead-letter queue and redrive policy."""

import json
from collections.abc import Sequence
from dataclasses import dataclass

from botocore.exceptions import ClientError
from types_aiobotocore_s3 import S3Client
from types_aiobotocore_sqs import SQSClient
from types_aiobotocore_sqs.type_defs import MessageTypeDef

from inkverse.queues.client import ReceivedMessage
from inkverse.settings import QueueSettings

DLQ_RETENTION_SECONDS = 1_209_600
"""14 days, SQS's maximum, so a dead letter outlives the source message's own retention."""


async def ensure_queue(sqs: SQSClient, name: str, attributes: dict[str, str]) -> str:
    """Create the queue, or bring an existing one's attributes up to date; returns its URL."""
    try:
        url = (await sqs.get_queue_url(QueueName=name))["QueueUrl"]
    except ClientError as exc:
        if "NonExistentQueue" not in exc.response.get("Error", {}).get("Code", ""):
            raise
        return (await sqs.create_queue(QueueName=name, Attributes=attributes))["QueueUrl"]  # type: ignore[arg-type]
    await sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)  # type: ignore[arg-type]
    return url


async def create_queues(sqs: SQSClient, settings: QueueSettings) -> dict[str, str]:
    """Create (idempotently) each queue and its DLQ; returns queue name → URL, DLQs included."""
    urls: dict[str, str] = {}
    for name in settings.queue_names:
        dlq_name = f"{name}{settings.dlq_suffix}"
        urls[dlq_name] = await ensure_queue(
            sqs, dlq_name, {"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)}
        )
        dlq_arn = (await sqs.get_queue_attributes(QueueUrl=urls[dlq_name], AttributeNames=["QueueArn"]))[
            "Attributes"
        ]["QueueArn"]
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(settings.max_receive_count)}
        urls[name] = await ensure_queue(
            sqs,
            name,
            {
                "ReceiveMessageWaitTimeSeconds": str(settings.wait_time_seconds),
                "VisibilityTimeout": str(settings.visibility_timeout_seconds),
                "RedrivePolicy": json.dumps(redrive),
            },
        )
    return urls


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    body: str
    reason: str
    receive_count: int


async def peek_dead_letters(sqs: SQSClient, dlq_url: str, limit: int) -> list[DeadLetter]:
    """Read up to `limit` dead letters without taking them (they stay visible)."""
    letters: dict[str, DeadLetter] = {}
    for _ in range(max(1, limit // 10 * 3)):
        response = await sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=min(10, limit),
            VisibilityTimeout=0,
            WaitTimeSeconds=0,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["ApproximateReceiveCount"],
        )
        for message in response.get("Messages", []):
            letters[message["MessageId"]] = DeadLetter(
                message_id=message["MessageId"],
                body=message.get("Body", ""),
                reason=_reason(message),
                receive_count=ReceivedMessage.from_sqs(message).receive_count,
            )
        if len(letters) >= limit or not response.get("Messages"):
            break
    return list(letters.values())[:limit]


def _reason(message: MessageTypeDef) -> str:
    attributes = message.get("MessageAttributes") or {}
    return attributes["reason"].get("StringValue", "") if "reason" in attributes else ""


async def replay_dead_letters(sqs: SQSClient, dlq_url: str, queue_url: str) -> int:
    """Move every dead letter back to its queue; each is deleted from the DLQ only once re-sent."""
    moved = 0
    while True:
        response = await sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        messages = response.get("Messages", [])
        if not messages:
            return moved
        for message in messages:
            await sqs.send_message(QueueUrl=queue_url, MessageBody=message.get("Body", ""))
            await sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1


async def purge_dead_letters(sqs: SQSClient, dlq_url: str) -> None:
    await sqs.purge_queue(QueueUrl=dlq_url)


async def ensure_buckets(s3: S3Client, buckets: Sequence[str], region: str) -> None:
    """Create the buckets that do not exist yet (the overflow bucket of large message bodies, ...)."""
    existing = {bucket["Name"] for bucket in (await s3.list_buckets()).get("Buckets", [])}
    for bucket in buckets:
        if bucket not in existing:
            await s3.create_bucket(
                Bucket=bucket,
                CreateBucketConfiguration={"LocationConstraint": region},  # type: ignore[typeddict-item]
            )
