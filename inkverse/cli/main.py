"""The `inkverse` command.

Every command loads the settings once, through `load_settings()`; a missing or invalid setting ends the
process with one line naming the variable and exit code 2, a service that cannot be reached with one
line naming its variable and exit code 1, never a traceback.
"""

import asyncio
import os
import sys
from collections.abc import Coroutine, Sequence
from typing import Annotated, Any

import typer
import uvicorn
from starlette.applications import Starlette
from uvicorn.supervisors import Multiprocess

from inkverse.cli import auth, cache, db, email, jobs, queues, seed, taddy, users
from inkverse.cli.common import cli_settings, require_database_and_redis, service_settings
from inkverse.cli.failures import describe_unavailable_service
from inkverse.errors import ConfigurationError, DependencyUnavailableError, InkverseError

app = typer.Typer(
    name="inkverse",
    help="Inkverse Server: the GraphQL API, the queue worker and their tools.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(queues.app, name="queues")
app.add_typer(email.app, name="email")
app.add_typer(cache.app, name="cache")
app.add_typer(taddy.app, name="taddy")
app.add_typer(auth.app, name="auth")
app.add_typer(users.app, name="users")
app.add_typer(jobs.app, name="jobs")
app.command()(seed.seed)


def run(coroutine: Coroutine[Any, Any, None]) -> None:
    asyncio.run(coroutine)


@app.command()
def dev() -> None:
    """Start the embedded stack (PostgreSQL, Redis, moto) unless URLs are set, then the API and worker."""
    from inkverse.dev.supervisor import run_dev  # noqa: PLC0415 - keeps the dev stack out of other commands

    # Not its own dev.env: what the last run wrote is no configuration of this one.
    run(run_dev(cli_settings(dev_env=False)))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default INKVERSE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default INKVERSE_PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Processes (default: the usable CPU cores in production, else 1)."),
    ] = None,
) -> None:
    """Serve the API with uvicorn, in one process or in `--workers` processes sharing the port."""
    settings = service_settings()
    require_database_and_redis(settings)
    processes = workers or (available_cores() if settings.server.is_production else 1)
    options: dict[str, Any] = {
        "host": host or settings.server.host,
        "port": port or settings.server.port,
        "log_config": None,
        "access_log": False,
        "proxy_headers": True,
        "timeout_graceful_shutdown": 10,
    }
    if processes > 1:
        # Each process builds its own app, container and connection pools (DATABASE_POOL_SIZE each).
        config = uvicorn.Config(f"{__name__}:serving_app", factory=True, workers=processes, **options)
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    config = uvicorn.Config(serving_app(), **options)
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        raise DependencyUnavailableError(f"could not bind {config.host}:{config.port}")


def serving_app() -> Starlette:
    """The API as `serve` runs it, settings loaded as every command loads them (per worker process)."""
    from inkverse.api.app import build_app  # noqa: PLC0415 - Strawberry is slow to import
    from inkverse.container import build_container  # noqa: PLC0415

    settings = service_settings()
    return build_app(build_container(settings, "api"), settings)


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@app.command()
def worker() -> None:
    """Consume the queue until SIGTERM or SIGINT (the same as `python -m inkverse.worker`)."""
    from inkverse.worker.runner import run_worker  # noqa: PLC0415

    settings = service_settings()
    require_database_and_redis(settings)
    run(run_worker(settings))


@app.command()
def provision() -> None:
    """Create the queues with their dead-letter queues and the buckets, and verify the e-mail sender, on
    the AWS endpoint: what `inkverse dev` does on its emulator (idempotent)."""
    from inkverse.container import build_container  # noqa: PLC0415
    from inkverse.dev.provision import provision_aws  # noqa: PLC0415

    async def work() -> None:
        container = build_container(cli_settings(), "cli")
        try:
            await provision_aws(container)
        finally:
            await container.close()

    run(work())
    typer.echo("provisioned: queues, dead-letter queues, buckets, e-mail sender")


@app.command("graphql-schema")
def graphql_schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from inkverse.graphql.schema import build_schema  # noqa: PLC0415

    typer.echo(build_schema().as_str())


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command; Typer reports usage errors itself (exit 2), ours end as one line."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="inkverse")
    except ConfigurationError as exc:
        typer.echo(f"inkverse: configuration error: {exc}", err=True)
        sys.exit(2)
    except InkverseError as exc:
        typer.echo(f"inkverse: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        message = describe_unavailable_service(exc)
        if message is None:
            raise
        typer.echo(f"inkverse: {message}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
