"""Sign in with Google and Apple: verify a provider's ID token against its published signing keys.

Each provider's JWKS is fetched over the shared aiohttp session (never PyJWKClient's blocking urllib)
and kept for `*_JWKS_CACHE_SECONDS`; a token naming a key we do not hold (the provider rotated its
keys) fetches the set again, at most once per `*_JWKS_REFETCH_SECONDS`, and one fetch serves every
request waiting for it. Failures raise `IdentityError` with the HTTP status and message the original
server answers (graphql.md §1.3), so the routes only translate it.
"""

import asyncio
import json
import time
from collections.abc import Callable, Container
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import aiohttp
import jwt
import structlog

from inkverse.errors import DependencyUnavailableError, InkverseError
from inkverse.settings import AppleSettings, GoogleSettings

log = structlog.get_logger(__name__)

GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
APPLE_ISSUER = "https://appleid.apple.com"
GOOGLE_SOURCES = frozenset({"web", "android", "ios"})
# google-auth-library accepts five minutes of clock skew on `iat` and `exp`; Apple's verifier none.
GOOGLE_CLOCK_SKEW_SECONDS = 300
_ALGORITHMS = ["RS256"]
_REQUIRED_CLAIMS = ["exp", "iat"]

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    provider_user_id: str
    email: str | None
    email_verified: bool


class IdentityError(InkverseError):
    """The sign-in is refused: `status` and `message` are the route's answer, `details` its extra."""

    def __init__(self, status: int, message: str, details: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


class SigningKeysUnavailableError(DependencyUnavailableError):
    """The provider's JWKS could not be fetched and no earlier copy is held."""


class _UnknownSigningKeyError(jwt.InvalidTokenError):
    """The token names no key of the provider's current set."""


class SigningKeys:
    """One provider's JWKS, by key id."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        url: str,
        cache_seconds: float,
        refetch_seconds: float,
        timeout_seconds: float,
        clock: Clock = time.monotonic,
    ) -> None:
        self._http = http
        self._url = url
        self._cache_seconds = cache_seconds
        self._refetch_seconds = refetch_seconds
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._last_failure = ""
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK | None:
        """The key `kid` names, or None when the provider does not publish it (even after a refetch)."""
        await self._fetch_while(lambda: self._stale() and self._may_fetch())
        await self._fetch_while(lambda: kid not in self._keys and self._may_fetch())
        if self._fetched_at is None:
            raise SigningKeysUnavailableError(self._last_failure)
        return self._keys.get(kid)

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._cache_seconds

    def _may_fetch(self) -> bool:
        return self._attempted_at is None or self._clock() - self._attempted_at >= self._refetch_seconds

    async def _fetch_while(self, needed: Callable[[], bool]) -> None:
        """Fetch when `needed`, checked again under the lock: a caller arriving during a fetch waits for
        it rather than reading the keys half-way, and concurrent callers share one fetch."""
        if not needed() and not self._lock.locked():
            return
        async with self._lock:
            if not needed():
                return
            self._attempted_at = self._clock()
            try:
                self._keys = await self._fetch()
            except SigningKeysUnavailableError as exc:
                self._last_failure = str(exc)
                log.warning("identity.jwks_failed", url=self._url, reason=str(exc), kept=len(self._keys))
                return
            self._fetched_at = self._attempted_at

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        try:
            async with self._http.get(self._url, timeout=self._timeout) as response:
                if response.status != HTTPStatus.OK:
                    raise SigningKeysUnavailableError(f"{self._url} answered HTTP {response.status}")
                document: Any = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise SigningKeysUnavailableError(f"{self._url} unreachable: {type(exc).__name__}") from exc
        except json.JSONDecodeError as exc:
            raise SigningKeysUnavailableError(f"{self._url} answered a body that is not JSON") from exc
        try:
            key_set = jwt.PyJWKSet.from_dict(document if isinstance(document, dict) else {})
        except jwt.PyJWTError as exc:
            raise SigningKeysUnavailableError(f"{self._url} answered no usable key: {exc}") from exc
        return {key.key_id: key for key in key_set.keys if key.key_id and key.public_key_use in (None, "sig")}


def signing_keys(
    http: aiohttp.ClientSession, settings: GoogleSettings | AppleSettings, clock: Clock = time.monotonic
) -> SigningKeys:
    return SigningKeys(
        http,
        url=settings.jwks_url,
        cache_seconds=settings.jwks_cache_seconds,
        refetch_seconds=settings.jwks_refetch_seconds,
        timeout_seconds=settings.jwks_timeout_seconds,
        clock=clock,
    )


async def decode_id_token(
    keys: SigningKeys, id_token: str, *, audience: str, issuer: Container[str], leeway: float = 0
) -> dict[str, Any]:
    """The token's claims once its signature (RS256, by a key of `keys`), `iat`, `exp`, issuer and
    audience hold; otherwise a `jwt.InvalidTokenError` saying which did not."""
    kid = jwt.get_unverified_header(id_token).get("kid")
    key = await keys.key(kid) if isinstance(kid, str) else None
    if key is None:
        raise _UnknownSigningKeyError("no published key has this kid")
    return jwt.decode(
        id_token,
        key,
        algorithms=_ALGORITHMS,
        audience=audience,
        issuer=issuer,
        leeway=leeway,
        options={"require": _REQUIRED_CLAIMS},
    )


class IdentityVerifier:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        google: GoogleSettings,
        apple: AppleSettings,
        clock: Clock = time.monotonic,
    ) -> None:
        self._google = google
        self._apple = apple
        self._google_keys = signing_keys(http, google, clock)
        self._apple_keys = signing_keys(http, apple, clock)

    async def verify_google(self, id_token: str, source: str | None) -> VerifiedIdentity:
        """`source` (`web` when None, `android` or `ios`) picks the client id the token must be for."""
        audience = self._google_audience(source or "web")
        try:
            claims = await decode_id_token(
                self._google_keys,
                id_token,
                audience=audience,
                issuer=GOOGLE_ISSUERS,
                leeway=GOOGLE_CLOCK_SKEW_SECONDS,
            )
        except SigningKeysUnavailableError as exc:
            raise IdentityError(500, "Failed to login with Google", str(exc)) from exc
        except jwt.InvalidTokenError as exc:
            raise IdentityError(401, _google_refusal(exc)) from exc
        subject, email = claims.get("sub"), claims.get("email")
        if not subject:
            raise IdentityError(401, "Invalid Google token: missing user ID")
        if not email or not isinstance(email, str):
            raise IdentityError(401, "Invalid Google token: missing email")
        return VerifiedIdentity(str(subject), email, _is_true(claims.get("email_verified")))

    async def verify_apple(self, id_token: str, source: str | None) -> VerifiedIdentity:
        """`source` `web` (or None) wants a token for the website's Services ID, anything else for the app."""
        audience = self._apple_audience(source or "web")
        try:
            claims = await decode_id_token(self._apple_keys, id_token, audience=audience, issuer=APPLE_ISSUER)
        except SigningKeysUnavailableError as exc:
            raise IdentityError(500, "Failed to login with Apple", str(exc)) from exc
        except jwt.ExpiredSignatureError as exc:
            raise IdentityError(401, "Expired Apple ID token") from exc
        except jwt.InvalidTokenError as exc:
            raise IdentityError(401, f"Invalid Apple ID token: {_apple_reason(exc, audience)}") from exc
        subject, email = claims.get("sub"), claims.get("email")
        if not subject:
            raise IdentityError(401, "Invalid Apple ID token: missing user ID")
        email = email if isinstance(email, str) and email else None
        return VerifiedIdentity(str(subject), email, _is_true(claims.get("email_verified")))

    def _google_audience(self, source: str) -> str:
        if source not in GOOGLE_SOURCES:
            raise IdentityError(500, "Failed to login with Google", f"Invalid source: {source}")
        client_id = self._google.client_id_ios if source == "ios" else self._google.client_id_web
        if not client_id:
            raise IdentityError(500, "Server configuration error: Missing Google Client ID")
        return client_id

    def _apple_audience(self, source: str) -> str:
        if source == "web":
            if not self._apple.service_id:
                raise IdentityError(500, "Server configuration error: Missing Apple Service ID")
            return self._apple.service_id
        if not self._apple.client_id:
            raise IdentityError(500, "Server configuration error: Missing Apple Client ID")
        return self._apple.client_id


def _is_true(claim: object) -> bool:
    """Google sends `email_verified` as a boolean, Apple as a boolean or the string "true"."""
    return claim is True or claim == "true"


def _google_refusal(error: jwt.InvalidTokenError) -> str:
    match error:
        case jwt.ExpiredSignatureError():
            return "Expired Google token"
        case jwt.InvalidSignatureError() | jwt.InvalidAlgorithmError() | _UnknownSigningKeyError():
            return "Invalid Google token signature"
        case jwt.InvalidAudienceError() | jwt.MissingRequiredClaimError(claim="aud"):
            return "Google token was not issued for this application"
        case jwt.InvalidIssuerError() | jwt.MissingRequiredClaimError(claim="iss"):
            return "Invalid Google token: incorrect issuer"
        case _:
            return "Malformed Google token"


def _apple_reason(error: jwt.InvalidTokenError, audience: str) -> str:
    """The reason in the words of jsonwebtoken, which the original's Apple verifier used."""
    match error:
        case jwt.InvalidAudienceError() | jwt.MissingRequiredClaimError(claim="aud"):
            return f"jwt audience invalid. expected: {audience}"
        case jwt.InvalidIssuerError() | jwt.MissingRequiredClaimError(claim="iss"):
            return f"jwt issuer invalid. expected: {APPLE_ISSUER}"
    return next((reason for kind, reason in _APPLE_REASONS if isinstance(error, kind)), str(error))


_APPLE_REASONS: tuple[tuple[type[jwt.InvalidTokenError], str], ...] = (
    (jwt.InvalidSignatureError, "invalid signature"),
    (_UnknownSigningKeyError, "invalid signature"),
    (jwt.InvalidAlgorithmError, "invalid algorithm"),
    (jwt.ImmatureSignatureError, "jwt not active"),
    (jwt.DecodeError, "jwt malformed"),
)
