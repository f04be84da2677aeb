"""Queue administration: create every queue with its dead-letter queue and redrive policy."""

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

from botocore.exceptions import ClientError
from types_aiobotocore_s3 import S3Client
from types_aiobotocore_sqs import SQSClient
from types_aiobotocore_sqs.type_defs import MessageTypeDef

from inkverse.settings import QueueSettings

DLQ_RETENTION_SECONDS = 1_209_600
"""14 days, SQS's maximum, so a dead letter outlives the source message's own retention."""
REPLAY_VISIBILITY_SECONDS = 600
"""Dead letters a replay has read but leaves in place stay hidden this long (reset when it ends)."""
REASON_ATTRIBUTE = "reason"
RECEIVE_COUNT_ATTRIBUTE = "receive_count"
"""Message attributes the worker sets on a dead letter: why, and after how many receives."""


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
    receive_count: int | None
    """How often the worker received the message before dead-lettering it; None when SQS's redrive policy
    moved it (the worker never recorded a count)."""


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
        )
        for message in response.get("Messages", []):
            letters[message["MessageId"]] = DeadLetter(
                message_id=message["MessageId"],
                body=message.get("Body", ""),
                reason=_attribute(message, REASON_ATTRIBUTE),
                receive_count=_worker_receive_count(message),
            )
        if len(letters) >= limit or not response.get("Messages"):
            break
    return list(letters.values())[:limit]


def _attribute(message: MessageTypeDef, name: str) -> str:
    attributes = message.get("MessageAttributes") or {}
    return attributes[name].get("StringValue", "") if name in attributes else ""


def _worker_receive_count(message: MessageTypeDef) -> int | None:
    # Not SQS's ApproximateReceiveCount: every peek of the DLQ (this one included) adds to that.
    recorded = _attribute(message, RECEIVE_COUNT_ATTRIBUTE)
    return int(recorded) if recorded.isdigit() else None


async def replay_dead_letters(sqs: SQSClient, dlq_url: str, queue_url: str) -> int:
    """Move the dead letters present when the replay starts back to their queue; each is deleted from the
    DLQ only once re-sent. A message dead-lettered again during the replay (a poison message bounced back
    by the worker) was sent after the start: it is left in the DLQ, so the replay always ends."""
    started_ms = int(time.time() * 1000)
    moved = 0
    later: list[str] = []
    while True:
        response = await sqs.receive_message(
            QueueUrl=dlq_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            VisibilityTimeout=REPLAY_VISIBILITY_SECONDS,
            MessageSystemAttributeNames=["SentTimestamp"],
        )
        messages = response.get("Messages", [])
        if not messages:
            break
        for message in messages:
            if int(message.get("Attributes", {}).get("SentTimestamp", "0")) > started_ms:
                later.append(message["ReceiptHandle"])  # hidden until the replay ends, so not read twice
                continue
            await sqs.send_message(QueueUrl=queue_url, MessageBody=message.get("Body", ""))
            await sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    for receipt_handle in later:
        await sqs.change_message_visibility(
            QueueUrl=dlq_url, ReceiptHandle=receipt_handle, VisibilityTimeout=0
        )
    return moved


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
