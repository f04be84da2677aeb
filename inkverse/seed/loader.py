"""Fill a migrated database with the seed dataset (`inkverse.seed.dataset`) through COPY.

`seed_database(url, size, seed)` refuses a database that already holds data unless `force=True`, which
empties every table first. All rows go in with asyncpg's binary COPY in one transaction (a failure
leaves the database as it was), the `users` id sequence is moved past the explicit ids, and the tables
are vacuumed and analysed so that the planner sees real statistics and autovacuum does not start in the
middle of a benchmark. `seed_demo_if_empty(url)` is what `inkverse dev` calls on start.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from inkverse.database.engine import make_engine
from inkverse.errors import InkverseError
from inkverse.lists.editorial import load_editorial
from inkverse.seed.dataset import SIZES, SeedDataset, SeedSize, TableData
from inkverse.settings import DatabaseSettings

log = structlog.get_logger(__name__)

DEFAULT_SEED = 1
SEEDED_TABLES = (
    "comicseries", "comicissue", "comicstory", "creator", "creatorcontent", "creatorlink", "uuid_lookup",
    "users", "user_likes", "user_comments", "userseries_subscriptions",
)  # fmt: skip


class DatabaseNotEmptyError(InkverseError):
    """The database already holds data and `force` was not given."""


@dataclass
class SeedReport:
    size: SeedSize
    seed: int
    reference_time: int
    rows: dict[str, int] = field(default_factory=dict)
    copy_seconds: float = 0.0
    vacuum_seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def seconds(self) -> float:
        return self.copy_seconds + self.vacuum_seconds


def start_of_day(now: float | None = None) -> int:
    """The default reference time: today's midnight UTC, so runs on the same day give the same data."""
    moment = datetime.fromtimestamp(now if now is not None else time.time(), UTC)
    return int(moment.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())


def editorial_series_uuids(editorial_file: Path | None = None) -> list[str]:
    """The series the home screen lists name, featured ones first, each once."""
    editorial = load_editorial(editorial_file)
    featured = editorial.featured_series_uuids()
    return list(dict.fromkeys([*featured, *editorial.most_popular_comic_series_uuids]))


async def seed_database(
    database_url: str,
    size: SeedSize,
    seed: int = DEFAULT_SEED,
    *,
    force: bool = False,
    reference_time: int | None = None,
    editorial_file: Path | None = None,
) -> SeedReport:
    """Seed a migrated database; raises DatabaseNotEmptyError unless it is empty or `force` is set."""
    reference = reference_time if reference_time is not None else start_of_day()
    dataset = SeedDataset(size, seed, reference, editorial_series_uuids(editorial_file))
    report = SeedReport(size, seed, reference)
    engine = make_engine(DatabaseSettings(url=database_url, pool_size=1, max_overflow=0), "inkverse-seed")
    try:
        await _load(engine, dataset, report, force=force)
        started = time.perf_counter()
        await _vacuum_analyze(engine)
        report.vacuum_seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    log.info("seed.done", rows=report.total_rows, seconds=round(report.seconds, 1))
    return report


async def seed_demo_if_empty(database_url: str, editorial_file: Path | None = None) -> SeedReport | None:
    """Seed the demo dataset when the database holds no data; leave any existing data alone."""
    try:
        return await seed_database(database_url, SIZES["demo"], editorial_file=editorial_file)
    except DatabaseNotEmptyError:
        return None


async def database_is_empty(connection: AsyncConnection) -> bool:
    for table in SEEDED_TABLES:
        # Table names are our constants, not input.
        if await connection.scalar(text(f'SELECT EXISTS (SELECT 1 FROM "{table}")')):  # noqa: S608
            return False
    return True


async def _load(engine: AsyncEngine, dataset: SeedDataset, report: SeedReport, *, force: bool) -> None:
    async with engine.begin() as connection:
        if not await database_is_empty(connection):
            if not force:
                raise DatabaseNotEmptyError(
                    "the database already holds data; `inkverse seed --force` empties every table first"
                )
            await _empty_every_table(connection)
        await connection.execute(text("SET LOCAL synchronous_commit = off"))
        started = time.perf_counter()
        driver = await _driver_connection(connection)
        for table in dataset.tables():
            report.rows[table.name] = await _copy(driver, table)
        await connection.execute(
            text("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")
        )
        report.copy_seconds = time.perf_counter() - started


async def _driver_connection(connection: AsyncConnection) -> Any:
    """The asyncpg connection under SQLAlchemy's, for COPY."""
    raw = await connection.get_raw_connection()
    return raw.driver_connection


async def _copy(driver: Any, table: TableData) -> int:
    started = time.perf_counter()
    status = await driver.copy_records_to_table(table.name, records=table.rows, columns=list(table.columns))
    count = int(str(status).rsplit(" ", 1)[-1])
    log.debug("seed.table", table=table.name, rows=count, seconds=round(time.perf_counter() - started, 2))
    return count


async def _empty_every_table(connection: AsyncConnection) -> None:
    names = (
        await connection.scalars(
            text(
                "SELECT quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"
            )
        )
    ).all()
    if names:
        await connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY"))


async def _vacuum_analyze(engine: AsyncEngine) -> None:
    # VACUUM cannot run inside a transaction block.
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(text(f"VACUUM (ANALYZE) {', '.join(SEEDED_TABLES)}"))
