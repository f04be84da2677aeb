"""Hosting providers (only Taddy so far): the keys they sign with, and the OAuth callback that connects a
user's account to one (graphql.md §1.3, `GET /api/hosting-provider/:uuid?code=`).

The code is exchanged for a refresh token, which is an RS256 JWT the provider signed: it must verify
with the provider's configured public key (`TADDY_PUBLIC_KEY`; RS256 only, unlike the original), carry
`iss` = the provider's uuid, a future `exp` and `sub` = an existing Inkverse user id. It is then stored
in `oauth_token`, one row per (user, provider).
"""

import enum
import uuid
from typing import Any

import jwt
import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.errors import ConfigurationError, DependencyUnavailableError, InkverseError
from inkverse.settings import TaddySettings
from inkverse.taddy.oauth import TADDY_HOSTING_PROVIDER_UUID, TaddyAuthClient, TaddyAuthError
from inkverse.users.tokens import unescape_pem

log = structlog.get_logger(__name__)

ALGORITHM = "RS256"
KNOWN_PROVIDERS = frozenset({TADDY_HOSTING_PROVIDER_UUID})


class ProviderTokenError(InkverseError):
    """A token claimed to come from a provider does not verify with its key."""


class WrongIssuerError(ProviderTokenError):
    """The token verifies but names another provider as its issuer."""


def is_known_provider(provider_uuid: str) -> bool:
    return provider_uuid in KNOWN_PROVIDERS


def unverified_issuer(token: str) -> str | None:
    """The `iss` a token claims, before anything is verified (it picks the key to verify with)."""
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        return None
    return issuer if isinstance(issuer, str) else None


class HostingProviderKeys:
    """The public key of each known provider, from the settings (a provider without one verifies
    nothing)."""

    def __init__(self, taddy: TaddySettings) -> None:
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        if taddy.public_key:
            self._keys[TADDY_HOSTING_PROVIDER_UUID] = _rsa_public_key("TADDY_PUBLIC_KEY", taddy.public_key)

    def verify(self, provider_uuid: str, token: str, *, required: tuple[str, ...]) -> dict[str, Any]:
        """The claims of a token the provider signed with `iss` = its uuid; `ProviderTokenError` (or
        `WrongIssuerError`) otherwise."""
        key = self._keys.get(provider_uuid)
        if key is None:
            log.error("hosting_provider.no_public_key", provider=provider_uuid)
            raise ProviderTokenError(f"no public key configured for hosting provider {provider_uuid}")
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=provider_uuid,
                options={"require": ["iss", *required], "verify_sub": False},
            )
        except jwt.InvalidIssuerError:
            raise WrongIssuerError("the token was issued by another provider") from None
        except jwt.PyJWTError as exc:
            raise ProviderTokenError(f"invalid provider token: {exc}") from None


def _rsa_public_key(variable: str, pem: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(unescape_pem(pem).encode())
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{variable}: not a PEM public key ({exc})") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ConfigurationError(f"{variable}: RS256 needs an RSA public key")
    return key


class ConnectionFailure(enum.StrEnum):
    """Why connecting failed: the `?error=` value of the redirect, as the website expects it."""

    MISSING_PARAMETERS = "missing_parameters"
    TOKENS_NOT_FOUND = "tokens_not_found"
    INCORRECT_HOSTING_PROVIDER = "incorrect_hosting_provider"
    TOKEN_INVALID_OR_EXPIRED = "token_invalid_or_expired"  # noqa: S105 - a reason, not a secret
    USER_NOT_FOUND = "user_not_found"
    CONNECTION_FAILED = "connection_failed"


class HostingProviderConnector:
    """The OAuth callback's work: code → provider refresh token → verified → stored for its user."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        taddy: TaddyAuthClient,
        keys: HostingProviderKeys,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._taddy = taddy
        self._keys = keys

    async def connect(self, provider_uuid: str, code: str) -> ConnectionFailure | None:
        """Store the user's refresh token for the provider; None on success, else why not."""
        if not provider_uuid or not code:
            return ConnectionFailure.MISSING_PARAMETERS
        provider = _canonical_uuid(provider_uuid)
        if not is_known_provider(provider):
            return ConnectionFailure.INCORRECT_HOSTING_PROVIDER
        refresh_token = await self._exchange(provider, code)
        if isinstance(refresh_token, ConnectionFailure):
            return refresh_token
        claims = self._verify(provider, refresh_token)
        if isinstance(claims, ConnectionFailure):
            return claims
        return await self._save(provider, refresh_token, claims)

    def _verify(self, provider: str, refresh_token: str) -> dict[str, Any] | ConnectionFailure:
        try:
            return self._keys.verify(provider, refresh_token, required=("sub", "exp"))
        except WrongIssuerError:
            return ConnectionFailure.INCORRECT_HOSTING_PROVIDER
        except ProviderTokenError as exc:
            log.warning("hosting_provider.token_refused", provider=provider, error=str(exc))
            return ConnectionFailure.TOKEN_INVALID_OR_EXPIRED

    async def _save(
        self, provider: str, refresh_token: str, claims: dict[str, Any]
    ) -> ConnectionFailure | None:
        user_id = _user_id(claims["sub"])
        async with self._sessionmaker() as session, session.begin():
            if user_id is None or await session.get(tables.User, user_id) is None:
                return ConnectionFailure.USER_NOT_FOUND
            await save_refresh_token(session, user_id, provider, refresh_token, claims)
        return None

    async def _exchange(self, provider_uuid: str, code: str) -> str | ConnectionFailure:
        try:
            tokens = await self._taddy.exchange_code(code)
        except TaddyAuthError as exc:
            log.warning("hosting_provider.exchange_refused", provider=provider_uuid, error=str(exc))
            # Taddy answered 200 without the tokens.
            if exc.status == 200:  # noqa: PLR2004
                return ConnectionFailure.TOKENS_NOT_FOUND
            return ConnectionFailure.CONNECTION_FAILED
        except (DependencyUnavailableError, ConfigurationError) as exc:
            log.error("hosting_provider.exchange_failed", provider=provider_uuid, error=str(exc))
            return ConnectionFailure.CONNECTION_FAILED
        return tokens.refresh_token


async def save_refresh_token(
    session: AsyncSession, user_id: int, provider_uuid: str, refresh_token: str, claims: dict[str, Any]
) -> None:
    """Upsert the user's refresh token for the provider, with the expiry its verified `claims` carry."""
    statement = insert(tables.OAuthToken).values(
        user_id=user_id,
        hosting_provider_uuid=provider_uuid,
        refresh_token=refresh_token,
        refresh_token_expires_at=int(claims["exp"]),
    )
    await session.execute(
        statement.on_conflict_do_update(
            constraint="oauth_token_user_id_hosting_provider_uuid_unique",
            set_={
                "refresh_token": statement.excluded.refresh_token,
                "refresh_token_expires_at": statement.excluded.refresh_token_expires_at,
                "updated_at": func.now(),
            },
        )
    )


def _canonical_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return value


def _user_id(subject: object) -> int | None:
    text = str(subject)
    if isinstance(subject, bool) or not text.isascii() or not text.isdigit():
        return None
    return int(text) if 0 < int(text) < 2**63 else None
