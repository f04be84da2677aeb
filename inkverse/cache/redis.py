"""The Redis client, built from `RedisSettings` (TCP or unix socket URLs)."""

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from inkverse.errors import ConfigurationError
from inkverse.settings import RedisSettings


def make_redis(settings: RedisSettings, client_name: str = "inkverse") -> "Redis":
    if settings.url is None:
        raise ConfigurationError("REDIS_URL: not set")
    return Redis.from_url(
        settings.url,
        socket_timeout=settings.socket_timeout_seconds,
        socket_connect_timeout=settings.socket_timeout_seconds,
        health_check_interval=30,
        client_name=client_name,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )
