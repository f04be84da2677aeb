"""`inkverse dev` end to end, as a newcomer runs it: embedded stack, API, worker, clean stop, data kept,
the CLI beside it, the banner's URLs copied into `.env`, a database given by `DATABASE_URL`."""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
from sqlalchemy.engine import make_url

from tests.fixtures.services import Services, asyncpg_dsn, recreate_database

START_TIMEOUT = 120.0
STOP_LIMIT = 15.0
STACK_VARIABLES = (
    "DATABASE_URL", "REDIS_URL", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SQS", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "TADDY_WEBHOOK_SECRET",
)  # fmt: skip
DEMO_SERIES = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def processes_using(data_dir: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        with contextlib.suppress(psutil.Error):
            if process.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if str(data_dir) in " ".join(process.info["cmdline"] or []):
                found.append(process)
    return found


def inkverse_beside(data_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Another `inkverse` command, configured by nothing but the data folder."""
    env = {k: v for k, v in os.environ.items() if k not in STACK_VARIABLES}
    env["INKVERSE_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "inkverse.cli.main", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=60, check=False,
    )  # fmt: skip


class DevProcess:
    def __init__(self, data_dir: Path, port: int, cwd: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = port
        self.cwd = cwd
        self.extra_env = env or {}
        self.stderr = cwd / f"dev-{port}-{id(self)}.err"
        self.process: asyncio.subprocess.Process | None = None
        self.banner: dict[str, str] = {}

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in STACK_VARIABLES}
        env |= {
            "INKVERSE_DATA_DIR": str(self.data_dir),
            "INKVERSE_PORT": str(self.port),
            "LOG_LEVEL": "WARNING",
            **self.extra_env,
        }
        with self.stderr.open("w") as stderr:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "inkverse.cli.main", "dev",
                env=env, cwd=self.cwd, stdout=asyncio.subprocess.PIPE, stderr=stderr,
            )  # fmt: skip
        assert self.process.stdout is not None
        async with asyncio.timeout(START_TIMEOUT):
            while True:
                line = (await self.process.stdout.readline()).decode()
                assert line, "inkverse dev exited before it was ready"
                if line.startswith("  ") and "  " in line.strip():
                    name, _, value = line.strip().partition(" ")
                    self.banner[name] = value.strip()
                if line.startswith("Press Ctrl-C"):
                    return

    async def stop(self, sig: signal.Signals) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        return await asyncio.wait_for(self.process.wait(), STOP_LIMIT)

    def warnings(self) -> list[str]:
        return [line for line in self.stderr.read_text().splitlines() if "warning" in line.lower()]

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        for leftover in processes_using(self.data_dir):
            with contextlib.suppress(psutil.Error):
                leftover.kill()


@pytest.fixture
async def dev_data_dir(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    data_dir = tmp_path_factory.mktemp("dev") / "a" / "deeply" / ("nested-" * 12) / "data"
    yield data_dir
    for leftover in processes_using(data_dir):
        with contextlib.suppress(psutil.Error):
            leftover.kill()


async def count_series(database_url: str) -> int:
    dsn, extra = asyncpg_dsn(database_url)
    connection = await asyncpg.connect(dsn, **extra)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM comicseries"))
    finally:
        await connection.close()


async def test_dev_serves_then_stops_cleanly_and_keeps_its_data(dev_data_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    first = DevProcess(dev_data_dir, port, tmp_path)
    try:
        await first.start()
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            assert (await http.get("/healthz")).status_code == 200
            ready = await http.get("/readyz")
            assert ready.status_code == 200, ready.text
            graphql = await http.post("/api/graphql", json={"query": "{ __typename }"})
            assert graphql.json() == {"data": {"__typename": "Query"}}
        dsn, extra = asyncpg_dsn(first.banner["Postgres"])
        connection = await asyncpg.connect(dsn, **extra)
        await connection.execute(
            "INSERT INTO hosting_provider (uuid) VALUES ('5b6a5d1e-8f0c-4c1e-9a57-0e3f0d3c2a11')"
        )
        await connection.close()
        assert await count_series(first.banner["Postgres"]) == DEMO_SERIES
        beside = await asyncio.to_thread(inkverse_beside, dev_data_dir, tmp_path, "db", "current")
        assert beside.returncode == 0, beside.stderr
        assert "(head)" in beside.stdout, beside.stdout
        assert await first.stop(signal.SIGINT) == 0
        assert processes_using(dev_data_dir) == []
        assert first.warnings() == []

        # The banner's URLs copied into .env: the next run starts the same servers at the same addresses.
        elsewhere = tmp_path / "project"
        elsewhere.mkdir()
        (elsewhere / ".env").write_text(
            f"DATABASE_URL={first.banner['Postgres']}\nREDIS_URL={first.banner['Redis']}\n"
            f"AWS_ENDPOINT_URL={first.banner['AWS']}\n"
        )
        second = DevProcess(dev_data_dir, port, elsewhere)
        try:
            await second.start()
            assert second.banner["AWS"] == first.banner["AWS"]
            dsn, extra = asyncpg_dsn(second.banner["Postgres"])
            connection = await asyncpg.connect(dsn, **extra)
            kept = await connection.fetchval("SELECT count(*) FROM hosting_provider")
            await connection.close()
            assert kept == 1
            assert await second.stop(signal.SIGTERM) == 0
            assert processes_using(dev_data_dir) == []
        finally:
            await second.kill()
    finally:
        await first.kill()


async def test_dev_seeds_a_given_empty_database_and_shares_it_with_the_cli(
    dev_data_dir: Path, tmp_path: Path, services: Services
) -> None:
    given = make_url(services.admin_database_url).set(database="inkverse_dev_given")
    given = given.render_as_string(hide_password=False)
    await recreate_database(services.admin_database_url, "inkverse_dev_given")
    dev = DevProcess(dev_data_dir, free_port(), tmp_path, env={"DATABASE_URL": given})
    try:
        await dev.start()
        assert await count_series(given) == DEMO_SERIES
        written = (dev_data_dir / "dev.env").read_text()
        assert f"DATABASE_URL='{given}'" in written
        assert f"AWS_ENDPOINT_URL='{dev.banner['AWS']}'" in written
        queues = await asyncio.to_thread(inkverse_beside, dev_data_dir, tmp_path, "queues", "create")
        assert queues.returncode == 0, queues.stderr
        assert "INKVERSE_HIGH_PRIORITY" in queues.stdout
        assert await dev.stop(signal.SIGTERM) == 0
    finally:
        await dev.kill()


async def test_dev_refuses_a_port_in_use(dev_data_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k not in STACK_VARIABLES}
        env |= {"INKVERSE_DATA_DIR": str(dev_data_dir), "INKVERSE_PORT": str(port)}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "inkverse.cli.main", "dev",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert (
        stderr.decode().strip()
        == f"inkverse: configuration error: INKVERSE_PORT: port {port} on 127.0.0.1 is already in use"
    )
    assert processes_using(dev_data_dir) == []


async def test_dev_refuses_a_data_dir_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = {k: v for k, v in os.environ.items() if k not in STACK_VARIABLES}
    env |= {"INKVERSE_DATA_DIR": str(blocker / "data"), "INKVERSE_PORT": str(free_port())}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "inkverse.cli.main", "dev",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    message = stderr.decode().strip()
    assert message.startswith("inkverse: configuration error: INKVERSE_DATA_DIR:")
    assert "\n" not in message
