"""The `inkverse` command as a user runs it: help, schema, one-line errors for bad settings and for
services that cannot be reached, and the `dev.env` of a running `inkverse dev`."""

import asyncio
import os
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aioboto3
import httpx
import psutil
import pytest
from sqlalchemy.engine import make_url

from tests.fixtures.services import Services

SERVICE_PREFIXES = ("DATABASE_", "REDIS_", "AWS_", "INKVERSE_", "CACHE_")


def inkverse(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "inkverse.cli.main", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def moto(services: Services) -> AsyncIterator[Services]:
    """The shared AWS emulator, emptied after the test."""
    yield services
    async with httpx.AsyncClient() as http:
        await http.post(f"{services.aws_url}/moto-api/reset")


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error a person sees: one short line on stderr, no traceback, a failing exit code."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert len(lines[0]) < 200, lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "command",
    [[], ["dev"], ["serve"], ["worker"], ["db"], ["db", "upgrade"], ["db", "check"], ["graphql-schema"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = inkverse(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_graphql_schema_prints_sdl() -> None:
    result = inkverse("graphql-schema")
    assert result.returncode == 0
    assert "type Query {" in result.stdout
    assert "getComicSeries(uuid: ID, shortUrl: String): ComicSeries" in result.stdout


def test_invalid_setting_is_one_line_without_traceback() -> None:
    result = inkverse("serve", env={"INKVERSE_PORT": "not-a-port"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "inkverse: configuration error: INKVERSE_PORT: Input should be a valid integer, "
        "unable to parse string as an integer"
    ]


def test_missing_database_url_is_named(tmp_path: Path) -> None:
    result = inkverse("db", "current", cwd=tmp_path)
    assert result.returncode == 2
    assert one_line_error(result) == (
        "inkverse: configuration error: DATABASE_URL: not set, "
        "and no `inkverse dev` stack in .inkverse/dev.env to use"
    )


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["seed"]])
def test_a_service_with_nothing_configured_is_refused_in_one_line(tmp_path: Path, command: list[str]) -> None:
    result = inkverse(*command, cwd=tmp_path)
    assert result.returncode == 2
    assert one_line_error(result).startswith("inkverse: configuration error: DATABASE_URL: not set")


def test_malformed_json_value_names_the_variable(tmp_path: Path) -> None:
    result = inkverse("db", "current", env={"CACHE_TTL_SECONDS": "{bad"}, cwd=tmp_path)
    assert result.returncode == 2
    assert one_line_error(result).startswith(
        "inkverse: configuration error: CACHE_TTL_SECONDS: not valid JSON"
    )


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://inkverse:secret@127.0.0.1:{closed_port()}/inkverse"
    result = inkverse("db", "current", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert one_line_error(result).startswith("inkverse: DATABASE_URL: PostgreSQL cannot be reached")


def test_missing_database_is_one_line(tmp_path: Path, services: Services) -> None:
    url = (
        make_url(services.admin_database_url).set(database="no_such_db").render_as_string(hide_password=False)
    )
    result = inkverse("db", "current", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert one_line_error(result) == 'inkverse: DATABASE_URL: database "no_such_db" does not exist'


def test_unreachable_redis_is_one_line(tmp_path: Path) -> None:
    result = inkverse(
        "cache", "stats", env={"REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}, cwd=tmp_path
    )
    assert one_line_error(result).startswith("inkverse: REDIS_URL: Redis cannot be reached")


def test_aws_endpoint_without_credentials_is_one_line(tmp_path: Path, services: Services) -> None:
    env = {"AWS_ENDPOINT_URL": services.aws_url, "HOME": str(tmp_path)}
    result = inkverse("queues", "create", env=env, cwd=tmp_path)
    assert one_line_error(result).startswith("inkverse: AWS_ACCESS_KEY_ID: no AWS credentials found")


def test_unreachable_aws_endpoint_is_one_line(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    env = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}
    result = inkverse("queues", "create", env=env, cwd=tmp_path)
    assert one_line_error(result).startswith(f"inkverse: AWS_ENDPOINT_URL: {endpoint}/ cannot be reached")


def test_commands_use_the_dev_env_of_their_data_folder(tmp_path: Path, moto: Services) -> None:
    """What `inkverse dev` writes: every command with the same data folder uses it, and only for what
    the environment and `.env` do not set."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "dev.env").write_text(
        f"DATABASE_URL='{moto.database_url}'\n"
        f"AWS_ENDPOINT_URL='{moto.aws_url}'\nAWS_ACCESS_KEY_ID='dev'\nAWS_SECRET_ACCESS_KEY='dev'\n"
    )
    (tmp_path / ".env").write_text("DATABASE_URL=\n")  # empty means unset: it does not hide dev.env's
    env = {"INKVERSE_DATA_DIR": str(data_dir)}

    current = inkverse("db", "current", env=env, cwd=tmp_path)
    assert current.returncode == 0, current.stderr
    assert re.search(r"^\d{4}_\w+", current.stdout, re.MULTILINE), current.stdout  # the revision
    created = inkverse("queues", "create", env=env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "INKVERSE_HIGH_PRIORITY_DLQ" in created.stdout

    unreachable = f"postgresql://u:p@127.0.0.1:{closed_port()}/x"
    overridden = inkverse("db", "current", env={**env, "DATABASE_URL": unreachable}, cwd=tmp_path)
    assert one_line_error(overridden).startswith("inkverse: DATABASE_URL: PostgreSQL cannot be reached")


def test_python_dash_m_worker_is_the_worker_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "inkverse.worker", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert "Consume the queue" in result.stdout


async def test_provision_creates_what_dev_provisions(tmp_path: Path, moto: Services) -> None:
    """`inkverse provision` (docker compose's init step) leaves the same queues, buckets and sender."""
    env = {"AWS_ENDPOINT_URL": moto.aws_url, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}
    result = await asyncio.to_thread(inkverse, "provision", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    session = aioboto3.Session(aws_access_key_id="x", aws_secret_access_key="y", region_name="us-west-2")
    async with session.client("s3", endpoint_url=moto.aws_url) as s3:
        buckets = {bucket["Name"] for bucket in (await s3.list_buckets())["Buckets"]}
    async with session.client("ses", endpoint_url=moto.aws_url) as ses:
        identities = (await ses.list_identities())["Identities"]
    async with session.client("sqs", endpoint_url=moto.aws_url) as sqs:
        queues = (await sqs.list_queues()).get("QueueUrls", [])
    assert {"ink0", "inkverse-queue-overflow"} <= buckets
    assert "info@inkverse.co" in identities
    assert any(url.endswith("/INKVERSE_HIGH_PRIORITY_DLQ") for url in queues)


async def test_serve_with_workers_runs_that_many_processes(tmp_path: Path, services: Services) -> None:
    port = closed_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    environment |= {"DATABASE_URL": services.database_url, "REDIS_URL": services.redis_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "inkverse.cli.main", "serve", "--workers", "2", "--port", str(port),
        cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert await answers_within(http, "/healthz", seconds=60)
        children = psutil.Process(process.pid).children()
        workers = [child for child in children if "spawn_main" in " ".join(child.cmdline())]
        assert len(workers) == 2
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=30)


async def answers_within(http: httpx.AsyncClient, path: str, seconds: float) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        try:
            if (await http.get(path)).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    return False
