"""Root fields of a reader's accounts elsewhere (graphql.md §2.6, §2.7): the Bluesky profile lookup and
DID, the comics of the creators one follows on Bluesky or (through Taddy) on Patreon, and the stored
hosting-provider refresh tokens.

Bluesky and Taddy get one deadline per field (`BLUESKY_TIMEOUT_SECONDS`, `TADDY_AUTH_TIMEOUT_SECONDS`,
retries and pages included). When they fail or miss it, the field fails with `ExternalServiceError`: a
plain message (INKVERSE_SERVER_ERROR, masked in production) and a warning without a traceback in the log.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

import strawberry
import structlog

from inkverse.bluesky.client import BlueskyApiError, BlueskyClient
from inkverse.bluesky.client import BlueskyProfile as BlueskyProfileData
from inkverse.creators.followed_series import series_for_bluesky_handles, series_for_patreon_usernames
from inkverse.database import tables
from inkverse.errors import ConfigurationError, DependencyUnavailableError, ValidationError
from inkverse.graphql.auth import require_user
from inkverse.graphql.context import Context
from inkverse.graphql.errors import AuthenticationError, ExpectedServerError
from inkverse.graphql.types import ComicSeries, User
from inkverse.settings import BlueskySettings, TaddySettings
from inkverse.taddy.oauth import TADDY_HOSTING_PROVIDER_UUID, TaddyAuthClient, TaddyAuthError
from inkverse.users.accounts import Accounts, now_seconds
from inkverse.users.hosting_tokens import HostingProviderTokens

log = structlog.get_logger(__name__)

Info = strawberry.Info[Context, None]

# What people paste instead of a bare handle, stripped in this order (the original knew only the last
# three, and cut one character too many after `bsky.app/profile/`).
HANDLE_PREFIXES = ("https://", "http://", "www.", "bsky.app/profile/", "profile/", "@")
PROFILE_NOT_FOUND = (
    "Error getting Bluesky profile. Make sure you use your handle (ex: bsky.app/profile/yourhandle)"
)
TOKEN_NO_LONGER_VALID = "Your Taddy token is no longer valid. Please connect your Patreon account again"  # noqa: S105 - a message, not a secret
MAX_DID_LENGTH = 255  # users.bluesky_did is a varchar(255)
_REFUSED_TOKEN_STATUSES = frozenset({HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN})


class ExternalServiceError(ExpectedServerError):
    """Bluesky or Taddy failed, refused, or did not answer in time."""


@strawberry.type(name="BlueskyProfile")
class BlueskyProfile:
    did: strawberry.ID
    handle: str
    display_name: str | None
    avatar: str | None
    description: str | None

    @classmethod
    def from_data(cls, profile: BlueskyProfileData) -> "BlueskyProfile":
        return cls(
            did=strawberry.ID(profile.did),
            handle=profile.handle,
            display_name=profile.display_name,
            avatar=profile.avatar,
            description=profile.description or None,
        )


def bluesky_actor(handle: str) -> str:
    """The handle in what was typed: `@ann.bsky.social`, `bsky.app/profile/ann.bsky.social`, a URL."""
    actor = handle.strip()
    for prefix in HANDLE_PREFIXES:
        actor = actor.removeprefix(prefix)
    return actor.rstrip("/")


@asynccontextmanager
async def calling(service: str, timeout_seconds: float) -> AsyncIterator[None]:
    """Calls to `service` within the deadline; their failures become `ExternalServiceError`."""
    try:
        async with asyncio.timeout(timeout_seconds):
            yield
    except TimeoutError as exc:
        raise ExternalServiceError(f"{service} did not answer in time. Please try again later.") from exc
    except DependencyUnavailableError as exc:
        raise ExternalServiceError(f"{service} is not answering right now. Please try again later.") from exc
    except ConfigurationError as exc:
        log.error("connections.not_configured", service=service, error=str(exc))
        raise ExternalServiceError(f"{service} is not configured on this server.") from exc


def series_list(rows: list[tables.ComicSeries]) -> list[ComicSeries | None]:
    return [ComicSeries.from_row(row) for row in rows]


@strawberry.type
class ConnectionsQuery:
    @strawberry.field
    async def get_bluesky_profile(self, info: Info, handle: str) -> BlueskyProfile | None:
        require_user(info, "You must be logged in to get your Bluesky profile")
        if not handle.strip():
            raise ValidationError("handle", "Bluesky handle cannot be empty")
        actor = bluesky_actor(handle)
        if not actor:
            raise ValidationError("handle", PROFILE_NOT_FOUND)
        bluesky = await info.context.container.get(BlueskyClient)
        settings = await info.context.container.get(BlueskySettings)
        try:
            async with calling("Bluesky", settings.timeout_seconds):
                profile = await bluesky.get_profile(actor)
        except BlueskyApiError as refused:
            if refused.refuses_the_token:
                raise ExternalServiceError("Bluesky refused this server's sign-in.") from refused
            raise ValidationError("handle", PROFILE_NOT_FOUND) from refused
        return BlueskyProfile.from_data(profile)

    @strawberry.field
    async def get_comics_from_bluesky_creators(self, info: Info) -> list[ComicSeries | None] | None:
        user = require_user(info, "You must be logged in to get comics from Bluesky creators")
        if not user.bluesky_did:
            raise ValidationError("blueskyDid", "You must set your Bluesky handle first")
        handles = await followed_bluesky_handles(info, user.bluesky_did)
        async with info.context.read_session() as session:
            return series_list(await series_for_bluesky_handles(session, handles))

    @strawberry.field
    async def get_comics_from_patreon_creators(self, info: Info) -> list[ComicSeries | None] | None:
        user = require_user(info, "You must be logged in to get comics from Patreon creators")
        async with info.context.read_session() as session:
            refresh_token = await HostingProviderTokens(session).refresh_token(
                user.id, TADDY_HOSTING_PROVIDER_UUID
            )
        if refresh_token is None:
            raise ValidationError(
                "refreshToken", "You must have a Taddy token to find comics from Patreon creators"
            )
        usernames = await followed_patreon_usernames(info, refresh_token)
        if not usernames:
            return []
        async with info.context.read_session() as session:
            return series_list(await series_for_patreon_usernames(session, usernames))


async def followed_bluesky_handles(info: Info, did: str) -> list[str]:
    bluesky = await info.context.container.get(BlueskyClient)
    settings = await info.context.container.get(BlueskySettings)
    try:
        async with calling("Bluesky", settings.timeout_seconds):
            follows = await bluesky.follows(did)
    except BlueskyApiError as refused:
        raise ExternalServiceError(f"Bluesky refused to list your follows: {refused.message}") from refused
    return [profile.handle for profile in follows]


async def followed_patreon_usernames(info: Info, refresh_token: str) -> list[str]:
    taddy = await info.context.container.get(TaddyAuthClient)
    settings = await info.context.container.get(TaddySettings)
    async with calling("Taddy", settings.auth_timeout_seconds):
        try:
            access_token = await taddy.new_access_token(refresh_token)
        except TaddyAuthError as refused:
            if refused.status in _REFUSED_TOKEN_STATUSES:
                raise ValidationError("refreshToken", TOKEN_NO_LONGER_VALID) from refused
            raise ExternalServiceError(f"Taddy refused the request: {refused.message}") from refused
        try:
            return await taddy.patreon_following(access_token)
        except TaddyAuthError as refused:
            raise ExternalServiceError(f"Taddy refused the request: {refused.message}") from refused


@strawberry.type
class ConnectionsMutation:
    @strawberry.mutation
    async def fetch_refresh_token_for_hosting_provider(
        self, info: Info, hosting_provider_uuid: str
    ) -> str | None:
        user = require_user(info, "You must be logged in to fetch tokens")
        if not hosting_provider_uuid:
            raise ValidationError("hostingProviderUuid", "Hosting provider UUID is required")
        async with info.context.read_session() as session:
            return await HostingProviderTokens(session).refresh_token(user.id, hosting_provider_uuid)

    @strawberry.mutation
    async def fetch_all_hosting_provider_tokens(self, info: Info) -> list[str] | None:
        user = require_user(info, "You must be logged in to fetch tokens")
        async with info.context.read_session() as session:
            return await HostingProviderTokens(session).all_refresh_tokens(user.id)

    @strawberry.mutation
    async def save_bluesky_did(self, info: Info, did: str) -> User | None:
        message = "You must be logged in to save your Bluesky DID"
        user = require_user(info, message)
        if len(did) > MAX_DID_LENGTH:
            raise ValidationError("did", f"Bluesky DID must be at most {MAX_DID_LENGTH} characters")
        async with info.context.session() as session, session.begin():
            row = await Accounts(session).by_id(user.id)
            if row is None:  # deleted since the request began
                raise AuthenticationError(message)
            row.bluesky_did = did
            row.updated_at = now_seconds()
        return User.from_row(row, user.id)
