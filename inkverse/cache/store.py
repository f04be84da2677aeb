"""The Redis side shared by the cache-aside layer and the GraphQL response cache.

Keys live under one namespace, `inkverse:v<N>:`. Every entry belongs to *purge targets*: a cache-aside
entry to `<type>:<id>`, a cached response to `tag:<Type>:<key>` for each object it contains. Purging a
target deletes the entry stored under the target's own name and every entry indexed under it, and
leaves a marker for a minute: a write whose read started before that purge is then dropped, so a read
racing an update cannot put the old data back. On one server both steps are Lua scripts, so each is
atomic.

Reads and writes fail open through `FailOpenGuard`: a Redis error or a slow call is logged and counted,
raises `CacheUnavailableError` for the caller to fall back on, and Redis is left alone for a cool-down.
Purges are not guarded; the purger retries them.

On a Redis Cluster a script may only take keys of one hash slot. A target's index set, its purge marker
and the entries named after it share the slot of their hash tag, `{<target>}`; a cached response lives
in its own slot, away from the tags it is indexed under. So the same steps run per slot, one round trip
per node: a write stores the entry where it lives and indexes it under each remote tag unless that
tag's marker is newer than the read, then reads those markers again and deletes the entry if one of
them moved in between; a purge sets the markers and takes the index sets slot by slot, then unlinks
the entries they named. The clock compared is then that of different nodes (kept in step by NTP).
"""

import asyncio
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog

from inkverse.cache.redis import REDIS_ERRORS, RedisClient, ScriptCall, is_cluster, run_scripts, slot_of
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

# On a cluster, for the index sets of one slot that live away from the entry: KEYS are ARGV[4] purge
# markers, then the index sets to add the entry to; ARGV: the entry's key, ttl seconds, the Redis time
# the read started (µs), the number of markers. 0 (and nothing indexed) when a marker is newer.
_INDEX_SCRIPT = """
local markers = tonumber(ARGV[4])
local started = tonumber(ARGV[3])
for i = 1, markers do
  local purged = redis.call('GET', KEYS[i])
  if purged and tonumber(purged) >= started then return 0 end
end
for i = markers + 1, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[1])
  if redis.call('TTL', KEYS[i]) < tonumber(ARGV[2]) then redis.call('EXPIRE', KEYS[i], ARGV[2]) end
end
return 1
"""

# The Redis time as a string of microseconds: Lua numbers would print 16 digits in exponent form.
_STAMP = """
local now = redis.call('TIME')
local stamp = now[1] .. string.format('%06d', tonumber(now[2]))
"""

# One server: KEYS are triples (marker, index set, entry named like the target). ARGV: marker TTL (ms).
_PURGE_SCRIPT = (
    _STAMP
    + """
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
)

# A cluster slot: KEYS are ARGV[2] purge markers, then index sets. ARGV: marker TTL (ms), the number of
# markers. Every marker is set before any index set is taken; returns the entries the sets named.
_PURGE_SLOT_SCRIPT = (
    _STAMP
    + """
local markers = tonumber(ARGV[2])
for i = 1, markers do redis.call('SET', KEYS[i], stamp, 'PX', ARGV[1]) end
local entries = {}
for i = markers + 1, #KEYS do
  for _, member in ipairs(redis.call('SMEMBERS', KEYS[i])) do entries[#entries + 1] = member end
  redis.call('UNLINK', KEYS[i])
end
return entries
"""
)


class CacheUnavailableError(Exception):
    """Redis failed or is cooling down; the caller answers without the cache."""


class CacheNamespace:
    """Key builder: `inkverse:v<version>:<name>`, with the index sets and purge markers beside."""

    def __init__(self, version: int, prefix: str = "inkverse") -> None:
        self.prefix = f"{prefix}:v{version}:"
        # Outside the namespace's pattern, so flushing the namespace keeps it.
        self.flush_marker = f"{prefix}:purged-all:v{version}"

    def key(self, name: str) -> str:
        """`<prefix>{<target>}` or `<prefix>{<target>}#<variant>`: every entry of a target in its slot."""
        target, hash_mark, variant = name.partition("#")
        return f"{self.prefix}{{{target}}}{hash_mark}{variant}"

    def index(self, target: str) -> str:
        return f"{self.prefix}idx:{{{target}}}"

    def marker(self, target: str) -> str:
        return f"{self.prefix}purged:{{{target}}}"

    def kind(self, key: bytes) -> str:
        """The first segment of a key's name (`comicseries`, `response`, `idx`, ...)."""
        name = key.decode(errors="replace").removeprefix(self.prefix).lstrip("{")
        return name.split(":", 1)[0]

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
        except REDIS_ERRORS as exc:
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


@dataclass(frozen=True, slots=True)
class _PlannedWrite:
    """One entry's write: its script calls (the entry's own slot first) and the purge markers living in
    other slots, read again once the entry is stored."""

    entry: str
    calls: list[ScriptCall]
    remote_markers: list[str]


class CacheStore:
    def __init__(self, redis: RedisClient, namespace: CacheNamespace, guard: FailOpenGuard) -> None:
        self._redis = redis
        self.namespace = namespace
        self._guard = guard
        self._slot = slot_of(redis)
        self._sharded = is_cluster(redis)
        self._read_script = redis.register_script(_READ_SCRIPT)
        self._write_script = redis.register_script(_WRITE_SCRIPT)
        self._index_script = redis.register_script(_INDEX_SCRIPT)
        self._purge_script = redis.register_script(_PURGE_SCRIPT)
        self._purge_slot_script = redis.register_script(_PURGE_SLOT_SCRIPT)

    @classmethod
    def from_settings(cls, redis: RedisClient, settings: CacheSettings, metrics: Metrics) -> "CacheStore":
        guard = FailOpenGuard(metrics, settings.operation_timeout_seconds, settings.failure_cooldown_seconds)
        return cls(redis, CacheNamespace(settings.key_version), guard)

    async def read(self, layer: str, names: Sequence[str]) -> Snapshot:
        """Read entries and the Redis time in one round trip (per node, at once, on a cluster); raises
        CacheUnavailableError."""
        keys = [self.namespace.key(name) for name in names]
        groups = self._positions_by_slot(keys) if self._sharded else [list(range(len(keys)))]

        async def read_with_clock() -> list[Any]:
            if len(groups) == 1:
                answer: list[Any] = await self._read_script(keys=keys)
                return [answer]
            calls = [ScriptCall(self._read_script, [keys[index] for index in group]) for group in groups]
            return await run_scripts(self._redis, calls)

        answers = await self._guard.call(layer, "read", read_with_clock)
        values: list[bytes | None] = [None] * len(keys)
        clocks: list[int] = []
        for group, (group_values, (seconds, microseconds)) in zip(groups, answers, strict=True):
            for index, value in zip(group, group_values, strict=True):
                values[index] = value
            clocks.append(int(seconds) * 1_000_000 + int(microseconds))
        # The earliest clock: a purge after any part of the read began counts as after the read.
        return Snapshot(values=values, started=min(clocks))

    async def write(self, layer: str, writes: Sequence[CacheWrite], started: int) -> None:
        """Store the entries (in one round trip; two on a cluster); raises CacheUnavailableError."""
        plans = [self._plan(write, started) for write in writes]

        async def write_all() -> None:
            outcomes = iter(await run_scripts(self._redis, [call for plan in plans for call in plan.calls]))
            stale: list[_PlannedWrite] = []
            stored: list[_PlannedWrite] = []
            for plan in plans:
                stored_here, *indexed = (next(outcomes) for _ in plan.calls)
                if stored_here:
                    (stored if all(indexed) else stale).append(plan)
            stale_entries = [plan.entry for plan in stale]
            stale_entries += await self._purged_meanwhile(
                [plan for plan in stored if plan.remote_markers], started
            )
            if stale_entries:
                await self._redis.unlink(*stale_entries)

        await self._guard.call(layer, "write", write_all)

    def _plan(self, write: CacheWrite, started: int) -> _PlannedWrite:
        entry = self.namespace.key(write.name)
        markers = self._by_slot(
            [self.namespace.flush_marker, *(self.namespace.marker(target) for target in write.targets)]
        )
        indexes = self._by_slot(self.namespace.index(target) for target in write.indexed_under)
        home = self._slot(entry)
        local_markers, local_indexes = markers.pop(home, []), indexes.pop(home, [])
        calls = [
            ScriptCall(
                self._write_script,
                [entry, *local_markers, *local_indexes],
                [write.value, write.ttl_seconds, started, len(local_markers)],
            )
        ]
        for slot, slot_indexes in indexes.items():
            slot_markers = markers.get(slot, [])
            calls.append(
                ScriptCall(
                    self._index_script,
                    [*slot_markers, *slot_indexes],
                    [entry, write.ttl_seconds, started, len(slot_markers)],
                )
            )
        remote_markers = [marker for slot_markers in markers.values() for marker in slot_markers]
        return _PlannedWrite(entry, calls, remote_markers)

    async def _purged_meanwhile(self, plans: Sequence[_PlannedWrite], started: int) -> list[str]:
        """Entries of `plans` one of whose remote targets was purged after the read began: that purge
        may have taken the index set before the entry was stored."""
        markers = list(dict.fromkeys(marker for plan in plans for marker in plan.remote_markers))
        if not markers:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for marker in markers:
                _staged = pipe.get(marker)
            stamps = dict(zip(markers, await pipe.execute(), strict=True))
        return [
            plan.entry
            for plan in plans
            if any(_purged_since(stamps[marker], started) for marker in plan.remote_markers)
        ]

    async def purge(self, targets: Sequence[str]) -> int:
        """Delete every entry of the targets; returns how many entries went. Raises RedisError (or, on a
        cluster, RedisClusterException)."""
        if not targets:
            return 0
        unique = list(dict.fromkeys(targets))
        if self._sharded:
            return await self._purge_slots(unique)
        keys: list[str] = []
        for target in unique:
            keys += [self.namespace.marker(target), self.namespace.index(target), self.namespace.key(target)]
        removed: int = await self._purge_script(keys=keys, args=[PURGE_MARKER_TTL_MS])
        return removed

    async def _purge_slots(self, targets: Sequence[str]) -> int:
        """The cluster's purge: markers set and index sets taken slot by slot (a target's marker and
        index set share its slot), then the entries named unlinked wherever they live."""
        markers = self._by_slot(self.namespace.marker(target) for target in targets)
        indexes = self._by_slot(self.namespace.index(target) for target in targets)
        calls = [
            ScriptCall(
                self._purge_slot_script,
                [*markers.get(slot, []), *indexes.get(slot, [])],
                [PURGE_MARKER_TTL_MS, len(markers.get(slot, []))],
            )
            for slot in markers.keys() | indexes.keys()
        ]
        indexed: list[list[bytes]] = await run_scripts(self._redis, calls)
        entries = dict.fromkeys(
            [
                *(self.namespace.key(target) for target in targets),
                *(member.decode() for members in indexed for member in members),
            ]
        )
        removed: int = await self._redis.unlink(*entries)
        return removed

    def _positions_by_slot(self, keys: Sequence[str]) -> list[list[int]]:
        slots: dict[int, list[int]] = defaultdict(list)
        for position, key in enumerate(keys):
            slots[self._slot(key)].append(position)
        return list(slots.values()) or [[]]

    def _by_slot(self, keys: Iterable[str]) -> dict[int, list[str]]:
        groups: dict[int, list[str]] = defaultdict(list)
        for key in keys:
            groups[self._slot(key)].append(key)
        return groups

    async def flush(self) -> int:
        """Delete the whole namespace (`everything`), on every master of a cluster; returns how many
        keys went. Raises RedisError (or RedisClusterException)."""
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
            counts[self.namespace.kind(key)] += 1
        return counts


def _purged_since(stamp: bytes | None, started: int) -> bool:
    return stamp is not None and int(stamp) >= started
