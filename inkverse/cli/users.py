"""`inkverse users …`: account administration."""

import asyncio
from typing import Annotated

import typer

from inkverse.cli.common import cli_settings, require_database_and_redis
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.users.deletion import AccountDeletion, DeletedAccount

app = typer.Typer(help="User accounts.", no_args_is_help=True)


def describe(user: tables.User) -> str:
    username = f" @{user.username}" if user.username else ""
    return f"user {user.id} <{user.email}>{username}"


@app.command()
def delete(
    email_or_id: Annotated[str, typer.Argument(metavar="EMAIL|ID", help="The user's e-mail address or id.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a user and everything that is theirs (devices, tokens, subscriptions, settings, likes,
    comments, reports, notifications, creator claims) in one transaction, then purge the caches."""
    settings = cli_settings()
    require_database_and_redis(settings)

    async def run() -> DeletedAccount | None:
        container = build_container(settings, "cli")
        try:
            deletion = await container.get(AccountDeletion)
            user = await deletion.find(email_or_id)
            question = f"Delete {describe(user)} and everything that is theirs?"
            if not yes and not await asyncio.to_thread(typer.confirm, question):
                return None
            return await deletion.delete(user.id)
        finally:
            await container.close()

    deleted = asyncio.run(run())
    if deleted is None:
        typer.echo("not deleted", err=True)
        raise typer.Exit(1)
    removed = ", ".join(f"{count} {table}" for table, count in sorted(deleted.removed.items()))
    typer.echo(f"deleted user {deleted.user_id} <{deleted.email}>: {removed}")
    if deleted.kept_comments:
        typer.echo(f"{deleted.kept_comments} comment(s) with replies by others kept as [deleted], no author")
