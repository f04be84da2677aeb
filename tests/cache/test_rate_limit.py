"""Fixed-window rate limits on the real Redis (one server and a cluster): counting, refusal with the time
left, separate buckets and identities, and failing open."""

import hashlib

import pytest

from inkverse.cache.rate_limit import KEY_PREFIX, RateLimiter
from inkverse.cache.redis import RedisClient, make_redis
from inkverse.settings import RedisSettings

WINDOW = 900


@pytest.fixture
def limiter(redis: RedisClient) -> RateLimiter:
    return RateLimiter(redis, window_seconds=WINDOW, timeout_seconds=1.0)


async def test_the_hit_over_the_limit_is_refused_with_the_time_left(limiter: RateLimiter) -> None:
    decisions = [await limiter.hit("login-email-address", "a@example.com", limit=3) for _ in range(4)]
    assert [decision.allowed for decision in decisions] == [True, True, True, False]
    assert 0 < decisions[-1].retry_after <= WINDOW


async def test_identities_and_buckets_count_apart(limiter: RateLimiter) -> None:
    assert (await limiter.hit("login-email-address", "a@example.com", limit=1)).allowed
    assert not (await limiter.hit("login-email-address", "a@example.com", limit=1)).allowed
    assert (await limiter.hit("login-email-address", "b@example.com", limit=1)).allowed
    assert (await limiter.hit("login-email-ip", "a@example.com", limit=1)).allowed


async def test_a_bucket_may_have_its_own_window(limiter: RateLimiter) -> None:
    for _ in range(2):
        decision = await limiter.hit("likes", "7", limit=1, window_seconds=60)
    assert not decision.allowed
    assert 0 < decision.retry_after <= 60


async def test_the_window_starts_at_the_first_hit_and_the_identity_is_hashed(
    limiter: RateLimiter, redis: RedisClient
) -> None:
    for _ in range(3):
        await limiter.hit("login-email-address", "a@example.com", limit=5)
    key = KEY_PREFIX + "login-email-address:" + hashlib.sha256(b"a@example.com").hexdigest()
    assert await redis.get(key) == b"3"
    assert 0 < await redis.ttl(key) <= WINDOW
    assert [key async for key in redis.scan_iter(match="*example.com*")] == []


async def test_hits_are_allowed_while_redis_is_unreachable() -> None:
    down = make_redis(RedisSettings(url="redis://127.0.0.1:1/0", socket_timeout_seconds=0.2))
    limiter = RateLimiter(down, window_seconds=WINDOW, timeout_seconds=0.5)
    try:
        decisions = [await limiter.hit("login-email-address", "a@example.com", limit=1) for _ in range(3)]
    finally:
        await down.aclose()
    assert all(decision.allowed for decision in decisions)
