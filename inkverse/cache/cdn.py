"""One JSON POST to a CDN's purge API, retried with backoff on 429, 5xx, timeouts and dropped
connections (shared by the Cloudflare and Stellate purgers)."""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import aiohttp
import orjson
import structlog
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from inkverse.cache.purge import PurgeFailedError

log = structlog.get_logger(__name__)

REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=5)
_MAX_ERROR_BODY = 300


class RetryableResponseError(Exception):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:_MAX_ERROR_BODY]}")


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, (RetryableResponseError, aiohttp.ClientConnectionError, TimeoutError))


def _log_retry(service: str) -> Callable[[RetryCallState], None]:
    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning("cache.cdn_retry", cdn=service, attempt=state.attempt_number, error=repr(error))

    return before_sleep


async def post_json(
    http: aiohttp.ClientSession,
    url: str,
    *,
    service: str,
    headers: dict[str, str],
    payload: dict[str, Any],
    attempts: int,
    wait_seconds: float,
) -> Any:
    """POST `payload`; the decoded JSON answer of a 2xx. Raises PurgeFailedError when the retries are
    spent or the CDN refuses the request (other 4xx)."""
    retrying = AsyncRetrying(
        retry=retry_if_exception(_is_retryable),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(multiplier=wait_seconds, max=wait_seconds * 8, jitter=wait_seconds),
        before_sleep=_log_retry(service),
        reraise=True,
    )
    answer: Any = None
    try:
        async for attempt in retrying:
            with attempt:
                answer = await _post_once(http, url, headers, payload)
    except (RetryableResponseError, aiohttp.ClientError, TimeoutError) as exc:
        raise PurgeFailedError(f"{service} purge failed after {attempts} attempts: {exc!r}") from exc
    return answer


async def _post_once(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str], payload: dict[str, Any]
) -> Any:
    async with http.post(url, json=payload, headers=headers, timeout=REQUEST_TIMEOUT) as response:
        text = await response.text()
        if (
            response.status == HTTPStatus.TOO_MANY_REQUESTS
            or response.status >= HTTPStatus.INTERNAL_SERVER_ERROR
        ):
            raise RetryableResponseError(response.status, text)
        if response.status >= HTTPStatus.BAD_REQUEST:
            raise PurgeFailedError(f"HTTP {response.status}: {text[:_MAX_ERROR_BODY]}")
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise PurgeFailedError(f"not JSON: {text[:_MAX_ERROR_BODY]}") from None
