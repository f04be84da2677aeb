"""The `hosting-provider-tokens` job: refresh the stored Taddy refresh tokens that expire within 3 days.

Each token is exchanged for a new one (`TaddyAuthClient.new_refresh_token`), which is verified as at
sign-in (`HostingProviderKeys`: Taddy's key, `iss`, a future `exp`, and `sub` = the row's user) and
stored over the old one. A token already expired is not sent to Taddy, which can only refuse it: it is
counted as `expired` and kept, so the user is asked to reconnect as before (the original retried it
every week for ever). One token failing does not stop the others.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.errors import InkverseError
from inkverse.taddy.oauth import TADDY_HOSTING_PROVIDER_UUID, TaddyAuthClient
from inkverse.users.hosting_providers import HostingProviderKeys, ProviderTokenError, save_refresh_token

log = structlog.get_logger(__name__)

REFRESH_AHEAD_SECONDS = 3 * 86_400
PAGE_SIZE = 500

Token = tables.OAuthToken


@dataclass(slots=True)
class RefreshCounts:
    refreshed: int = 0
    failed: int = 0
    expired: int = 0


@dataclass(frozen=True, slots=True)
class _Stored:
    id: int
    user_id: int
    refresh_token: str
    expires_at: int


class HostingTokenRefresher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        taddy: TaddyAuthClient,
        keys: HostingProviderKeys,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._taddy = taddy
        self._keys = keys
        self._clock = clock

    async def refresh_expiring(self) -> RefreshCounts:
        now = int(self._clock())
        counts = RefreshCounts()
        after = 0
        while page := await self._expiring(now, after):
            for stored in page:
                if stored.expires_at <= now:
                    counts.expired += 1
                elif await self._refresh(stored):
                    counts.refreshed += 1
                else:
                    counts.failed += 1
            after = page[-1].id
        log_event = log.warning if counts.failed else log.info
        log_event("hosting_tokens.refreshed", refreshed=counts.refreshed, failed=counts.failed,
                  expired=counts.expired)  # fmt: skip
        return counts

    async def _expiring(self, now: int, after: int) -> list[_Stored]:
        async with self._sessionmaker() as session:
            rows = await session.execute(
                select(Token.id, Token.user_id, Token.refresh_token, Token.refresh_token_expires_at)
                .where(Token.id > after, Token.hosting_provider_uuid == TADDY_HOSTING_PROVIDER_UUID)
                .where(Token.refresh_token_expires_at < now + REFRESH_AHEAD_SECONDS)
                .order_by(Token.id)
                .limit(PAGE_SIZE)
            )
            return [_Stored(*row) for row in rows]

    async def _refresh(self, stored: _Stored) -> bool:
        """True when the token was replaced by a verified new one."""
        try:
            token = await self._taddy.new_refresh_token(stored.refresh_token)
            claims = self._keys.verify(TADDY_HOSTING_PROVIDER_UUID, token, required=("sub", "exp"))
            if str(claims["sub"]) != str(stored.user_id):
                raise ProviderTokenError("the new token names another user")
        except InkverseError as exc:
            log.warning("hosting_tokens.refresh_failed", token_id=stored.id, user_id=stored.user_id,
                        error=str(exc))  # fmt: skip
            return False
        async with self._sessionmaker() as session, session.begin():
            await save_refresh_token(session, stored.user_id, TADDY_HOSTING_PROVIDER_UUID, token, claims)
        return True
