"""Where the server's time goes on one operation: py-spy samples the API process under load.

`py-spy record` attaches to the running server (no restart, no instrumentation) while the load
generator drives the operation, and writes collapsed stacks (`profile-<operation>.txt`, the input of
flamegraph tools). The summary printed here groups the samples by library (inclusive: a sample counts
for every library on its stack) and lists the functions with the most samples of their own.
"""

import asyncio
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.loadgen import run_load
from benchmarks.operations import Operation
from benchmarks.server import ApiServer

PROFILE_SECONDS = 15
SAMPLE_RATE = 200
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^:()]+)(?::\d+)?\)$")
# A frame's file is shown relative to its site-packages (or project) folder: the first component names
# the library. Frames every sample has (the interpreter start, the CLI, the event loop) say nothing.
LIBRARY_NAMES = {"graphql": "graphql-core", "prometheus_client": "prometheus"}
EVERYWHERE = 0.99


def py_spy() -> str | None:
    found = Path(sys.executable).with_name("py-spy")
    return str(found) if found.exists() else shutil.which("py-spy")


async def profile_server(
    server: ApiServer, operations: list[Operation], key: str, connections: int, results_dir: Path
) -> None:
    executable = py_spy()
    operation = next((op for op in operations if op.key == key), None)
    if executable is None or operation is None:
        print(f"profile skipped: {'py-spy is not installed' if operation else f'no operation {key!r}'}")
        return
    output = results_dir / f"profile-{key}.txt"
    with tempfile.TemporaryDirectory(prefix="inkverse-profile-") as folder:
        body_file = Path(folder) / "body.json"
        body_file.write_bytes(operation.body())
        recorder = await asyncio.create_subprocess_exec(
            executable, "record", "--pid", str(server.pid), "--duration", str(PROFILE_SECONDS),
            "--rate", str(SAMPLE_RATE), "--format", "raw", "--output", str(output),
            *(["--subprocesses"] if server.processes > 1 else []),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            await run_load(server.graphql_url, body_file, PROFILE_SECONDS, connections)
            await asyncio.wait_for(recorder.wait(), PROFILE_SECONDS + 10)
        finally:
            if recorder.returncode is None:
                recorder.kill()
                await recorder.wait()
    if output.exists():
        print(summarize(output.read_text(), operation.title), flush=True)
        print(f"collapsed stacks in {output}", flush=True)


def summarize(collapsed: str, title: str, top: int = 12) -> str:
    own_by_library: Counter[str] = Counter()
    own_by_function: Counter[str] = Counter()
    ours_inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = [frame for frame in (_parse(part) for part in stack.split(";")) if frame]
        if not frames or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        function, file = frames[-1]
        own_by_library[_library(file)] += count
        own_by_function[f"{function} ({_short(file)})"] += count
        for name in {f"{function} ({file})" for function, file in frames if _ours(file)}:
            ours_inclusive[name] += count
    if not total:
        return "profile: no samples"

    def share(samples: int) -> str:
        return f"{100 * samples / total:5.1f}%"

    lines = [f"Profile of {title}: {total} samples (py-spy, {SAMPLE_RATE} Hz)", "  own time by library:"]
    lines += [f"    {share(n)}  {name}" for name, n in own_by_library.most_common(top)]
    lines.append("  functions with the most own time:")
    lines += [f"    {share(n)}  {name}" for name, n in own_by_function.most_common(top)]
    lines.append("  inkverse functions on the stack (inclusive):")
    lines += [
        f"    {share(n)}  {name}" for name, n in ours_inclusive.most_common(top + 8) if n < EVERYWHERE * total
    ][:top]
    return "\n".join(lines)


def _parse(frame: str) -> tuple[str, str] | None:
    match = _FRAME.match(frame.strip())
    return (match["function"], match["file"]) if match else None


def _ours(file: str) -> bool:
    """A frame of the project's code, leaving out the command-line entry that every sample has."""
    return file.startswith("inkverse/") and not file.startswith("inkverse/cli/")


def _library(file: str) -> str:
    first = file.split("/", 1)[0]
    return LIBRARY_NAMES.get(first, first)


def _short(file: str) -> str:
    parts = Path(file).parts
    return "/".join(parts[-2:])
