"""SQL statements per request: each operation run in-process against the same database and Redis.

The application is built exactly as `inkverse serve` builds it (same settings, taken from the same
environment as the server process), and a `before_cursor_execute` listener on its engine counts what
each request sends (BEGIN/COMMIT and pool pings are not cursor executions). Every operation is sent
twice: `first` is the first request after start-up, `repeat` the steady state (with a response cache
enabled, the repeat is a hit).
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.operations import Operation
from inkverse.api.app import build_app
from inkverse.container import build_container
from inkverse.settings import load_settings


@dataclass(frozen=True)
class StatementCount:
    first: int
    repeat: int


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_: object) -> None:
        self.count += 1


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def count_statements(operations: list[Operation], env: Mapping[str, str]) -> dict[str, StatementCount]:
    with environment(env):
        settings = load_settings(env_file=None)
    container = build_container(settings, "bench-sql-count")
    try:
        counter = StatementCounter()
        event.listen((await container.get(AsyncEngine)).sync_engine, "before_cursor_execute", counter)
        transport = httpx.ASGITransport(app=build_app(container, settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            return {
                operation.key: StatementCount(
                    await _statements_of(client, operation, counter),
                    await _statements_of(client, operation, counter),
                )
                for operation in operations
            }
    finally:
        await container.close()


async def _statements_of(client: httpx.AsyncClient, operation: Operation, counter: StatementCounter) -> int:
    counter.count = 0
    response = await client.post(
        "/api/graphql", content=operation.body(), headers={"Content-Type": "application/json"}
    )
    response.raise_for_status()
    return counter.count
