"""`inkverse db …`: migrations."""

import asyncio
from typing import Annotated

import typer

from inkverse.cli.common import cli_settings, database_url
from inkverse.database import migrations

app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)


def _database_url() -> str:
    return database_url(cli_settings())


@app.command()
def upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION."""
    asyncio.run(migrations.upgrade(_database_url(), revision))


@app.command()
def downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")]) -> None:
    """Revert migrations down to REVISION."""
    asyncio.run(migrations.downgrade(_database_url(), revision))


@app.command()
def current() -> None:
    """Show the revision the database is at."""
    asyncio.run(migrations.current(_database_url()))


@app.command()
def check() -> None:
    """Fail if the database schema and the models differ."""
    asyncio.run(migrations.check(_database_url()))
    typer.echo("No drift: the database matches the models.")


@app.command()
def adopt() -> None:
    """Take over a database created by the original server: verify its schema, stamp, upgrade."""
    applied = asyncio.run(migrations.adopt(_database_url()))
    typer.echo(f"Adopted at {migrations.BASELINE}; applied {', '.join(applied) or 'nothing more'}.")
