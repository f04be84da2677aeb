"""`inkverse seed`: fill the database with a realistic, deterministic dataset (development, benchmarks).

The database is `DATABASE_URL`, or the one of a running `inkverse dev` (its `dev.env`).
"""

import asyncio
import dataclasses
from enum import StrEnum
from typing import Annotated

import typer

from inkverse.cli.common import cli_settings, database_url
from inkverse.database import migrations
from inkverse.seed.dataset import SIZES, SeedSize
from inkverse.seed.loader import DEFAULT_SEED, SeedReport, seed_database
from inkverse.settings import Settings


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
    settings = cli_settings()
    asyncio.run(_seed(settings, chosen, seed, force=force))


async def _seed(settings: Settings, size: SeedSize, seed_value: int, *, force: bool) -> None:
    url = database_url(settings)
    await migrations.upgrade(url)
    report = await seed_database(
        url, size, seed_value, force=force, editorial_file=settings.server.editorial_file
    )
    typer.echo(describe(report))


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
