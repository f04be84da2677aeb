"""The services under the API: a seeded PostgreSQL and a Redis.

By default both are the embedded servers of `inkverse dev`, in a data folder per dataset size
(`.inkverse/bench-<size>/`, kept between runs so that the bench dataset is seeded once; a `seed.json`
there records what was seeded, and a different size or seed re-seeds). `DATABASE_URL` / `REDIS_URL`
(or `--database-url` / `--redis-url`) use existing servers instead: an empty database is seeded, one
with data is used as it is unless `--reseed` is given.
"""

import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from inkverse.database import migrations
from inkverse.database.engine import make_engine
from inkverse.dev.stack import EmbeddedPostgres, EmbeddedRedis, ensure_writable_dir
from inkverse.seed.dataset import SeedSize
from inkverse.seed.loader import database_is_empty, seed_database
from inkverse.settings import DatabaseSettings

COUNTED_TABLES = ("comicseries", "comicissue", "comicstory", "creator", "user_likes", "user_comments")


@dataclass(frozen=True)
class StackOptions:
    size_name: str
    size: SeedSize
    seed: int
    data_root: Path
    database_url: str | None
    redis_url: str | None
    reseed: bool


@dataclass(frozen=True)
class Stack:
    data_dir: Path
    database_url: str
    redis_url: str
    postmaster_pid: int | None
    seeded_now: bool
    seed_seconds: float | None
    rows: dict[str, int]


@contextlib.asynccontextmanager
async def bench_stack(options: StackOptions) -> AsyncIterator[Stack]:
    data_dir = ensure_writable_dir(options.data_root / f"bench-{options.size_name}")
    postgres = EmbeddedPostgres(data_dir) if options.database_url is None else None
    redis = EmbeddedRedis(data_dir) if options.redis_url is None else None
    try:
        database_url = options.database_url if postgres is None else await postgres.start()
        redis_url = options.redis_url if redis is None else await redis.start()
        assert database_url is not None
        assert redis_url is not None
        await migrations.upgrade(database_url)
        marker = data_dir / "seed.json" if postgres is not None else None
        seeded_now, seconds = await _ensure_seeded(database_url, options, marker)
        yield Stack(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=redis_url,
            postmaster_pid=postmaster_pid(postgres.pgdata) if postgres is not None else None,
            seeded_now=seeded_now,
            seed_seconds=seconds,
            rows=await _row_counts(database_url),
        )
    finally:
        for service in (redis, postgres):
            if service is not None:
                with contextlib.suppress(Exception):
                    await service.stop()


async def _ensure_seeded(
    database_url: str, options: StackOptions, marker: Path | None
) -> tuple[bool, float | None]:
    wanted = {"size": dataclasses.asdict(options.size), "seed": options.seed}
    empty = await _is_empty(database_url)
    stale = marker is not None and _read_marker(marker) != wanted
    if not (empty or options.reseed or stale):
        return False, None
    print(f"Seeding the {options.size_name} dataset ...", flush=True)
    report = await seed_database(database_url, options.size, options.seed, force=not empty)
    if marker is not None:
        _write_marker(marker, wanted)
    print(f"Seeded {report.total_rows:,} rows in {report.seconds:.1f} s", flush=True)
    return True, report.seconds


async def _is_empty(database_url: str) -> bool:
    engine = make_engine(DatabaseSettings(url=database_url, pool_size=1), "inkverse-bench")
    try:
        async with engine.connect() as connection:
            return await database_is_empty(connection)
    finally:
        await engine.dispose()


async def _row_counts(database_url: str) -> dict[str, int]:
    engine = make_engine(DatabaseSettings(url=database_url, pool_size=1), "inkverse-bench")
    try:
        async with engine.connect() as connection:
            counts = {}
            for table in COUNTED_TABLES:
                # Table names are our constants.
                counts[table] = int(await connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
            return counts
    finally:
        await engine.dispose()


def _read_marker(marker: Path) -> object:
    """What was seeded into this data folder (`seed.json`), or None."""
    return json.loads(marker.read_text()) if marker.exists() else None


def _write_marker(marker: Path, seeded: dict[str, object]) -> None:
    marker.write_text(json.dumps(seeded))


def postmaster_pid(pgdata: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    return None
