"""One-click unsubscribe links in notification e-mails: a signed token naming a user and the e-mail's events
(one, or both creator events for the daily digest); opening the link turns those events' EMAIL settings off
(`GET /api/notifications/unsubscribe?token=...`). The `evt` claim is a list of event types; a single string,
as links sent before digests had one, still verifies.

Tokens are HS256 JWTs whose key is derived from the session-token key pair, so the API verifies what the
worker signed without another secret to configure; rotating PRIVATE_JWT voids the links already sent.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.database import tables
from inkverse.errors import InkverseError
from inkverse.notifications.events import NotificationChannel, NotificationEventType
from inkverse.notifications.settings import ChannelSetting, save_setting

KEY_PURPOSE = "inkverse.notifications.unsubscribe"
LINK_LIFETIME_SECONDS = 180 * 86_400
"""As long as a refresh token: an e-mail opened months later still unsubscribes."""
_ALGORITHM = "HS256"
_USE = "unsubscribe"


class InvalidUnsubscribeTokenError(InkverseError):
    """The token is malformed, tampered with, or not an unsubscribe token."""


class ExpiredUnsubscribeTokenError(InvalidUnsubscribeTokenError):
    """The token was valid but is older than `LINK_LIFETIME_SECONDS`."""


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    user_id: int
    events: tuple[NotificationEventType, ...]


class UnsubscribeTokens:
    def __init__(
        self,
        key: bytes,
        *,
        lifetime_seconds: int = LINK_LIFETIME_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._key = key
        self._lifetime = lifetime_seconds
        self._clock = clock

    def issue(self, user_id: int, *events: NotificationEventType) -> str:
        if not events:
            raise ValueError("an unsubscribe token names at least one event")
        now = int(self._clock())
        claims = {
            "sub": str(user_id),
            "evt": [event.value for event in dict.fromkeys(events)],
            "use": _USE,
            "iat": now,
            "exp": now + self._lifetime,
        }
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM)

    def verify(self, token: str) -> Unsubscribe:
        """What the token unsubscribes from; `ExpiredUnsubscribeTokenError` or
        `InvalidUnsubscribeTokenError` with the reason otherwise."""
        try:
            # `exp` is checked below against this service's clock rather than PyJWT's.
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                options={"require": ["sub", "evt", "use", "exp"], "verify_exp": False},
            )
        except jwt.PyJWTError as exc:
            raise InvalidUnsubscribeTokenError(f"this unsubscribe link is not valid ({exc})") from None
        if claims.get("use") != _USE:
            raise InvalidUnsubscribeTokenError("this link is not an unsubscribe link")
        if not isinstance(claims["exp"], int) or claims["exp"] <= self._clock():
            raise ExpiredUnsubscribeTokenError("this unsubscribe link has expired")
        return _target(claims)


def _target(claims: dict[str, object]) -> Unsubscribe:
    subject = claims["sub"]
    if not (isinstance(subject, str) and subject.isascii() and subject.isdigit()):
        raise InvalidUnsubscribeTokenError("this unsubscribe link names no user")
    return Unsubscribe(int(subject), _events(claims["evt"]))


def _events(claim: object) -> tuple[NotificationEventType, ...]:
    """`evt` as issued (a list) or as in links sent before digests had one (a string)."""
    values = [claim] if isinstance(claim, str) else claim
    if not (isinstance(values, list) and values and all(isinstance(value, str) for value in values)):
        raise InvalidUnsubscribeTokenError("this unsubscribe link names no notification type")
    try:
        return tuple(dict.fromkeys(NotificationEventType(value) for value in values))
    except ValueError:
        raise InvalidUnsubscribeTokenError("this unsubscribe link names no notification type") from None


async def unsubscribe(session: AsyncSession, target: Unsubscribe) -> bool:
    """Turn the user's EMAIL setting of each named event off, in the caller's transaction; False when the
    account no longer exists."""
    exists = await session.scalar(select(tables.User.id).where(tables.User.id == target.user_id))
    if exists is None:
        return False
    for event in target.events:
        await save_setting(
            session, target.user_id, ChannelSetting(event, NotificationChannel.EMAIL, is_enabled=False)
        )
    return True
