"""`inkverse queues …`: queue administration and the dead-letter queues."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from types_aiobotocore_s3 import S3Client
from types_aiobotocore_sqs import SQSClient

from inkverse.container import build_container
from inkverse.queues.admin import (
    create_queues,
    ensure_buckets,
    peek_dead_letters,
    purge_dead_letters,
    replay_dead_letters,
)
from inkverse.queues.client import QueueClient
from inkverse.settings import WorkerSettings, load_settings

app = typer.Typer(help="SQS queues.", no_args_is_help=True)
dlq = typer.Typer(help="Dead-letter queues: inspect, replay, purge.", no_args_is_help=True)
app.add_typer(dlq, name="dlq")

T = TypeVar("T")
QueueOption = Annotated[str | None, typer.Option("--queue", help="Source queue (default WORKER_QUEUE).")]


def with_sqs(work: Callable[[SQSClient, QueueClient, str], Awaitable[T]], queue: str | None = None) -> T:
    async def run() -> T:
        container = build_container(load_settings(), "cli")
        try:
            name = queue or (await container.get(WorkerSettings)).queue
            return await work(await container.get(SQSClient), await container.get(QueueClient), name)
        finally:
            await container.close()

    return asyncio.run(run())


@app.command()
def create() -> None:
    """Create the queues, their dead-letter queues and the bucket of large bodies (idempotent)."""

    async def work() -> dict[str, str]:
        settings = load_settings()
        container = build_container(settings, "cli")
        try:
            urls = await create_queues(await container.get(SQSClient), settings.queues)
            await ensure_buckets(
                await container.get(S3Client), [settings.queues.overflow_bucket], settings.aws.region
            )
        finally:
            await container.close()
        return urls

    for name, url in asyncio.run(work()).items():
        typer.echo(f"{name}\t{url}")


@dlq.command("list")
def list_dead_letters(
    queue: QueueOption = None, limit: Annotated[int, typer.Option(help="At most this many.")] = 20
) -> None:
    """Show dead letters with the reason each was dead-lettered (they stay in the queue)."""

    async def work(sqs: SQSClient, client: QueueClient, name: str) -> None:
        letters = await peek_dead_letters(sqs, await client.url(client.dlq_name(name)), limit)
        for letter in letters:
            received = "moved by SQS" if letter.receive_count is None else f"received {letter.receive_count}x"
            typer.echo(f"{letter.message_id}\t{received}\t{letter.reason}")
            typer.echo(f"  {letter.body[:300]}")
        typer.echo(f"{len(letters)} dead letter(s) shown")

    with_sqs(work, queue)


@dlq.command()
def replay(queue: QueueOption = None) -> None:
    """Send the dead letters present now back to their queue for another try (not those that come back
    while it runs)."""

    async def work(sqs: SQSClient, client: QueueClient, name: str) -> int:
        return await replay_dead_letters(sqs, await client.url(client.dlq_name(name)), await client.url(name))

    typer.echo(f"replayed {with_sqs(work, queue)} message(s)")


@dlq.command()
def purge(
    queue: QueueOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every dead letter (asks first)."""
    if not yes:
        typer.confirm("Delete every message in the dead-letter queue?", abort=True)

    async def work(sqs: SQSClient, client: QueueClient, name: str) -> None:
        await purge_dead_letters(sqs, await client.url(client.dlq_name(name)))

    with_sqs(work, queue)
    typer.echo("purged")
