"""`inkverse queues …`: queue administration."""

import asyncio

import typer
from types_aiobotocore_sqs import SQSClient

from inkverse.container import build_container
from inkverse.queues.admin import create_queues
from inkverse.settings import QueueSettings, load_settings

app = typer.Typer(help="SQS queues.", no_args_is_help=True)


async def _create() -> dict[str, str]:
    container = build_container(load_settings(), "cli")
    try:
        return await create_queues(await container.get(SQSClient), await container.get(QueueSettings))
    finally:
        await container.close()


@app.command()
def create() -> None:
    """Create the queues and their dead-letter queues (idempotent)."""
    for name, url in asyncio.run(_create()).items():
        typer.echo(f"{name}\t{url}")
