"""The API load harness: `make bench` (bench dataset) and `make bench-quick` (demo dataset, short runs).

    .venv/bin/python -m benchmarks.api [--size bench|demo] [--quick] [--mode uncached|cached]
        [--duration S] [--warmup S] [--connections N] [--operations a,b] [--profile OPERATION]
        [--database-url URL] [--redis-url URL] [--reseed] [--port P] [--processes N]

Steps: a seeded PostgreSQL and a Redis (`benchmarks.stack`); the SQL statements each operation sends,
counted in-process (`benchmarks.sql_count`); the API started as `inkverse serve --workers N` runs it
(uvicorn, N = `--processes`, default 1); one request per operation whose answer must have no `errors`
and the expected data; then per operation a warm-up and a measured run of the load generator
(`benchmarks.loadgen`: wrk when installed) with `--connections` connections, the CPU time of the
server's processes (and PostgreSQL's, when it runs here) read before and after, and a short
one-connection run for the latency of a request that does not queue. Prints the table and writes
`benchmarks/results/latest.json` (and `latest-<mode>.json`, or with N > 1 `latest-<mode>-<N>p.json`
and the req/s of the one-process run in `latest-<mode>.json` beside its own), plus
`benchmarks/results/<timestamp>-<size>-<mode>[-<N>p].json`, which git ignores.
`--profile OPERATION|slowest` then samples the server with py-spy.

Everything started here is stopped at the end, also on Ctrl-C or SIGTERM.
"""

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import text

from benchmarks.loadgen import LoadResult, generator_name, run_load
from benchmarks.operations import NODE_CPU_MS, Operation, operation_mix, pick_targets
from benchmarks.profiling import profile_server
from benchmarks.server import ApiServer, RssSampler, cpu_spent, postgres_cpu_snapshot
from benchmarks.sql_count import StatementCount, count_statements
from benchmarks.stack import Stack, StackOptions, bench_stack
from inkverse.database.engine import make_engine
from inkverse.logging import configure_logging
from inkverse.seed.dataset import SIZES
from inkverse.seed.loader import DEFAULT_SEED
from inkverse.settings import DatabaseSettings, LogSettings
from inkverse.users.tokens import escape_pem, generate_key_pair

RESULTS_DIR = Path(__file__).with_name("results")
# How each mode configures the API. The response cache (`X-Cache: HIT|MISS`) and the Redis cache-aside
# layer are both switched by CACHE_ENABLED.
MODE_ENVIRONMENT = {
    "uncached": {"CACHE_ENABLED": "false"},
    "cached": {"CACHE_ENABLED": "true"},
}
STACK_VARIABLES = ("DATABASE_URL", "REDIS_URL", "AWS_ENDPOINT_URL", "INKVERSE_PORT", "INKVERSE_HOST")


@dataclass(frozen=True)
class RunOptions:
    size_name: str
    mode: str
    duration: float
    warmup: float
    connections: int
    only: tuple[str, ...]
    profile: str | None
    port: int
    processes: int = 1

    @property
    def unloaded_duration(self) -> float:
        """Seconds of the one-connection run that measures latency without queueing."""
        return max(2.0, min(10.0, self.duration / 3))


@dataclass
class OperationResult:
    key: str
    title: str
    requests: int
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    cpu_ms_per_request: float
    db_cpu_ms_per_request: float | None
    sql_first_request: int
    sql_per_request: int
    failures: int
    x_cache: dict[str, int] = field(default_factory=dict)
    node_cpu_ms: float | None = None
    node_ratio: float | None = None
    """CPU ms/req of ours ÷ the original's (Node); the target is at most 2.0 uncached."""
    unloaded_p50_ms: float | None = None
    unloaded_p99_ms: float | None = None


# --- the run ----------------------------------------------------------------------------------------


async def run(options: RunOptions, stack_options: StackOptions) -> dict[str, Any]:
    async with bench_stack(stack_options) as stack:
        engine = make_engine(DatabaseSettings(url=stack.database_url, pool_size=1), "inkverse-bench")
        try:
            operations = selected(operation_mix(await pick_targets(engine)), options.only)
            async with engine.connect() as connection:
                postgres_version = str(await connection.scalar(text("SHOW server_version")))
        finally:
            await engine.dispose()
        env = server_environment(stack, options)
        print("Counting SQL statements per operation (in-process) ...", flush=True)
        statements = await count_statements(operations, env)
        server = ApiServer(env, "127.0.0.1", options.port, stack.data_dir / "api.log", options.processes)
        try:
            await server.start()
            await check_responses(server.graphql_url, operations)
            results, peak_sampled = await load_all(server, operations, statements, stack, options)
            peak = server.peak_rss_bytes() or peak_sampled
            if options.profile:
                key = slowest(results) if options.profile == "slowest" else options.profile
                await profile_server(server, operations, key, options.connections, RESULTS_DIR)
        finally:
            await server.stop()
    return report(
        options, stack_options, stack=stack, results=results, peak_rss=peak, postgres_version=postgres_version
    )


def selected(operations: list[Operation], only: tuple[str, ...]) -> list[Operation]:
    unknown = set(only) - {operation.key for operation in operations}
    if unknown:
        raise SystemExit(f"unknown operations: {', '.join(sorted(unknown))}")
    return [operation for operation in operations if not only or operation.key in only]


def slowest(results: list[OperationResult]) -> str:
    """The operation that costs the server the most CPU per request."""
    return max(results, key=lambda result: result.cpu_ms_per_request).key


def server_environment(stack: Stack, options: RunOptions) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in STACK_VARIABLES}
    keys = generate_key_pair()
    env |= {
        "DATABASE_URL": stack.database_url,
        "REDIS_URL": stack.redis_url,
        "INKVERSE_ENV": "production",
        "TADDY_WEBHOOK_SECRET": "bench-webhook-secret",
        # Production refuses to start without the session-token key pair.
        "PRIVATE_JWT": escape_pem(keys.private_pem),
        "PUBLIC_JWT": escape_pem(keys.public_pem),
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        **MODE_ENVIRONMENT[options.mode],
    }
    return env


async def check_responses(url: str, operations: list[Operation]) -> None:
    """One request per operation: HTTP 200, no `errors`, and the data the operation exists for."""
    async with aiohttp.ClientSession() as http:
        for operation in operations:
            headers = {"Content-Type": "application/json"}
            async with http.post(url, data=operation.body(), headers=headers) as response:
                body = await response.read()
                problem = response_problem(response.status, body, operation)
            if problem:
                raise SystemExit(f"{operation.key}: {problem}\n{body[:1000].decode(errors='replace')}")
            print(f"  ok  {operation.key:<16} {len(body):>7,} bytes", flush=True)


def response_problem(status: int, body: bytes, operation: Operation) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    document = json.loads(body)
    if document.get("errors"):
        return "the response has errors"
    return operation.check(document.get("data") or {})


async def load_all(
    server: ApiServer,
    operations: list[Operation],
    statements: dict[str, StatementCount],
    stack: Stack,
    options: RunOptions,
) -> tuple[list[OperationResult], int]:
    results = []
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory(prefix="inkverse-bench-") as folder:
        async with RssSampler(server) as rss:
            for operation in operations:
                body_file = Path(folder) / f"{operation.key}.json"
                body_file.write_bytes(operation.body())
                await run_load(server.graphql_url, body_file, options.warmup, options.connections)
                result = await measure(server, operation, body_file, stack.postmaster_pid, options)
                unloaded = await run_load(server.graphql_url, body_file, options.unloaded_duration, 1)
                result.unloaded_p50_ms = unloaded.latency_ms["p50"]
                result.unloaded_p99_ms = unloaded.latency_ms["p99"]
                result.failures += unloaded.failures
                result.sql_first_request = statements[operation.key].first
                result.sql_per_request = statements[operation.key].repeat
                results.append(result)
                print_row(result)
        return results, rss.peak


async def measure(
    server: ApiServer, operation: Operation, body_file: Path, postmaster_pid: int | None, options: RunOptions
) -> OperationResult:
    cpu_before, db_before = server.cpu_snapshot(), postgres_cpu_snapshot(postmaster_pid)
    load = await run_load(server.graphql_url, body_file, options.duration, options.connections)
    cpu_after, db_after = server.cpu_snapshot(), postgres_cpu_snapshot(postmaster_pid)
    api_cpu = cpu_spent(cpu_before, cpu_after) or 0.0
    return operation_result(operation, load, api_cpu, cpu_spent(db_before, db_after))


def operation_result(
    operation: Operation, load: LoadResult, cpu_seconds: float, db_cpu_seconds: float | None
) -> OperationResult:
    requests = max(load.requests, 1)
    cpu_ms = cpu_seconds * 1000 / requests
    node_cpu = NODE_CPU_MS.get(operation.key)
    return OperationResult(
        key=operation.key,
        title=operation.title,
        requests=load.requests,
        requests_per_second=load.requests_per_second,
        p50_ms=load.latency_ms["p50"],
        p90_ms=load.latency_ms["p90"],
        p99_ms=load.latency_ms["p99"],
        cpu_ms_per_request=cpu_ms,
        db_cpu_ms_per_request=db_cpu_seconds * 1000 / requests if db_cpu_seconds is not None else None,
        sql_first_request=0,
        sql_per_request=0,
        failures=load.failures,
        x_cache=load.x_cache,
        node_cpu_ms=node_cpu,
        node_ratio=cpu_ms / node_cpu if node_cpu else None,
    )


# --- output -----------------------------------------------------------------------------------------

HEADER = (
    f"{'operation':<26}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'1-conn p50':>11}{'CPU ms/req':>11}"
    f"{'DB ms/req':>10}{'SQL/req':>8}{'Node CPU':>9}{'x Node':>7}{'fail':>5}  X-Cache"
)


def print_row(result: OperationResult) -> None:
    db = f"{result.db_cpu_ms_per_request:.2f}" if result.db_cpu_ms_per_request is not None else "-"
    node = f"{result.node_cpu_ms:.2f}" if result.node_cpu_ms is not None else "-"
    ratio = f"{result.node_ratio:.2f}" if result.node_ratio is not None else "-"
    cache = ", ".join(f"{name} {count}" for name, count in sorted(result.x_cache.items())) or "-"
    unloaded = f"{result.unloaded_p50_ms:.2f}" if result.unloaded_p50_ms is not None else "-"
    print(
        f"{result.title:<26}{result.requests_per_second:>8.0f}{result.p50_ms:>9.2f}{result.p99_ms:>9.2f}"
        f"{unloaded:>11}{result.cpu_ms_per_request:>11.2f}{db:>10}{result.sql_per_request:>8}{node:>9}"
        f"{ratio:>7}{result.failures:>5}  {cache}",
        flush=True,
    )


def machine() -> dict[str, Any]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu_model": model, "python": platform.python_version(),
            "platform": platform.platform()}  # fmt: skip


def report(
    options: RunOptions,
    stack_options: StackOptions,
    *,
    stack: Stack,
    results: list[OperationResult],
    peak_rss: int,
    postgres_version: str,
) -> dict[str, Any]:
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine() | {"postgres": postgres_version, "load_average_at_end": os.getloadavg()},
        "mode": options.mode,
        "dataset": {
            "size": options.size_name,
            **asdict(stack_options.size),
            "seed": stack_options.seed,
            "rows": stack.rows,
            "seed_seconds": stack.seed_seconds,
        },
        "load": {
            "generator": generator_name(),
            "connections": options.connections,
            "duration_s": options.duration,
            "warmup_s": options.warmup,
        },
        "server": {
            "process": f"inkverse serve --workers {options.processes} (uvicorn)",
            "processes": options.processes,
            "peak_rss_mb": round(peak_rss / 2**20, 1),
        },
        "operations": [asdict(result) for result in results],
    }


def write_results(document: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = document["timestamp"].replace(":", "").replace("+0000", "Z")
    processes = document["server"]["processes"]
    variant = document["mode"] + (f"-{processes}p" if processes > 1 else "")
    path = RESULTS_DIR / f"{stamp}-{document['dataset']['size']}-{variant}.json"
    text_form = json.dumps(document, indent=2) + "\n"
    path.write_text(text_form)
    (RESULTS_DIR / "latest.json").write_text(text_form)
    (RESULTS_DIR / f"latest-{variant}.json").write_text(text_form)
    return path


def with_one_process_baseline(document: dict[str, Any]) -> dict[str, Any]:
    """A run with several processes, with the req/s of the one-process run of the same dataset and mode
    (`latest-<mode>.json`) beside its own, when there is one."""
    baseline_path = RESULTS_DIR / f"latest-{document['mode']}.json"
    if document["server"]["processes"] == 1 or not baseline_path.exists():
        return document
    baseline = json.loads(baseline_path.read_text())
    if (
        baseline["dataset"]["size"] != document["dataset"]["size"]
        or baseline["server"].get("processes", 1) != 1
    ):
        return document
    rates = {operation["key"]: operation["requests_per_second"] for operation in baseline["operations"]}
    return document | {
        "one_process": {"timestamp": baseline["timestamp"], "requests_per_second": rates},
    }


def print_scaling(document: dict[str, Any]) -> None:
    one = document.get("one_process")
    if one is None:
        return
    processes = document["server"]["processes"]
    print(f"\nreq/s with 1 process (run of {one['timestamp']}) and with {processes}:", flush=True)
    print(f"{'operation':<26}{'1 process':>11}{f'{processes} processes':>13}{'ratio':>7}")
    for operation in document["operations"]:
        single = one["requests_per_second"].get(operation["key"])
        several = operation["requests_per_second"]
        ratio = f"{several / single:.2f}" if single else "-"
        print(f"{operation['title']:<26}{single or 0:>11.0f}{several:>13.0f}{ratio:>7}", flush=True)


# --- command line -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def parse_arguments() -> tuple[RunOptions, StackOptions]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="bench")
    parser.add_argument("--quick", action="store_true", help="demo dataset, 2 s warm-up, 5 s per operation")
    parser.add_argument("--mode", choices=sorted(MODE_ENVIRONMENT), default="uncached")
    parser.add_argument("--duration", type=float, help="seconds measured per operation (default 20)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per operation (default 5)")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--operations", default="", help="comma-separated keys (default: all)")
    parser.add_argument(
        "--profile", metavar="OPERATION", help="also profile the server on this operation (or `slowest`)"
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    parser.add_argument("--data-root", type=Path, default=Path(".inkverse"))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--reseed", action="store_true", help="seed again even if the data is there")
    parser.add_argument("--port", type=int, default=0, help="API port (default: a free one)")
    parser.add_argument(
        "--processes", type=int, default=1, help="API processes (`inkverse serve --workers N`; default 1)"
    )
    arguments = parser.parse_args()
    size_name = "demo" if arguments.quick else arguments.size
    run_options = RunOptions(
        size_name=size_name,
        mode=arguments.mode,
        duration=arguments.duration or (5.0 if arguments.quick else 20.0),
        warmup=arguments.warmup if arguments.warmup is not None else (2.0 if arguments.quick else 5.0),
        connections=arguments.connections,
        only=tuple(key for key in arguments.operations.split(",") if key),
        profile=arguments.profile,
        port=arguments.port or free_port(),
        processes=arguments.processes,
    )
    stack_options = StackOptions(
        size_name=size_name,
        size=SIZES[size_name],
        seed=arguments.seed,
        data_root=arguments.data_root,
        database_url=arguments.database_url,
        redis_url=arguments.redis_url,
        reseed=arguments.reseed,
    )
    return run_options, stack_options


async def main_async(options: RunOptions, stack_options: StackOptions) -> None:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    info = machine()
    load_1, load_5, _ = os.getloadavg()
    if load_1 > 0.5:
        print(f"note: the machine is busy before the run (load average {load_1:.2f} / {load_5:.2f})")
    print(
        f"Inkverse API benchmark: {options.size_name} dataset, {options.mode}, "
        f"{options.processes} API process{'es' if options.processes > 1 else ''}, {generator_name()} "
        f"-c{options.connections}, {options.warmup:g} s warm-up + {options.duration:g} s per operation; "
        f"{info['cpus']} x {info['cpu_model']}",
        flush=True,
    )
    document = with_one_process_baseline(await run(options, stack_options))
    path = write_results(document)
    print_scaling(document)
    print(f"API peak RSS {document['server']['peak_rss_mb']} MB; results in {path}", flush=True)


def main() -> None:
    options, stack_options = parse_arguments()
    configure_logging(LogSettings(level="WARNING"))
    try:
        asyncio.run(main_async(options, stack_options))
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
