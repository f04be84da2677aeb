"""The API under test and the measurements taken on its processes.

The API runs as `inkverse serve --workers N` does (uvicorn; with N > 1 a supervisor and N worker
processes sharing the port) in a child process with its own session, so a Ctrl-C reaches only the
harness, which then stops it. CPU time is read from every process of the server (user + system) around
each measured window; resident memory (summed over the processes) is sampled while the load runs and
the kernel's high-water marks (`VmHWM`) are read at the end.
"""

import asyncio
import contextlib
import sys
import time
from pathlib import Path

import aiohttp
import psutil

from inkverse.dev.stack import terminate

HEALTH_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0


class ApiServer:
    def __init__(self, env: dict[str, str], host: str, port: int, log_path: Path, processes: int = 1) -> None:
        self._env = env
        self.host = host
        self.port = port
        self.processes = processes
        self._log_path = log_path
        self._process: asyncio.subprocess.Process | None = None
        self._psutil: psutil.Process | None = None

    @property
    def graphql_url(self) -> str:
        return f"http://{self.host}:{self.port}/api/graphql"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    async def start(self) -> None:
        with self._log_path.open("wb") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "inkverse.cli.main", "serve",
                "--host", self.host, "--port", str(self.port), "--workers", str(self.processes),
                env=self._env, stdout=log, stderr=log, start_new_session=True,
            )  # fmt: skip
        self._psutil = psutil.Process(self._process.pid)
        await self._wait_healthy()

    async def _wait_healthy(self) -> None:
        url = f"http://{self.host}:{self.port}/healthz"
        deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
            while time.monotonic() < deadline:
                if self._process is not None and self._process.returncode is not None:
                    code = self._process.returncode
                    raise RuntimeError(f"the API exited with {code}; see {self._log_path}")
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with http.get(url) as response:
                        if response.status == 200 and self._all_workers_started():
                            return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the API did not become healthy; see {self._log_path}")

    def _all_workers_started(self) -> bool:
        """With N > 1 processes: the supervisor has started its N workers (each answers once built)."""
        assert self._psutil is not None
        return self.processes == 1 or len(self._psutil.children()) >= self.processes

    def _tree(self) -> list[psutil.Process]:
        assert self._psutil is not None
        with contextlib.suppress(psutil.Error):
            return [self._psutil, *self._psutil.children(recursive=True)]
        return [self._psutil]

    def cpu_snapshot(self) -> dict[int, float]:
        """CPU seconds of each process of the server (see `cpu_spent`)."""
        return process_tree_cpu(self._tree())

    def rss_bytes(self) -> int:
        total = 0
        for process in self._tree():
            with contextlib.suppress(psutil.Error):
                total += int(process.memory_info().rss)
        return total

    def peak_rss_bytes(self) -> int | None:
        """The kernel's high-water marks of resident memory (Linux) summed over the processes, else None."""
        peaks = [_peak_rss(process.pid) for process in self._tree()]
        return None if None in peaks else sum(peak or 0 for peak in peaks)

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            await terminate(process, STOP_TIMEOUT_SECONDS)


class RssSampler:
    """Samples a function's value (the server's RSS) every `interval` seconds; keeps the maximum."""

    def __init__(self, server: ApiServer, interval: float = 0.1) -> None:
        self._server = server
        self._interval = interval
        self.peak = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "RssSampler":
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _sample(self) -> None:
        while True:
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, self._server.rss_bytes())
            await asyncio.sleep(self._interval)


def _peak_rss(pid: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


def postgres_cpu_snapshot(postmaster_pid: int | None) -> dict[int, float] | None:
    """CPU seconds of each process of the PostgreSQL server (postmaster, backends, workers), when it
    runs on this machine."""
    if postmaster_pid is None:
        return None
    try:
        postmaster = psutil.Process(postmaster_pid)
        processes = [postmaster, *postmaster.children(recursive=True)]
    except psutil.Error:
        return None
    return process_tree_cpu(processes)


def process_tree_cpu(processes: list[psutil.Process]) -> dict[int, float]:
    snapshot = {}
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            snapshot[process.pid] = times.user + times.system
    return snapshot


def cpu_spent(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
    """CPU used between two snapshots by the processes alive at the second one (a process that exited
    in between, such as an autovacuum worker, is left out rather than counted negative)."""
    if before is None or after is None:
        return None
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
