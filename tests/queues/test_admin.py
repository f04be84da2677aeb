"""Queue administration against moto: idempotent creation with redrive, and the DLQ tools."""

import asyncio
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


async def test_listing_shows_the_workers_receive_count_however_often_it_peeks(
    container: AsyncContainer, queues: None
) -> None:
    sqs = await container.get(SQSClient)
    client = await container.get(QueueClient)
    dlq_url = await client.url(f"{QUEUE}_DLQ")
    await client.send(f"{QUEUE}_DLQ", "{}", attributes={"reason": "failed 5 times", "receive_count": "5"})
    for _ in range(3):
        [letter] = await peek_dead_letters(sqs, dlq_url, limit=10)
        assert letter.receive_count == 5
    await purge_dead_letters(sqs, dlq_url)
    await client.send(f"{QUEUE}_DLQ", "{}")  # as SQS's redrive policy moves it: no count recorded
    assert [letter.receive_count for letter in await peek_dead_letters(sqs, dlq_url, limit=10)] == [None]


async def test_replay_ends_while_a_worker_dead_letters_the_same_poison_again(
    container: AsyncContainer, queues: None
) -> None:
    sqs = await container.get(SQSClient)
    client = await container.get(QueueClient)
    dlq_url = await client.url(f"{QUEUE}_DLQ")
    await client.send(f"{QUEUE}_DLQ", '{"type": "POISON"}', attributes={"reason": "broken"})
    bounced = asyncio.Event()

    async def worker_bouncing_the_poison() -> None:
        while True:
            for message in await client.receive(QUEUE, wait_seconds=1):
                await client.send(f"{QUEUE}_DLQ", message.body, attributes={"reason": "broken again"})
                await client.delete(QUEUE, [message])
                bounced.set()

    bouncer = asyncio.create_task(worker_bouncing_the_poison())
    try:
        async with asyncio.timeout(60):
            assert await replay_dead_letters(sqs, dlq_url, await client.url(QUEUE)) == 1
            await bounced.wait()
    finally:
        bouncer.cancel()
    # The bounced copy stays in the DLQ, visible for the next inspection or replay.
    [letter] = await peek_dead_letters(sqs, dlq_url, limit=10)
    assert letter.reason == "broken again"
