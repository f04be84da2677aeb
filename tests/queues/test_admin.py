"""Queue administration against moto: idempotent creation with redrive, and the DLQ tools."""

import json

from dishka import AsyncContainer
from types_aiobotocore_sqs import SQSClient

from inkverse.queues.admin import create_queues, peek_dead_letters, purge_dead_letters, replay_dead_letters
from inkverse.queues.client import QueueClient
from inkverse.settings import Settings

QUEUE = "INKVERSE_HIGH_PRIORITY"


async def test_create_is_idempotent_and_sets_the_redrive_policy(
    container: AsyncContainer, queues: None, settings: Settings
) -> None:
    sqs = await container.get(SQSClient)
    again = await create_queues(sqs, settings.queues.model_copy(update={"max_receive_count": 7}))
    attributes = (await sqs.get_queue_attributes(QueueUrl=again[QUEUE], AttributeNames=["All"]))["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["maxReceiveCount"] in (7, "7")
    assert redrive["deadLetterTargetArn"].endswith(f"{QUEUE}_DLQ")
    assert attributes["ReceiveMessageWaitTimeSeconds"] == str(settings.queues.wait_time_seconds)


async def test_dead_letters_can_be_listed_replayed_and_purged(
    container: AsyncContainer, queues: None
) -> None:
    sqs = await container.get(SQSClient)
    client = await container.get(QueueClient)
    dlq_url = await client.url(f"{QUEUE}_DLQ")
    for n in range(3):
        await client.send(
            f"{QUEUE}_DLQ", json.dumps({"type": "X", "n": n}), attributes={"reason": f"broken {n}"}
        )

    letters = await peek_dead_letters(sqs, dlq_url, limit=10)
    assert sorted(letter.reason for letter in letters) == ["broken 0", "broken 1", "broken 2"]
    assert len(await peek_dead_letters(sqs, dlq_url, limit=10)) == 3  # peeking takes nothing

    assert await replay_dead_letters(sqs, dlq_url, await client.url(QUEUE)) == 3
    replayed = await client.receive(QUEUE, wait_seconds=1)
    assert sorted(json.loads(message.body)["n"] for message in replayed) == [0, 1, 2]
    assert await peek_dead_letters(sqs, dlq_url, limit=10) == []

    await client.send(f"{QUEUE}_DLQ", "{}")
    await purge_dead_letters(sqs, dlq_url)
    assert await peek_dead_letters(sqs, dlq_url, limit=10) == []
