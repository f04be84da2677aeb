"""Test support: a fake CDN purge API on 127.0.0.1 (random port) that records every request and answers
with the queued responses, then the default answer; metric readers; the keys in Redis."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web
from redis.asyncio.cluster import RedisCluster

from inkverse.cache.redis import RedisClient
from inkverse.metrics import Metrics

CLOUDFLARE_OK: dict[str, Any] = {"success": True, "errors": [], "messages": [], "result": {"id": "zone-1"}}
STELLATE_OK: dict[str, Any] = {"data": {"purged": True}}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeCdn:
    default: dict[str, Any]
    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    queued: list[tuple[int, Any]] = field(default_factory=list)

    def respond(self, status: int, body: Any) -> None:
        self.queued.append((status, body))

    @property
    def bodies(self) -> list[Any]:
        return [request.body for request in self.requests]

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.requests.append(
            RecordedRequest(
                request.method, request.path, dict(request.headers), orjson.loads(raw) if raw else None
            )
        )
        status, body = self.queued.pop(0) if self.queued else (200, self.default)
        text = body if isinstance(body, str) else orjson.dumps(body).decode()
        return web.Response(status=status, text=text, content_type="application/json")


@asynccontextmanager
async def serve_fake_cdn(default: dict[str, Any]) -> AsyncIterator[FakeCdn]:
    server = FakeCdn(default=default)
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    server.url = f"http://{host}:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()


def lookups(metrics: Metrics, layer: str, entry_type: str, result: str) -> float:
    labels = {"layer": layer, "type": entry_type, "result": result}
    return metrics.registry.get_sample_value("inkverse_cache_lookups_total", labels) or 0.0


def errors(metrics: Metrics, layer: str, operation: str) -> float:
    labels = {"layer": layer, "operation": operation}
    return metrics.registry.get_sample_value("inkverse_cache_errors_total", labels) or 0.0


async def key_count(redis: RedisClient) -> int:
    """The keys in Redis: on a cluster, those of every master."""
    if isinstance(redis, RedisCluster):
        total: int = await redis.dbsize(target_nodes=RedisCluster.PRIMARIES)
        return total
    return await redis.dbsize()
