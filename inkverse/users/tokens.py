"""The session tokens: RS256 JWTs exactly as the original issues and checks them (graphql.md §1.4).

Claims `iss` (`https://inkverse.co`), `sub` (the user id as a string), `tokenType` (`access` or
`refresh`), `iat` and `exp`; access tokens live 2 hours, refresh tokens 180 days. Verification checks
the signature and `exp` (no leeway) and requires `exp`, `iat`, `sub` and `tokenType`; `iss` is not
checked, so tokens the original issued stay valid.
"""

import enum
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import jwt
import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from inkverse.errors import ConfigurationError, InkverseError
from inkverse.settings import JwtSettings

log = structlog.get_logger(__name__)

ISSUER = "https://inkverse.co"
ALGORITHM = "RS256"
ACCESS_TOKEN_SECONDS = 7_200
REFRESH_TOKEN_SECONDS = 15_552_000
# The original's README asks for 4096-bit keys; the pairs generated for development are smaller, to
# start fast.
KEYGEN_BITS = 4096
DEVELOPMENT_KEY_BITS = 2048
_REQUIRED_CLAIMS = ("exp", "iat", "sub", "tokenType")


class TokenType(enum.StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


_LIFETIMES = {TokenType.ACCESS: ACCESS_TOKEN_SECONDS, TokenType.REFRESH: REFRESH_TOKEN_SECONDS}


class InvalidTokenError(InkverseError):
    """The token is malformed, tampered with, signed by another key, or lacks a required claim."""


class ExpiredTokenError(InvalidTokenError):
    """The token was valid but its `exp` has passed."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    token_type: str
    issued_at: int
    expires_at: int


@dataclass(frozen=True, slots=True)
class KeyPair:
    """PEM texts of an RSA key pair."""

    private_pem: str
    public_pem: str


def generate_key_pair(bits: int = KEYGEN_BITS) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private_pem.decode(), public_pem.decode())


def unescape_pem(value: str) -> str:
    """A PEM as deployments store it in one line, with its newlines written as `\\n`."""
    return value.strip().replace("\\n", "\n")


def escape_pem(value: str) -> str:
    return value.strip().replace("\n", "\\n")


def configured_key_pair(settings: JwtSettings, *, production: bool) -> KeyPair:
    """The configured pair; outside production a missing pair is generated for this process."""
    private = settings.private_jwt.get_secret_value() if settings.private_jwt else None
    if private and settings.public_jwt:
        return KeyPair(unescape_pem(private), unescape_pem(settings.public_jwt))
    require_jwt_keys(settings, production=production)
    log.warning("tokens.ephemeral_keys", effect="PRIVATE_JWT/PUBLIC_JWT unset: tokens die with this process")
    return generate_key_pair(DEVELOPMENT_KEY_BITS)


class TokenService:
    """Issues and verifies session tokens with one RSA key pair."""

    def __init__(self, keys: KeyPair) -> None:
        private_key = _load("PRIVATE_JWT", serialization.load_pem_private_key, keys.private_pem, None)
        public_key = _load("PUBLIC_JWT", serialization.load_pem_public_key, keys.public_pem)
        if not isinstance(private_key, rsa.RSAPrivateKey) or not isinstance(public_key, rsa.RSAPublicKey):
            raise ConfigurationError("PRIVATE_JWT, PUBLIC_JWT: RS256 needs an RSA key pair")
        self._private_key: rsa.RSAPrivateKey = private_key
        self._public_key: rsa.RSAPublicKey = public_key

    def issue(self, user_id: int, token_type: TokenType, *, now: int | None = None) -> str:
        issued_at = int(time.time()) if now is None else now
        claims = {
            "iss": ISSUER,
            "sub": str(user_id),
            "tokenType": token_type.value,
            "iat": issued_at,
            "exp": issued_at + _LIFETIMES[token_type],
        }
        return jwt.encode(claims, self._private_key, algorithm=ALGORITHM)

    def derive_key(self, purpose: str) -> bytes:
        """A 32-byte secret for `purpose` (e.g. signing unsubscribe links) derived from the private key:
        the same in every process that shares PRIVATE_JWT, and useless for forging session tokens."""
        der = self._private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return hmac.new(der, purpose.encode(), hashlib.sha256).digest()

    def verify(self, token: str) -> TokenClaims:
        """The claims of a valid token; `ExpiredTokenError` or `InvalidTokenError` otherwise."""
        try:
            claims = jwt.decode(
                token,
                self._public_key,
                algorithms=[ALGORITHM],
                # The original accepted a numeric `sub`; PyJWT would refuse it.
                options={"require": list(_REQUIRED_CLAIMS), "verify_sub": False},
            )
        except jwt.ExpiredSignatureError:
            raise ExpiredTokenError("Token has expired") from None
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(f"Invalid token: {exc}") from None
        return _claims(claims)


def _load(variable: str, loader: Callable[..., object], pem: str, *args: object) -> object:
    try:
        return loader(pem.encode(), *args)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{variable}: not a PEM key ({exc})") from None


def _claims(claims: dict[str, object]) -> TokenClaims:
    if not all(claims.get(name) for name in _REQUIRED_CLAIMS):
        raise InvalidTokenError("Invalid token: an empty required claim")
    subject, token_type = claims["sub"], claims["tokenType"]
    user_id = _user_id(subject)
    if user_id is None or not isinstance(token_type, str):
        raise InvalidTokenError("Invalid token: `sub` is not a user id")
    # PyJWT has checked that both are numbers.
    issued_at, expires_at = cast("float", claims["iat"]), cast("float", claims["exp"])
    return TokenClaims(user_id, token_type, int(issued_at), int(expires_at))


def _user_id(subject: object) -> int | None:
    if isinstance(subject, bool):
        return None
    if isinstance(subject, int):
        return subject if subject > 0 else None
    if isinstance(subject, str) and subject.isascii() and subject.isdigit():
        return int(subject) if int(subject) > 0 else None
    return None


def require_jwt_keys(settings: JwtSettings, *, production: bool) -> None:
    """Production refuses to start without both keys."""
    if production and not (settings.private_jwt and settings.public_jwt):
        missing = "PRIVATE_JWT" if not settings.private_jwt else "PUBLIC_JWT"
        raise ConfigurationError(f"{missing}: not set (the RS256 key pair of the session tokens)")
