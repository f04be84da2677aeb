"""The Redis client, built from `RedisSettings`: one server (TCP or unix socket) or a Redis Cluster.

`RedisClient` is what the rest of the code is typed against. redis-py's `Redis` and `RedisCluster`
share the commands we use; a cluster client sends each to the node owning its key, splits `UNLINK`
and `DEL` by slot, and runs `SCAN`, `FLUSHDB` and `SCRIPT LOAD` on every master. What differs has a
helper here: `slot_of` (which keys a Lua script may take together), `run_scripts` (scripts of several
slots in one round trip per node) and `server_stats` (counters of every master).

A cluster is named by `redis+cluster://` (`rediss+cluster://` for TLS) followed by one or more seed
nodes, comma-separated: the client learns the other nodes from them.
"""

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisClusterException, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from inkverse.errors import ConfigurationError
from inkverse.settings import RedisSettings

RedisClient: TypeAlias = Redis | RedisCluster

REDIS_ERRORS: tuple[type[Exception], ...] = (RedisError, RedisClusterException, OSError, TimeoutError)
"""What a Redis call raises when Redis (or part of a cluster) is unavailable; a cluster's
`RedisClusterException` (no node reachable, a slot not served) is not a `RedisError`."""

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
DEFAULT_PORT = 6379
_HEALTH_CHECK_SECONDS = 30


def make_redis(settings: RedisSettings, client_name: str = "inkverse") -> RedisClient:
    if settings.url is None:
        raise ConfigurationError("REDIS_URL: not set")
    timeout = settings.socket_timeout_seconds
    options: dict[str, Any] = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "health_check_interval": _HEALTH_CHECK_SECONDS,
        "client_name": client_name,
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
    }
    if not is_cluster_url(settings.url):
        return Redis.from_url(settings.url, **options)
    first, *others = cluster_seeds(settings.url)
    nodes = [ClusterNode(host, port) for host, port in (_host_port(url) for url in others)]
    return RedisCluster.from_url(first, startup_nodes=nodes, **options)


async def learn_topology(client: RedisClient, timeout_seconds: float) -> None:
    """Have a cluster client find its nodes and slots now, at startup, rather than inside the time
    budget of the first cache call; when no node answers it tries again on first use."""
    if isinstance(client, RedisCluster):
        with contextlib.suppress(*REDIS_ERRORS):
            async with asyncio.timeout(timeout_seconds):
                _initialized = await client.initialize()


def is_cluster_url(url: str) -> bool:
    return url.partition("://")[0].lower() in CLUSTER_SCHEMES


def cluster_seeds(url: str) -> list[str]:
    """`redis+cluster://user:pass@h1:6379,h2:6379/0?opt=v` as one plain URL per seed node
    (`redis://user:pass@h1:6379/0?opt=v`, ...), credentials and options repeated."""
    parts = urlsplit(url)
    credentials, _, hosts = parts.netloc.rpartition("@")
    scheme = CLUSTER_SCHEMES[parts.scheme.lower()]
    prefix = f"{credentials}@" if credentials else ""
    return [
        urlunsplit((scheme, prefix + host.strip(), parts.path, parts.query, ""))
        for host in hosts.split(",")
        if host.strip()
    ]


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "localhost", parts.port or DEFAULT_PORT


def is_cluster(client: RedisClient) -> bool:
    return isinstance(client, RedisCluster)


def slot_of(client: RedisClient) -> Callable[[str], int]:
    """The hash slot of a key on a cluster; on one server every key is in the same place (0)."""
    if isinstance(client, RedisCluster):
        return client.keyslot
    return lambda _key: 0


@dataclass(frozen=True, slots=True)
class ScriptCall:
    """One run of a registered script; on a cluster all its keys must be in one slot."""

    script: AsyncScript
    keys: Sequence[str]
    args: Sequence[Any] = ()


async def run_scripts(client: RedisClient, calls: Sequence[ScriptCall]) -> list[Any]:
    """Run the calls in one non-transactional pipeline (a cluster sends each node its calls at once)
    and return their results in order. A node without the scripts (restarted, failed over, new) has
    them loaded and its calls run again; any other error is raised."""
    results = await _pipelined(client, calls)
    missing = [index for index, result in enumerate(results) if isinstance(result, NoScriptError)]
    if missing:
        for script in {calls[index].script.sha: calls[index].script for index in missing}.values():
            await client.script_load(script.script)
        retried = await _pipelined(client, [calls[index] for index in missing])
        for index, result in zip(missing, retried, strict=True):
            results[index] = result
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


async def _pipelined(client: RedisClient, calls: Sequence[ScriptCall]) -> list[Any]:
    async with client.pipeline(transaction=False) as pipe:
        for call in calls:
            # EVALSHA directly rather than through the script object: a plain pipeline would first
            # ask the server whether the scripts exist, one more round trip on every call.
            _staged = pipe.evalsha(call.script.sha, len(call.keys), *call.keys, *call.args)
        results: list[Any] = await pipe.execute(raise_on_error=False)
    return results


_SUMMED_STATS = ("keyspace_hits", "keyspace_misses", "evicted_keys", "used_memory")


async def server_stats(client: RedisClient) -> dict[str, Any]:
    """`INFO` of the server, or of every master of a cluster with the counters summed."""
    if not isinstance(client, RedisCluster):
        info: dict[str, Any] = await client.info()
        return info
    per_node: dict[str, dict[str, Any]] = await client.info(target_nodes=RedisCluster.PRIMARIES)
    totals: dict[str, Any] = {
        name: sum(int(node.get(name, 0)) for node in per_node.values()) for name in _SUMMED_STATS
    }
    totals["used_memory_human"] = _human_bytes(totals["used_memory"])
    totals["cluster_masters"] = len(per_node)
    return totals


def _human_bytes(size: int) -> str:
    """Bytes as Redis prints `used_memory_human` (`1.05M`)."""
    value = float(size)
    for unit in ("B", "K", "M", "G"):
        if value < 1024:  # noqa: PLR2004
            return f"{value:.2f}{unit}" if unit != "B" else f"{int(value)}B"
        value /= 1024
    return f"{value:.2f}T"
