"""Load generators, each in its own process so that it never shares the API's interpreter.

`wrk` (C, one thread, with `wrk_report.lua` for the POST body and the counts) is used when installed;
otherwise this module itself runs as the generator (`python -m benchmarks.loadgen ...`): aiohttp with a
fixed number of connections, each sending its next request as soon as the previous one is answered
(closed loop, like wrk). The Python generator needs about as much CPU as the server it drives, so on a
2-core machine its req/s figures are lower bounds; CPU per request is measured on the server and is
unaffected.

Both print one `WRK_JSON {...}` line with the same fields, parsed into a `LoadResult`.
"""

import argparse
import asyncio
import contextlib
import json
import shutil
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

LUA_SCRIPT = Path(__file__).with_name("wrk_report.lua")
RESULT_PREFIX = "WRK_JSON "
REQUEST_TIMEOUT_SECONDS = 10


@dataclass
class LoadResult:
    requests: int
    duration_s: float
    latency_ms: dict[str, float]
    statuses: dict[str, int]
    x_cache: dict[str, int] = field(default_factory=dict)
    error_bodies: int = 0
    socket_errors: int = 0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def failures(self) -> int:
        non_ok = sum(count for status, count in self.statuses.items() if status != "200")
        return non_ok + self.error_bodies + self.socket_errors

    @classmethod
    def parse(cls, output: str) -> "LoadResult":
        for line in output.splitlines():
            if line.startswith(RESULT_PREFIX):
                return cls(**json.loads(line.removeprefix(RESULT_PREFIX)))
        raise RuntimeError(f"the load generator printed no result:\n{output[-2000:]}")


def generator_name() -> str:
    return "wrk" if shutil.which("wrk") else "python-aiohttp"


def load_command(url: str, body_file: Path, duration: float, connections: int) -> list[str]:
    if shutil.which("wrk"):
        return [
            "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s",
            f"--timeout={REQUEST_TIMEOUT_SECONDS}s", "-s", str(LUA_SCRIPT), url, "--", str(body_file),
        ]  # fmt: skip
    return [
        sys.executable, "-m", "benchmarks.loadgen", "--url", url, "--body-file", str(body_file),
        "--duration", str(duration), "--connections", str(connections),
    ]  # fmt: skip


async def run_load(url: str, body_file: Path, duration: float, connections: int) -> LoadResult:
    """Drive `url` for `duration` seconds in a child process; the child is killed if we are cancelled."""
    process = await asyncio.create_subprocess_exec(
        *load_command(url, body_file, duration, connections),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = await process.communicate()
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    return LoadResult.parse(output.decode(errors="replace"))


# --- the Python generator (runs in its own process) -------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.x_cache: Counter[str] = Counter()
        self.error_bodies = 0
        self.socket_errors = 0

    def record(self, status: int, body: bytes, x_cache: str | None, seconds: float) -> None:
        self.latencies.append(seconds * 1000)
        self.statuses[str(status)] += 1
        if x_cache:
            self.x_cache[x_cache] += 1
        if body.startswith(b'{"errors":'):
            self.error_bodies += 1

    def result(self, duration: float) -> dict[str, Any]:
        ordered = sorted(self.latencies) or [0.0]

        def percentile(fraction: float) -> float:
            return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]

        return {
            "requests": len(self.latencies),
            "duration_s": duration,
            "latency_ms": {
                "p50": percentile(0.50),
                "p90": percentile(0.90),
                "p99": percentile(0.99),
                "max": ordered[-1],
                "mean": statistics.fmean(ordered),
            },
            "socket_errors": self.socket_errors,
            "statuses": dict(self.statuses),
            "x_cache": dict(self.x_cache),
            "error_bodies": self.error_bodies,
        }


async def _connection_loop(
    session: aiohttp.ClientSession, url: str, body: bytes, deadline: float, tally: Tally
) -> None:
    headers = {"Content-Type": "application/json"}
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            async with session.post(url, data=body, headers=headers) as response:
                content = await response.read()
                tally.record(response.status, content, response.headers.get("X-Cache"),
                             time.perf_counter() - started)  # fmt: skip
        except (aiohttp.ClientError, TimeoutError):
            tally.socket_errors += 1


async def drive(url: str, body: bytes, duration: float, connections: int) -> dict[str, Any]:
    tally = Tally()
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        deadline = started + duration
        await asyncio.gather(
            *(_connection_loop(session, url, body, deadline, tally) for _ in range(connections))
        )
        return tally.result(time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description="Closed-loop HTTP POST load (the harness's wrk fallback).")
    parser.add_argument("--url", required=True)
    parser.add_argument("--body-file", type=Path, required=True)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=10)
    arguments = parser.parse_args()
    body = arguments.body_file.read_bytes()
    result = asyncio.run(drive(arguments.url, body, arguments.duration, arguments.connections))
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
