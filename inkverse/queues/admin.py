"""Queue administration: create every queue with its dead-letter queue and redrive policy."""

import json

from botocore.exceptions import ClientError
from types_aiobotocore_sqs import SQSClient

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
