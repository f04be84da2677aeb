"""`inkverse dev`: the embedded stack, migrations, then the API and the worker as child processes.

Children run in their own sessions, so a Ctrl-C reaches only this supervisor, which then stops them
(SIGTERM, then SIGKILL after the grace period) and the embedded servers, in that order.
"""

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Mapping
from http import HTTPStatus

import aiohttp
import structlog
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from inkverse.container import build_container
from inkverse.database import migrations
from inkverse.dev.provision import provision_aws
from inkverse.dev.seed import seed_demo_if_empty
from inkverse.dev.stack import EmbeddedStack, port_is_free
from inkverse.errors import ConfigurationError, DependencyUnavailableError
from inkverse.settings import Settings

log = structlog.get_logger(__name__)

CHILD_STOP_SECONDS = 10.0
READY_TIMEOUT_SECONDS = 60.0
# Any credentials satisfy moto; real ones are never needed for the embedded stack.
EMULATOR_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "inkverse-dev", "AWS_SECRET_ACCESS_KEY": "inkverse-dev"}


def with_stack_urls(settings: Settings, database_url: str, redis_url: str, aws_url: str | None) -> Settings:
    aws = settings.aws
    if aws_url is not None and aws.endpoint_url is None:
        aws = aws.model_copy(
            update={"endpoint_url": aws_url, "access_key_id": aws.access_key_id or "inkverse-dev"}
        )
        if aws.secret_access_key is None:
            aws = aws.model_copy(
                update={"secret_access_key": SecretStr(EMULATOR_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])}
            )
    return settings.model_copy(
        update={
            "database": settings.database.model_copy(update={"url": database_url}),
            "redis": settings.redis.model_copy(update={"url": redis_url}),
            "aws": aws,
        }
    )


def child_environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = settings.database.url or ""
    env["REDIS_URL"] = settings.redis.url or ""
    if settings.aws.endpoint_url:
        env["AWS_ENDPOINT_URL"] = settings.aws.endpoint_url
    if settings.aws.access_key_id and "AWS_ACCESS_KEY_ID" not in env:
        env.update(EMULATOR_CREDENTIALS)
    return env


class Child:
    def __init__(self, name: str, args: list[str], env: Mapping[str, str]) -> None:
        self.name = name
        self._args = args
        self._env = dict(env)
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "inkverse.cli.main", *self._args, env=self._env, start_new_session=True
        )

    async def stop(self) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), CHILD_STOP_SECONDS)
        except TimeoutError:
            log.warning("dev.child_killed", child=self.name)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def wait_until_healthy(url: str, api: Child) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while time.monotonic() < deadline:
            if api.process is not None and api.process.returncode is not None:
                raise DependencyUnavailableError(f"the API exited with code {api.process.returncode}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(url) as response:
                    if response.status == HTTPStatus.OK:
                        return
            await asyncio.sleep(0.1)
    raise DependencyUnavailableError(f"the API did not answer {url} within {READY_TIMEOUT_SECONDS:.0f} s")


def without_password(url: str | None) -> str:
    return make_url(url).render_as_string(hide_password=True) if url else "-"


def banner(settings: Settings, started: float) -> str:
    base = f"http://{settings.server.host}:{settings.server.port}"
    lines = [
        f"Inkverse dev stack ready in {time.monotonic() - started:.1f} s",
        f"  GraphQL   {base}/api/graphql  (GraphiQL in a browser)",
        f"  Health    {base}/healthz   Ready {base}/readyz   Metrics {base}/metrics",
        f"  Postgres  {without_password(settings.database.url)}",
        f"  Redis     {settings.redis.url}",
        f"  AWS       {settings.aws.endpoint_url or 'AWS default endpoints'}",
        "  Worker    polling " + settings.worker.queue,
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


async def run_dev(settings: Settings) -> None:
    started = time.monotonic()
    if not port_is_free(settings.server.host, settings.server.port):
        raise ConfigurationError(
            f"INKVERSE_PORT: port {settings.server.port} on {settings.server.host} is already in use"
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    stack = EmbeddedStack(settings.server.data_dir)
    children: list[Child] = []
    try:
        urls = await stack.start(
            settings.database.url,
            settings.redis.url,
            settings.aws.endpoint_url,
            aws=settings.aws.endpoint_for("sqs") is None,
        )
        settings = with_stack_urls(settings, urls.database_url, urls.redis_url, urls.aws_endpoint_url)
        assert settings.database.url is not None
        await migrations.upgrade(settings.database.url)
        await seed_demo_if_empty(settings.database.url, settings.server.editorial_file)
        await _provision(settings)

        env = child_environment(settings)
        children = [Child("api", ["serve"], env), Child("worker", ["worker"], env)]
        await asyncio.gather(*(child.start() for child in children))
        await wait_until_healthy(f"http://{settings.server.host}:{settings.server.port}/healthz", children[0])
        print(banner(settings, started), flush=True)  # noqa: T201 - the dev command talks to a person
        await _wait_for_stop_or_crash(stop, children)
    finally:
        await asyncio.gather(*(child.stop() for child in children))
        await stack.stop()
        log.info("dev.stopped")


async def _provision(settings: Settings) -> None:
    container = build_container(settings, "dev")
    try:
        await provision_aws(container)
    finally:
        await container.close()


async def _wait_for_stop_or_crash(stop: asyncio.Event, children: list[Child]) -> None:
    waits = {asyncio.ensure_future(child.process.wait()): child for child in children if child.process}
    stopped = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({stopped, *waits}, return_when=asyncio.FIRST_COMPLETED)
    for future in (stopped, *waits):
        future.cancel()
    for future in done:
        if future in waits:
            child = waits[future]
            raise DependencyUnavailableError(f"the {child.name} process exited unexpectedly")
