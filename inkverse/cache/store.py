"""The Redis side shared by the cache-aside layer and the GraphQL response cache.

Keys live under one namespace, `inkverse:v<N>:`. Every entry belongs to *purge targets*: a cache-aside
entry to `<type>:<id>`, a cached response to `tag:<Type>:<key>` for each object it contains. Purging a
target deletes the entry stored under the target's own name and every entry indexed under it, and
leaves a marker for a minute: a write whose read started before that purge is then dropped, so a read
racing an update cannot put the old data back. Both steps run as Lua scripts, so each is atomic.

Reads and writes fail open through `FailOpenGuard`: a Redis error or a slow call is logged and counted,
raises `CacheUnavailableError` for the caller to fall back on, and Redis is left alone for a cool-down.
Purges are not guarded; the purger retries them.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from inkverse.metrics import Metrics
from inkverse.settings import CacheSettings

log = structlog.get_logger(__name__)

T = TypeVar("T")

PURGE_MARKER_TTL_MS = 60_000
"""How long a purge is remembered; longer than any read-to-write window of a request."""

_SCAN_BATCH = 1000

# The entries asked for (nil where absent) and the Redis clock, read at one instant.
_READ_SCRIPT = """
local values = {}
for i, key in ipairs(KEYS) do values[i] = redis.call('GET', key) end
return {values, redis.call('TIME')}
"""

# KEYS: the entry, then ARGV[4] purge markers, then the index sets to add the entry to (an index set
# lives as long as its longest-lived entry).
# ARGV: value, ttl seconds, the Redis time the read started (µs), the number of markers.
_WRITE_SCRIPT = """
local markers = tonumber(ARGV[4])
local started = tonumber(ARGV[3])
for i = 2, markers + 1 do
  local purged = redis.call('GET', KEYS[i])
  if purged and tonumber(purged) >= started then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
for i = markers + 2, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('TTL', KEYS[i]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[i], ARGV[2]) end
end
return 1
"""

# KEYS: triples (marker, index set, entry named like the target). ARGV: marker TTL (ms).
# The stamp is built as a string: Lua numbers would print 16 digits in exponent form.
_PURGE_SCRIPT = """
local now = redis.call('TIME')
local stamp = now[1] .. string.format('%06d', tonumber(now[2]))
local removed = 0
for i = 1, #KEYS, 3 do
  redis.call('SET', KEYS[i], stamp, 'PX', ARGV[1])
  for _, member in ipairs(redis.call('SMEMBERS', KEYS[i + 1])) do
    removed = removed + redis.call('UNLINK', member)
  end
  removed = removed + redis.call('UNLINK', KEYS[i + 2])
  redis.call('UNLINK', KEYS[i + 1])
end
return removed
"""


class CacheUnavailableError(Exception):
    """Redis failed or is cooling down; the caller answers without the cache."""


class CacheNamespace:
    """Key builder: `inkverse:v<version>:<name>`, with the index sets and purge markers beside."""

    def __init__(self, version: int, prefix: str = "inkverse") -> None:
        self.prefix = f"{prefix}:v{version}:"
        # Outside the namespace's pattern, so flushing the namespace keeps it.
        self.flush_marker = f"{prefix}:purged-all:v{version}"

    def key(self, name: str) -> str:
        return self.prefix + name

    def index(self, target: str) -> str:
        return f"{self.prefix}idx:{target}"

    def marker(self, target: str) -> str:
        return f"{self.prefix}purged:{target}"

    @property
    def pattern(self) -> str:
        return self.prefix + "*"


class FailOpenGuard:
    """Runs a Redis call under a timeout; a failure is logged, counted, and cools Redis down."""

    def __init__(self, metrics: Metrics, timeout_seconds: float, cooldown_seconds: float) -> None:
        self._metrics = metrics
        self._timeout_seconds = timeout_seconds
        self._cooldown_seconds = cooldown_seconds
        self._unavailable_until = 0.0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._unavailable_until

    async def call(self, layer: str, operation: str, action: Callable[[], Awaitable[T]]) -> T:
        if not self.available:
            raise CacheUnavailableError
        try:
            async with asyncio.timeout(self._timeout_seconds):
                return await action()
        except (RedisError, OSError, TimeoutError) as exc:
            self._unavailable_until = time.monotonic() + self._cooldown_seconds
            self._metrics.cache_errors.labels(layer, operation).inc()
            log.warning("cache.redis_failed", layer=layer, operation=operation, error=repr(exc))
            raise CacheUnavailableError from exc


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Values read (None where absent) and the Redis clock when they were read, in microseconds."""

    values: list[bytes | None]
    started: int


@dataclass(frozen=True, slots=True)
class CacheWrite:
    """One entry to store, unless one of its `targets` was purged after the read began."""

    name: str
    value: bytes
    ttl_seconds: int
    targets: tuple[str, ...]
    indexed_under: tuple[str, ...] = ()


class CacheStore:
    def __init__(self, redis: Redis, namespace: CacheNamespace, guard: FailOpenGuard) -> None:
        self._redis = redis
        self.namespace = namespace
        self._guard = guard
        self._read_script = redis.register_script(_READ_SCRIPT)
        self._write_script = redis.register_script(_WRITE_SCRIPT)
        self._purge_script = redis.register_script(_PURGE_SCRIPT)

    @classmethod
    def from_settings(cls, redis: Redis, settings: CacheSettings, metrics: Metrics) -> "CacheStore":
        guard = FailOpenGuard(metrics, settings.operation_timeout_seconds, settings.failure_cooldown_seconds)
        return cls(redis, CacheNamespace(settings.key_version), guard)

    async def read(self, layer: str, names: Sequence[str]) -> Snapshot:
        """Read entries and the Redis time in one round trip; raises CacheUnavailableError."""
        keys = [self.namespace.key(name) for name in names]

        async def read_with_clock() -> list[Any]:
            answer: list[Any] = await self._read_script(keys=keys)
            return answer

        values, (seconds, microseconds) = await self._guard.call(layer, "read", read_with_clock)
        return Snapshot(values=list(values), started=int(seconds) * 1_000_000 + int(microseconds))

    async def write(self, layer: str, writes: Sequence[CacheWrite], started: int) -> None:
        """Store the entries (in one round trip); raises CacheUnavailableError."""

        async def write_all() -> None:
            async with self._redis.pipeline(transaction=False) as pipe:
                for write in writes:
                    keys, args = self._write_arguments(write, started)
                    await self._write_script(keys=keys, args=args, client=pipe)
                await pipe.execute()

        await self._guard.call(layer, "write", write_all)

    def _write_arguments(self, write: CacheWrite, started: int) -> tuple[list[str], list[Any]]:
        markers = [self.namespace.flush_marker, *(self.namespace.marker(t) for t in write.targets)]
        indexes = [self.namespace.index(target) for target in write.indexed_under]
        keys = [self.namespace.key(write.name), *markers, *indexes]
        return keys, [write.value, write.ttl_seconds, started, len(markers)]

    async def purge(self, targets: Sequence[str]) -> int:
        """Delete every entry of the targets; returns how many entries went. Raises RedisError."""
        if not targets:
            return 0
        keys: list[str] = []
        for target in dict.fromkeys(targets):
            keys += [self.namespace.marker(target), self.namespace.index(target), self.namespace.key(target)]
        removed: int = await self._purge_script(keys=keys, args=[PURGE_MARKER_TTL_MS])
        return removed

    async def flush(self) -> int:
        """Delete the whole namespace (`everything`); returns how many keys went. Raises RedisError."""
        seconds, microseconds = await self._redis.time()
        await self._redis.set(
            self.namespace.flush_marker, seconds * 1_000_000 + microseconds, px=PURGE_MARKER_TTL_MS
        )
        removed = 0
        batch: list[bytes] = []
        async for key in self._redis.scan_iter(match=self.namespace.pattern, count=_SCAN_BATCH):
            batch.append(key)
            if len(batch) == _SCAN_BATCH:
                removed += await self._redis.unlink(*batch)
                batch = []
        if batch:
            removed += await self._redis.unlink(*batch)
        return removed

    async def count_keys(self) -> Counter[str]:
        """Keys of the namespace by kind (the first segment of the name); for `inkverse cache stats`."""
        counts: Counter[str] = Counter()
        async for key in self._redis.scan_iter(match=self.namespace.pattern, count=_SCAN_BATCH):
            name = key.decode(errors="replace").removeprefix(self.namespace.prefix)
            counts[name.split(":", 1)[0]] += 1
        return counts
