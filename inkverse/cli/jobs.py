"""`inkverse jobs …`: the scheduled jobs (`inkverse/jobs/registry.py`), as the worker runs them."""

import asyncio
from datetime import datetime
from typing import Annotated

import typer

from inkverse.cli.common import cli_settings, require_database_and_redis
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.jobs.registry import JOBS, job_named
from inkverse.jobs.runner import JobStatus, build_job_runner

app = typer.Typer(help="Scheduled jobs: list them, or run one now.", no_args_is_help=True)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "never"


def _last(run: tables.JobRun | None) -> str:
    if run is None:
        return "never"
    return f"{_when(run.started_at)} {run.outcome}"


def describe(status: JobStatus) -> str:
    job = status.job
    name_width = max(len(known.name) for known in JOBS)
    return (
        f"{job.name:<{name_width}} {job.schedule:<12} last: {_last(status.last_run):<30} "
        f"next: {_when(status.next_run)}"
    )


@app.command("list")
def list_jobs() -> None:
    """One line per job: name, cron schedule (UTC), last run and its outcome, next run."""
    settings = cli_settings()
    require_database_and_redis(settings)

    async def run() -> list[JobStatus]:
        container = build_container(settings, "cli")
        try:
            return await (await build_job_runner(container)).statuses()
        finally:
            await container.close()

    for status in asyncio.run(run()):
        typer.echo(describe(status))


@app.command("run")
def run_job(name: Annotated[str, typer.Argument(help="The job's name (`inkverse jobs list`).")]) -> None:
    """Run a job now, recorded like a scheduled run; waits for its lock while a worker runs it.
    Exit code 0 when the run succeeds, 1 when it fails."""
    job = job_named(name)
    if job is None:
        known = ", ".join(job.name for job in JOBS)
        typer.echo(f"unknown job {name!r}; the jobs are: {known}", err=True)
        raise typer.Exit(2)
    settings = cli_settings()
    require_database_and_redis(settings)

    async def run() -> bool:
        container = build_container(settings, "cli")
        try:
            runner = await build_job_runner(container)
            return await runner.run_now(
                job, on_wait=lambda: typer.echo(f"waiting for {name}: another run holds its lock")
            )
        finally:
            await container.close()

    if not asyncio.run(run()):
        typer.echo(f"{name} failed (see the log, and job_runs)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{name} succeeded")
