"""Create what the services expect to exist on an AWS endpoint: queues with DLQs, buckets, the sender."""

from email.utils import parseaddr

import aioboto3
import structlog
from dishka import AsyncContainer
from types_aiobotocore_s3 import S3Client
from types_aiobotocore_sqs import SQSClient

from inkverse.queues.admin import create_queues, ensure_buckets
from inkverse.settings import AwsSettings, CloudflareSettings, EmailSettings, QueueSettings

log = structlog.get_logger(__name__)


async def provision_aws(container: AsyncContainer) -> None:
    aws = await container.get(AwsSettings)
    session = await container.get(aioboto3.Session)
    queues = await create_queues(await container.get(SQSClient), await container.get(QueueSettings))
    queue_settings = await container.get(QueueSettings)
    buckets = [*(await container.get(CloudflareSettings)).r2_buckets, queue_settings.overflow_bucket]
    await ensure_buckets(await container.get(S3Client), buckets, aws.region)
    sender = parseaddr((await container.get(EmailSettings)).sender)[1]
    async with session.client("ses", endpoint_url=aws.endpoint_for("ses")) as ses:
        await ses.verify_email_identity(EmailAddress=sender)
    log.info("dev.provisioned", queues=sorted(queues), buckets=buckets, sender=sender)
