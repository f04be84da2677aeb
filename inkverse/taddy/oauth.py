"""Taddy as a hosting provider: OAuth tokens, creator claims and Patreon following (graphql.md §1.3,
integrations.md §2.4), under `TADDY_AUTH_URL` with `TADDY_CLIENT_ID` / `TADDY_CLIENT_SECRET`.

Refusals raise `TaddyAuthError` with the HTTP status and Taddy's message. HTTP 429, 5xx, timeouts and
dropped connections are retried with exponential backoff, except for the authorization-code exchange:
a code is single-use, so a retry after a lost answer could only be refused.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from inkverse.errors import ConfigurationError, InkverseError
from inkverse.settings import TaddySettings
from inkverse.taddy.client import ATTEMPTS, USER_AGENT, TaddyTransientError

TADDY_HOSTING_PROVIDER_UUID = "e9957105-80e4-46e3-8e82-20472b9d7512"
_MAX_ERROR_TEXT = 300


class TaddyAuthError(InkverseError):
    """Taddy refused an OAuth, claim or Patreon call, or answered without the expected field."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Taddy auth answered HTTP {status}: {message}")
        self.status = status
        self.message = message


@dataclass(frozen=True)
class OAuthTokens:
    access_token: str
    refresh_token: str


class TaddyAuthClient:
    def __init__(
        self, http: aiohttp.ClientSession, settings: TaddySettings, backoff_seconds: float = 0.5
    ) -> None:
        self._http = http
        self._settings = settings
        self._backoff = backoff_seconds

    def claim_creator_url(self, creator_uuid: str, claim_token: str) -> str:
        """Where the user confirms the claim on Taddy's dashboard."""
        query = urlencode({"creator_uuid": creator_uuid, "claim_token": claim_token})
        return f"{self._base()}/dashboard/claim-creator?{query}"

    async def initiate_claim(
        self,
        *,
        client_user_id: int,
        client_profile_url: str,
        creator_uuid: str,
        claim_token: str,
        callback_url: str,
    ) -> None:
        """Announce a pending claim; Taddy later POSTs its signed decision to `callback_url`."""
        client_id, client_secret = self._credentials()
        body = {
            "client_id": client_id,
            "client_secret": client_secret,
            "client_user_id": client_user_id,
            "client_profile_url": client_profile_url,
            "creator_uuid": creator_uuid,
            "claim_token": claim_token,
            "callback_url": callback_url,
        }
        await self._post("/auth/claim/initiate", json=body)

    async def exchange_code(self, code: str, code_verifier: str | None = None) -> OAuthTokens:
        """Authorization code → access and refresh token (the refresh token is a JWT Taddy signed)."""
        client_id, client_secret = self._credentials()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        if code_verifier is not None:
            form["code_verifier"] = code_verifier
        body = await self._post("/auth/oauth2/token", form=form, retry=False)
        return OAuthTokens(_field(body, "access_token"), _field(body, "refresh_token"))

    async def new_access_token(self, refresh_token: str) -> str:
        body = await self._post("/auth/oauth2/new_access_token", form={"refresh_token": refresh_token})
        return _field(body, "token")

    async def new_refresh_token(self, refresh_token: str) -> str:
        body = await self._post("/auth/oauth2/new_refresh_token", form={"refresh_token": refresh_token})
        return _field(body, "token")

    async def patreon_following(self, access_token: str) -> list[str]:
        """The Patreon usernames of the creators the token's user follows on Patreon."""
        body = await self._post("/auth/patreon/following", json={"token": access_token})
        following = body.get("following") or []
        return [item["username"] for item in following if isinstance(item, dict) and item.get("username")]

    def _base(self) -> str:
        return self._settings.auth_url.rstrip("/")

    def _credentials(self) -> tuple[str, str]:
        if not self._settings.client_id or self._settings.client_secret is None:
            raise ConfigurationError(
                "TADDY_CLIENT_ID and TADDY_CLIENT_SECRET: both must be set to use Taddy's OAuth"
            )
        return self._settings.client_id, self._settings.client_secret.get_secret_value()

    async def _post(
        self,
        path: str,
        *,
        form: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        retry: bool = True,
    ) -> dict[str, Any]:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(ATTEMPTS if retry else 1),
            wait=wait_exponential(multiplier=self._backoff, max=8),
            retry=retry_if_exception_type(TaddyTransientError),
            reraise=True,
        ):
            with attempt:
                return await self._send(f"{self._base()}{path}", form=form, json=json)
        raise AssertionError("unreachable: tenacity reraises")

    async def _send(
        self, url: str, *, form: Mapping[str, str] | None, json: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        try:
            async with self._http.post(
                url, data=form, json=json, headers={"User-Agent": USER_AGENT}
            ) as response:
                if response.status == HTTPStatus.TOO_MANY_REQUESTS or response.status >= 500:  # noqa: PLR2004
                    raise TaddyTransientError(f"Taddy auth answered HTTP {response.status}")
                text = await response.text()
                status = response.status
        except (TimeoutError, aiohttp.ClientConnectionError) as exc:
            raise TaddyTransientError(f"Taddy auth unreachable: {type(exc).__name__}") from exc
        body = _json_object(text)
        if status >= HTTPStatus.BAD_REQUEST:
            raise TaddyAuthError(status, _error_message(body, text))
        return body


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = orjson.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _error_message(body: dict[str, Any], text: str) -> str:
    for key in ("error_description", "message", "error"):
        if isinstance(body.get(key), str) and body[key]:
            return str(body[key])
    return text[:_MAX_ERROR_TEXT] or "no details"


def _field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise TaddyAuthError(HTTPStatus.OK, f"the answer has no {name!r}")
    return value
