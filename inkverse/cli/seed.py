"""`inkverse seed`: fill the database with a realistic, deterministic dataset (development, benchmarks).

Without `DATABASE_URL`, the embedded PostgreSQL of `inkverse dev` (under `INKVERSE_DATA_DIR`) is used:
started for the command and stopped again, unless `inkverse dev` is already running it.
"""

import asyncio
import contextlib
import dataclasses
import os
from collections.abc import AsyncIterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from inkverse.database import migrations
from inkverse.dev.seed import DEFAULT_SEED, SeedReport, seed_database
from inkverse.dev.seed_data import SIZES, SeedSize
from inkverse.dev.stack import EmbeddedPostgres, ensure_writable_dir
from inkverse.logging import configure_logging
from inkverse.settings import Settings, load_settings


class SizeName(StrEnum):
    BENCH = "bench"
    DEMO = "demo"


def seed(
    *,
    size: Annotated[SizeName, typer.Option(help="Preset: bench (2,000 series) or demo (120 series).")] = (
        SizeName.BENCH
    ),
    series: Annotated[int | None, typer.Option(min=0, help="Series (overrides the preset).")] = None,
    issues_per_series: Annotated[int | None, typer.Option(min=0, help="Issues per series.")] = None,
    stories_per_issue: Annotated[int | None, typer.Option(min=0, help="Stories per issue.")] = None,
    creators: Annotated[int | None, typer.Option(min=0, help="Creators.")] = None,
    users: Annotated[int | None, typer.Option(min=0, help="Readers (who like and comment).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = DEFAULT_SEED,
    force: Annotated[bool, typer.Option(help="Empty EVERY table first (all data is lost).")] = False,
) -> None:
    """Fill the database with a deterministic catalogue (COPY); refuses a non-empty database."""
    chosen = dataclasses.replace(
        SIZES[size.value],
        **{
            name: value
            for name, value in (
                ("series", series),
                ("issues_per_series", issues_per_series),
                ("stories_per_issue", stories_per_issue),
                ("creators", creators),
                ("users", users),
            )
            if value is not None
        },
    )
    settings = load_settings()
    configure_logging(settings.log)
    asyncio.run(_seed(settings, chosen, seed, force=force))


async def _seed(settings: Settings, size: SeedSize, seed_value: int, *, force: bool) -> None:
    async with database_url(settings) as url:
        await migrations.upgrade(url)
        report = await seed_database(
            url, size, seed_value, force=force, editorial_file=settings.server.editorial_file
        )
    typer.echo(describe(report))


@contextlib.asynccontextmanager
async def database_url(settings: Settings) -> AsyncIterator[str]:
    """The configured database, or the embedded one of `inkverse dev` for the duration of the command."""
    if settings.database.url is not None:
        yield settings.database.url
        return
    data_dir = ensure_writable_dir(settings.server.data_dir)
    postgres = EmbeddedPostgres(data_dir)
    already_running = postmaster_running(postgres.pgdata)
    try:
        yield await postgres.start()
    finally:
        if not already_running:
            await postgres.stop()


def postmaster_running(pgdata: Path) -> bool:
    """Whether a PostgreSQL server (say of a running `inkverse dev`) already serves this data folder."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


def describe(report: SeedReport) -> str:
    size = report.size
    lines = [
        f"Seeded {report.total_rows:,} rows in {report.seconds:.1f} s "
        f"(COPY {report.copy_seconds:.1f} s, VACUUM ANALYZE {report.vacuum_seconds:.1f} s); "
        f"{size.series} series x {size.issues_per_series} issues x {size.stories_per_issue} stories, "
        f"{size.creators} creators, {size.users} readers, seed {report.seed}",
        *(f"  {table:<26} {count:>9,}" for table, count in report.rows.items()),
    ]
    return "\n".join(lines)
