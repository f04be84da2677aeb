"""`inkverse jobs list` and `inkverse jobs run` as a person runs them, against the test services."""

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkverse.database import tables
from inkverse.database.engine import make_sessionmaker
from inkverse.jobs.registry import JOBS
from inkverse.jobs.runner import lock_key
from tests.cli.test_cli import SERVICE_PREFIXES
from tests.fixtures.services import Services

DEADLINE_SECONDS = 60


def environment(services: Services) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    return kept | {
        "DATABASE_URL": services.database_url,
        "REDIS_URL": services.redis_url,
        "AWS_ENDPOINT_URL": services.aws_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "INKVERSE_ENV": "test",
    }


async def start(services: Services, cwd: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "inkverse.cli.main", "jobs", *args, env=environment(services), cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def finish(process: asyncio.subprocess.Process) -> tuple[int, str, str]:
    stdout, stderr = await asyncio.wait_for(process.communicate(), DEADLINE_SECONDS)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_jobs_list_shows_each_job_with_its_schedule_and_runs(
    services: Services, engine: AsyncEngine, tmp_path: Path
) -> None:
    code, out, err = await finish(await start(services, tmp_path, "list"))

    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[:2] for line in lines] == [[job.name, job.schedule.split()[0]] for job in JOBS]
    assert all("last: never" in line and "next: " in line for line in lines)


async def test_jobs_run_waits_for_the_lock_a_worker_holds_then_succeeds(
    services: Services, engine: AsyncEngine, tmp_path: Path
) -> None:
    async with engine.connect() as raw:
        holder = await raw.execution_options(isolation_level="AUTOCOMMIT")
        await holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": lock_key("outbox-relay")})
        process = await start(services, tmp_path, "run", "outbox-relay")
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), DEADLINE_SECONDS)
        assert line.decode().strip() == "waiting for outbox-relay: another run holds its lock"
        assert process.returncode is None
        async with make_sessionmaker(engine)() as session:
            assert (await session.scalars(select(tables.JobRun))).all() == []
        await holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key("outbox-relay")})

    code, out, err = await finish(process)

    assert code == 0, err
    assert "outbox-relay succeeded" in out
    async with make_sessionmaker(engine)() as session:
        [run] = (await session.scalars(select(tables.JobRun))).all()
    assert (run.name, run.outcome) == ("outbox-relay", "succeeded")


@pytest.mark.parametrize("name", ["sitemaps", "nope"])
async def test_jobs_run_refuses_an_unknown_job(services: Services, tmp_path: Path, name: str) -> None:
    code, _, err = await finish(await start(services, tmp_path, "run", name))

    assert code == 2
    known = ", ".join(job.name for job in JOBS)
    assert f"unknown job {name!r}; the jobs are: {known}" in err
