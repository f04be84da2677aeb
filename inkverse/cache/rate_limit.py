"""Fixed-window rate limits in Redis, failing open.

    decision = await limiter.hit("login-email-address", address, limit=5)
    if not decision.allowed: answer 429 with Retry-After: decision.retry_after

Each (bucket, identity) counts hits for `window_seconds` from its first hit; the identity is stored as
a hash, so no e-mail address or client address sits in Redis; a hit touches that one key only, so a
Redis Cluster needs nothing more. When Redis errs or is slower than `timeout_seconds` the hit is
allowed (and logged): a limit must never take sign-in down.
"""

import asyncio
import hashlib
from dataclasses import dataclass

import structlog

from inkverse.cache.redis import REDIS_ERRORS, RedisClient

log = structlog.get_logger(__name__)

KEY_PREFIX = "inkverse:ratelimit:"

# The count after this hit and the seconds left in the window (which starts at the first hit).
_HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    allowed: bool
    retry_after: int = 0


ALLOWED = RateLimitDecision(allowed=True)


class RateLimiter:
    def __init__(self, redis: RedisClient, *, window_seconds: int, timeout_seconds: float) -> None:
        self._redis = redis
        self._window_seconds = window_seconds
        self._timeout_seconds = timeout_seconds
        self._script = redis.register_script(_HIT_SCRIPT)

    async def hit(
        self, bucket: str, identity: str, *, limit: int, window_seconds: int | None = None
    ) -> RateLimitDecision:
        """Count one hit of `identity` in `bucket`; refused once the window holds more than `limit`.

        `window_seconds` overrides the limiter's window for this bucket (e.g. per-minute abuse limits).
        """
        key = KEY_PREFIX + bucket + ":" + hashlib.sha256(identity.encode()).hexdigest()
        window = window_seconds or self._window_seconds
        try:
            async with asyncio.timeout(self._timeout_seconds):
                count, ttl = await self._script(keys=[key], args=[window])
        except REDIS_ERRORS as exc:
            log.warning("rate_limit.unavailable", bucket=bucket, error=str(exc) or type(exc).__name__)
            return ALLOWED
        if int(count) <= limit:
            return ALLOWED
        return RateLimitDecision(allowed=False, retry_after=max(int(ttl), 1))
