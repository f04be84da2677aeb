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
from urllib.parse import urlsplit

import aiohttp
import structlog
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from inkverse.container import build_container
from inkverse.database import migrations
from inkverse.dev.env_file import DevEnvironment, stack_variables
from inkverse.dev.keys import with_jwt_keys
from inkverse.dev.provision import provision_aws
from inkverse.dev.stack import EmbeddedStack, port_is_free
from inkverse.errors import ConfigurationError, DependencyUnavailableError
from inkverse.seed.loader import seed_demo_if_empty
from inkverse.settings import Settings
from inkverse.taddy.webhooks import DEV_WEBHOOK_SECRET

log = structlog.get_logger(__name__)

CHILD_STOP_SECONDS = 10.0
READY_TIMEOUT_SECONDS = 60.0
# Any credentials satisfy moto; real ones are never needed for the embedded stack.
EMULATOR_CREDENTIAL = "inkverse-dev"


def without_previous_embedded(settings: Settings, previous: DevEnvironment) -> Settings:
    """Treat the address of a server the last `inkverse dev` started (say, the banner's URL copied into
    `.env`) as unset, so that the server is started again rather than expected to be running."""
    database, redis, aws = settings.database, settings.redis, settings.aws
    if previous.started_by_dev("DATABASE_URL", database.url):
        database = database.model_copy(update={"url": None})
    if previous.started_by_dev("REDIS_URL", redis.url):
        redis = redis.model_copy(update={"url": None})
    if previous.started_by_dev("AWS_ENDPOINT_URL", aws.endpoint_url):
        aws = aws.model_copy(update={"endpoint_url": None})
    return settings.model_copy(update={"database": database, "redis": redis, "aws": aws})


def previous_aws_port(previous: DevEnvironment) -> int:
    """The port of the last embedded AWS emulator, so that its URL stays the same across runs."""
    if "AWS_ENDPOINT_URL" not in previous.embedded:
        return 0
    return urlsplit(previous.values.get("AWS_ENDPOINT_URL", "")).port or 0


def with_stack_urls(settings: Settings, database_url: str, redis_url: str, aws_url: str | None) -> Settings:
    aws = settings.aws
    if aws_url is not None and aws.endpoint_url is None:
        aws = aws.model_copy(
            update={
                "endpoint_url": aws_url,
                "access_key_id": aws.access_key_id or EMULATOR_CREDENTIAL,
                "secret_access_key": aws.secret_access_key or SecretStr(EMULATOR_CREDENTIAL),
            }
        )
    return settings.model_copy(
        update={
            "database": settings.database.model_copy(update={"url": database_url}),
            "redis": settings.redis.model_copy(update={"url": redis_url}),
            "aws": aws,
        }
    )


def child_environment(settings: Settings) -> dict[str, str]:
    return {**os.environ, **stack_variables(settings)}


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
    """The URL as configured (so that it can be copied) unless it holds a password, which is masked."""
    if not url:
        return "-"
    return url if make_url(url).password is None else make_url(url).render_as_string(hide_password=True)


def with_webhook_secret(settings: Settings) -> Settings:
    """The development secret made explicit, so that the API uses it without a warning and `dev.env` and
    the banner show it."""
    if settings.taddy.webhook_secret is not None or settings.server.is_production:
        return settings
    taddy = settings.taddy.model_copy(update={"webhook_secret": SecretStr(DEV_WEBHOOK_SECRET)})
    return settings.model_copy(update={"taddy": taddy})


def webhook_line(settings: Settings, base: str) -> str:
    secret = settings.taddy.webhook_secret
    shown = (
        DEV_WEBHOOK_SECRET
        if secret and secret.get_secret_value() == DEV_WEBHOOK_SECRET
        else "TADDY_WEBHOOK_SECRET"
    )
    return f"  Webhooks  {base}/api/webhooks/taddy  (X-TADDY-WEBHOOK-SECRET: {shown})"


def banner(settings: Settings, started: float) -> str:
    base = f"http://{settings.server.host}:{settings.server.port}"
    lines = [
        f"Inkverse dev stack ready in {time.monotonic() - started:.1f} s",
        f"  GraphQL   {base}/api/graphql  (GraphiQL in a browser)",
        f"  Health    {base}/healthz   Ready {base}/readyz   Metrics {base}/metrics",
        f"  Postgres  {without_password(settings.database.url)}",
        f"  Redis     {settings.redis.url}",
        f"  AWS       {settings.aws.endpoint_url or 'AWS default endpoints'}",
        webhook_line(settings, base),
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
    previous = DevEnvironment.read(stack.data_dir)
    settings = with_jwt_keys(with_webhook_secret(without_previous_embedded(settings, previous)))
    children: list[Child] = []
    try:
        urls = await stack.start(
            settings.database.url,
            settings.redis.url,
            settings.aws.endpoint_url,
            aws=settings.aws.endpoint_for("sqs") is None,
            aws_port=previous_aws_port(previous),
        )
        settings = with_stack_urls(settings, urls.database_url, urls.redis_url, urls.aws_endpoint_url)
        assert settings.database.url is not None
        await migrations.upgrade(settings.database.url)
        await seed_demo_if_empty(settings.database.url, settings.server.editorial_file)
        await _provision(settings)
        DevEnvironment(stack_variables(settings), stack.embedded_variables()).write(stack.data_dir)

        env = child_environment(settings)
        # The development worker runs the scheduled jobs unless the environment says otherwise.
        worker_env = {"WORKER_RUN_JOBS": "true", **env}
        children = [Child("api", ["serve"], env), Child("worker", ["worker"], worker_env)]
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
