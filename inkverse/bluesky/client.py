"""The Bluesky client: AT Protocol XRPC over the shared aiohttp session (integrations.md §5.8).

One process-wide login as `BLUESKY_IDENTIFIER` (`com.atproto.server.createSession`). The access token
is refreshed 5 minutes before its `exp` (`com.atproto.server.refreshSession` with the refresh token); a
new session is created when the refresh token has expired too or is refused. A call the server refuses
for its token drops the session and is made once more. HTTP 429, 5xx, timeouts and dropped connections
are retried with exponential backoff; any other refusal raises `BlueskyApiError` with XRPC's `error`.
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import aiohttp
import jwt
import structlog
from pydantic import BaseModel, ConfigDict, Field
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from inkverse.errors import ConfigurationError, DependencyUnavailableError, InkverseError
from inkverse.settings import BlueskySettings

log = structlog.get_logger(__name__)

REFRESH_MARGIN_SECONDS = 300
FOLLOWS_PAGE_SIZE = 100
ATTEMPTS = 3
_TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})


class BlueskyApiError(InkverseError):
    """Bluesky refused the call; `error` is XRPC's error name (e.g. `InvalidRequest`)."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(f"Bluesky {error} (HTTP {status}): {message}")
        self.status = status
        self.error = error
        self.message = message

    @property
    def refuses_the_token(self) -> bool:
        return self.status == HTTPStatus.UNAUTHORIZED or self.error in _TOKEN_ERRORS


class BlueskyTransientError(DependencyUnavailableError):
    """A retryable failure: HTTP 429 or 5xx, a timeout, or a dropped connection."""


class BlueskyProfile(BaseModel):
    """An `app.bsky.actor.defs#profileView(Detailed)`: the fields Inkverse shows."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    did: str
    handle: str
    display_name: str | None = Field(default=None, alias="displayName")
    avatar: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class _Session:
    access_jwt: str
    refresh_jwt: str
    access_expires_at: float | None
    refresh_expires_at: float | None


class BlueskyClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        settings: BlueskySettings,
        *,
        clock: Callable[[], float] = time.time,
        backoff_seconds: float = 0.5,
    ) -> None:
        self._http = http
        self._settings = settings
        self._clock = clock
        self._backoff = backoff_seconds
        self._session: _Session | None = None
        self._session_lock = asyncio.Lock()

    async def get_profile(self, actor: str) -> BlueskyProfile:
        """The profile of a DID or handle (`app.bsky.actor.getProfile`)."""
        return BlueskyProfile.model_validate(await self._call("app.bsky.actor.getProfile", {"actor": actor}))

    async def follows(self, actor: str) -> list[BlueskyProfile]:
        """Whom `actor` follows (`app.bsky.graph.getFollows`), every page up to BLUESKY_MAX_FOLLOWS."""
        found: list[BlueskyProfile] = []
        params = {"actor": actor, "limit": str(FOLLOWS_PAGE_SIZE)}
        while len(found) < self._settings.max_follows:
            page = await self._call("app.bsky.graph.getFollows", params)
            follows = page.get("follows") or []
            found.extend(BlueskyProfile.model_validate(item) for item in follows)
            cursor = page.get("cursor")
            if not cursor or not follows:
                break
            params = {**params, "cursor": cursor}
        return found[: self._settings.max_follows]

    async def _call(self, method: str, params: dict[str, str]) -> dict[str, Any]:
        access = await self._access_token()
        try:
            return await self._request("GET", method, token=access, params=params)
        except BlueskyApiError as refused:
            if not refused.refuses_the_token:
                raise
            log.info("bluesky.token_refused", error=refused.error)
            self._drop_session(access)
        return await self._request("GET", method, token=await self._access_token(), params=params)

    async def _access_token(self) -> str:
        async with self._session_lock:
            session = self._session
            if session is None or not self._still_valid(session.refresh_expires_at):
                session = await self._create_session()
            elif not self._still_valid(session.access_expires_at):
                session = await self._refresh_or_create(session)
            self._session = session
            return session.access_jwt

    def _still_valid(self, expires_at: float | None) -> bool:
        return expires_at is None or expires_at - REFRESH_MARGIN_SECONDS > self._clock()

    def _drop_session(self, access_jwt: str) -> None:
        # Another call may already have replaced the refused session: keep the new one.
        if self._session is not None and self._session.access_jwt == access_jwt:
            self._session = None

    async def _create_session(self) -> _Session:
        password = self._settings.app_password
        if password is None:
            raise ConfigurationError("BLUESKY_APP_PASSWORD: must be set to call Bluesky")
        body = {"identifier": self._settings.identifier, "password": password.get_secret_value()}
        created = await self._request("POST", "com.atproto.server.createSession", json=body)
        log.info("bluesky.session_created")
        return _session_from(created)

    async def _refresh_or_create(self, session: _Session) -> _Session:
        try:
            refreshed = await self._request(
                "POST", "com.atproto.server.refreshSession", token=session.refresh_jwt
            )
        except BlueskyApiError as refused:
            if not refused.refuses_the_token:
                raise
            return await self._create_session()
        log.info("bluesky.session_refreshed")
        return _session_from(refreshed)

    async def _request(
        self,
        http_method: str,
        xrpc_method: str,
        *,
        token: str | None = None,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        url = f"{self._settings.api_url.rstrip('/')}/{xrpc_method}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_exponential(multiplier=self._backoff, max=8),
            retry=retry_if_exception_type(BlueskyTransientError),
            reraise=True,
        ):
            with attempt:
                return await self._send(http_method, url, headers=headers, params=params, json=json)
        raise AssertionError("unreachable: tenacity reraises")

    async def _send(
        self,
        http_method: str,
        url: str,
        *,
        headers: dict[str, str],
        params: dict[str, str] | None,
        json: dict[str, Any] | None,
    ) -> dict[str, Any]:
        try:
            async with self._http.request(
                http_method, url, headers=headers, params=params, json=json
            ) as response:
                if response.status == HTTPStatus.TOO_MANY_REQUESTS or response.status >= 500:  # noqa: PLR2004
                    raise BlueskyTransientError(f"Bluesky answered HTTP {response.status}")
                body = await response.json(content_type=None)
                status = response.status
        except (TimeoutError, aiohttp.ClientConnectionError) as exc:
            raise BlueskyTransientError(f"Bluesky unreachable: {type(exc).__name__}") from exc
        except ValueError as exc:
            raise BlueskyTransientError("Bluesky answered with a body that is not JSON") from exc
        if not isinstance(body, dict):
            raise BlueskyTransientError("Bluesky answered with a body that is not a JSON object")
        if status >= HTTPStatus.BAD_REQUEST:
            raise BlueskyApiError(status, str(body.get("error") or "Error"), str(body.get("message") or ""))
        return body


def _session_from(body: dict[str, Any]) -> _Session:
    access, refresh = body.get("accessJwt"), body.get("refreshJwt")
    if not isinstance(access, str) or not isinstance(refresh, str):
        raise BlueskyApiError(HTTPStatus.OK, "InvalidSession", "no accessJwt/refreshJwt in the answer")
    return _Session(access, refresh, _expiry(access), _expiry(refresh))


def _expiry(token: str) -> float | None:
    """The token's `exp`, read without verification (only the server that issued it can verify it)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    expires_at = claims.get("exp")
    return float(expires_at) if isinstance(expires_at, int | float) else None
