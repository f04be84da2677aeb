"""One line naming the setting, instead of a driver's traceback, when a service cannot be used.

The drivers raise their own errors, wrapped by SQLAlchemy or not, and asyncpg lets a plain `OSError`
through when PostgreSQL cannot be reached; the module that raised it tells which service it was.
"""

import traceback
from collections.abc import Iterator

from botocore.exceptions import ConnectionError as AwsConnectionError
from botocore.exceptions import NoCredentialsError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# SQLSTATE classes of a refused connection: 3D no such database, 28 authentication failed.
_REFUSED_CONNECTION_STATES = ("3D", "28")


def describe_unavailable_service(exc: BaseException) -> str | None:
    """The one-line explanation of `exc` when it means a service is unusable, else None."""
    for error in _causes(exc):
        if isinstance(error, NoCredentialsError):
            return (
                "AWS_ACCESS_KEY_ID: no AWS credentials found; set it and AWS_SECRET_ACCESS_KEY "
                "(any values work for an emulator)"
            )
        if isinstance(error, AwsConnectionError):
            endpoint = error.kwargs.get("endpoint_url", "the AWS endpoint")
            return f"AWS_ENDPOINT_URL: {endpoint} cannot be reached ({_reason(error)})"
        if isinstance(error, RedisConnectionError | RedisTimeoutError):
            return f"REDIS_URL: Redis cannot be reached ({_reason(error)})"
        if str(getattr(error, "sqlstate", None))[:2] in _REFUSED_CONNECTION_STATES:
            return f"DATABASE_URL: {_reason(error)}"
        if isinstance(error, OSError | TimeoutError) and _raised_in(error, "asyncpg"):
            return f"DATABASE_URL: PostgreSQL cannot be reached ({_reason(error)})"
    return None


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _raised_in(exc: BaseException, package: str) -> bool:
    frames = traceback.walk_tb(exc.__traceback__)
    return any(str(frame.f_globals.get("__name__", "")).startswith(f"{package}.") for frame, _ in frames)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
