"""Creator claims: a signed-in user asks to be a creator, the creator's hosting provider decides
(graphql.md §1.3 "Claim flow details", database.md `user_creator_claims`).

`initiate` keeps one PENDING claim per (user, creator) with an 80-hex-character token valid 7 days
(reused while valid, else rotated) and announces it to the provider. The provider POSTs its RS256-signed
decision back; `decide` verifies it with the provider's configured key and applies it once: a repeat of
a decided claim is a success that changes nothing. Approval sets `users.creator_uuid`, marks every
earlier comment of the user on the creator's series as a creator comment (one UPDATE), then posts to
Slack and purges the creator, the user's profile and the comments of the affected issues; neither of
those can fail the callback.
"""

import enum
import secrets
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.database import tables
from inkverse.errors import ConfigurationError, DependencyUnavailableError, InkverseError
from inkverse.messaging import links
from inkverse.messaging.slack import SlackNotifier
from inkverse.taddy.oauth import TaddyAuthClient, TaddyAuthError
from inkverse.users.hosting_providers import (
    HostingProviderKeys,
    ProviderTokenError,
    is_known_provider,
    unverified_issuer,
)
from inkverse.users.repository import UserRepository

log = structlog.get_logger(__name__)

CLAIM_TOKEN_BYTES = 40  # 80 hex characters
CLAIM_TOKEN_SECONDS = 7 * 86_400
CALLBACK_PATH = "/api/claim-creator/callback"


class ClaimStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ClaimError(InkverseError):
    """A refused claim step, with the HTTP status and message the original answers with."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class CallbackOutcome(enum.Enum):
    APPLIED = "applied"
    ALREADY_DECIDED = "already_decided"
    CLAIMED_BY_ANOTHER_USER = "claimed_by_another_user"


@dataclass(frozen=True, slots=True)
class ClaimDecision:
    claim_token: str
    creator_uuid: str
    status: ClaimStatus


@dataclass(frozen=True, slots=True)
class _Approval:
    user_id: int
    username: str
    creator_short_url: str | None
    comment_targets: tuple[str, ...]


def now_seconds() -> int:
    return int(time.time())


def canonical_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def claim_page_url(website_url: str, creator_uuid: str) -> str:
    """Where the provider sends the user back to after deciding."""
    return f"{website_url.rstrip('/')}/claim-creator/{creator_uuid}"


async def claim_status(session: AsyncSession, user_id: int, creator_uuid: str) -> ClaimStatus | None:
    """The status of the user's claim on the creator, or None without one."""
    creator = canonical_uuid(creator_uuid)
    if creator is None:
        return None
    statement = select(tables.UserCreatorClaim.status).where(
        tables.UserCreatorClaim.user_id == user_id, tables.UserCreatorClaim.creator_uuid == creator
    )
    status = (await session.scalars(statement.limit(1))).first()
    return ClaimStatus(status) if status is not None else None


class CreatorClaims:
    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        taddy: TaddyAuthClient,
        keys: HostingProviderKeys,
        purger: CachePurger,
        slack: SlackNotifier,
        website_url: str,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._taddy = taddy
        self._keys = keys
        self._purger = purger
        self._slack = slack
        self._website_url = website_url

    async def initiate(self, user_id: int, creator_uuid: str) -> str:
        """The provider's page where the user confirms the claim; `ClaimError` when refused."""
        async with self._sessionmaker() as session, session.begin():
            user = await session.get(tables.User, user_id)
            if user is None or not user.username:
                raise ClaimError(HTTPStatus.BAD_REQUEST, "User not found")
            username = user.username
            creator = await _claimable_creator(session, creator_uuid)
            token = await _pending_claim_token(session, user_id, creator)
        try:
            await self._taddy.initiate_claim(
                client_user_id=user_id,
                client_profile_url=links.profile_url(self._website_url, username),
                creator_uuid=creator,
                claim_token=token,
                callback_url=f"{self._website_url.rstrip('/')}{CALLBACK_PATH}",
            )
        except (TaddyAuthError, DependencyUnavailableError, ConfigurationError) as exc:
            log.error("claims.initiate_failed", creator_uuid=creator, error=str(exc))
            raise ClaimError(
                HTTPStatus.INTERNAL_SERVER_ERROR, "Hosting provider error - cannot connect"
            ) from None
        return self._taddy.claim_creator_url(creator, token)

    def verify_decision(self, signed_claim_token: str) -> ClaimDecision:
        """The decision the provider signed; `ClaimError` 400 when it does not verify."""
        issuer = unverified_issuer(signed_claim_token)
        try:
            if issuer is None or not is_known_provider(issuer):
                raise ProviderTokenError(f"unknown issuer {issuer!r}")
            claims = self._keys.verify(issuer, signed_claim_token, required=("sub",))
            return _decision(claims)
        except ProviderTokenError as exc:
            log.warning("claims.decision_refused", error=str(exc))
            raise ClaimError(HTTPStatus.BAD_REQUEST, "Invalid or expired signed claim token") from None

    async def decide(self, decision: ClaimDecision) -> CallbackOutcome:
        """Apply the decision once; `ClaimError` when the claim is unknown, expired or for another creator."""
        verb = "approve" if decision.status is ClaimStatus.APPROVED else "reject"
        try:
            return await self._apply(decision)
        except IntegrityError:
            # Another user's approval for this creator committed first (`users_creator_uuid_unique`).
            return CallbackOutcome.CLAIMED_BY_ANOTHER_USER
        except SQLAlchemyError as exc:
            log.error("claims.decision_failed", status=decision.status.value, error=str(exc))
            raise ClaimError(HTTPStatus.INTERNAL_SERVER_ERROR, f"Failed to {verb} claim") from None

    async def _apply(self, decision: ClaimDecision) -> CallbackOutcome:
        async with self._sessionmaker() as session, session.begin():
            claim = await _claim_for_update(session, decision.claim_token)
            if claim is None:
                raise ClaimError(HTTPStatus.BAD_REQUEST, "Invalid or expired claim token")
            if claim.creator_uuid != canonical_uuid(decision.creator_uuid):
                raise ClaimError(HTTPStatus.BAD_REQUEST, "Creator UUID mismatch")
            if claim.status != ClaimStatus.PENDING:
                return CallbackOutcome.ALREADY_DECIDED
            if decision.status is ClaimStatus.REJECTED:
                username = await _reject(session, claim)
                approval = None
            else:
                approval = await _approve(session, claim)
                if approval is None:
                    return CallbackOutcome.CLAIMED_BY_ANOTHER_USER
                username = approval.username
        self._announce(claim.creator_uuid, username, approved=approval is not None)
        if approval is not None:
            await self._purger.purge(_approval_purges(claim.creator_uuid, approval))
        return CallbackOutcome.APPLIED

    def _announce(self, creator_uuid: str, username: str, *, approved: bool) -> None:
        if approved:
            self._slack.post_creator_claim_approved(creator_uuid=creator_uuid, username=username)
        else:
            self._slack.post_creator_claim_rejected(creator_uuid=creator_uuid, username=username)


def _decision(claims: dict[str, Any]) -> ClaimDecision:
    token, creator, status = claims.get("sub"), claims.get("creator_uuid"), claims.get("status")
    if not isinstance(token, str) or not token or not isinstance(creator, str) or not creator:
        raise ProviderTokenError("the decision lacks `sub` or `creator_uuid`")
    if status not in (ClaimStatus.APPROVED, ClaimStatus.REJECTED):
        raise ProviderTokenError(f"unknown decision status {status!r}")
    return ClaimDecision(token, creator, ClaimStatus(status))


async def _claimable_creator(session: AsyncSession, creator_uuid: str) -> str:
    """The creator's canonical uuid when nobody has claimed it and its provider is known."""
    creator = canonical_uuid(creator_uuid)
    if creator is None:
        raise ClaimError(HTTPStatus.BAD_REQUEST, "Could not determine hosting provider for this creator")
    if (await UserRepository(session).by_creator_uuids([creator])).get(creator) is not None:
        raise ClaimError(HTTPStatus.CONFLICT, "This creator has already been claimed")
    provider = await _hosting_provider_of(session, creator)
    if provider is None:
        raise ClaimError(HTTPStatus.BAD_REQUEST, "Could not determine hosting provider for this creator")
    if not is_known_provider(provider):
        raise ClaimError(HTTPStatus.BAD_REQUEST, "Hosting provider not found")
    return creator


async def _hosting_provider_of(session: AsyncSession, creator_uuid: str) -> str | None:
    """The hosting provider of the creator's first series that names one."""
    content, series = tables.CreatorContent, tables.ComicSeries
    statement = (
        select(series.hosting_provider_uuid)
        .join(content, content.content_uuid == series.uuid)
        .where(
            content.creator_uuid == creator_uuid,
            content.content_type == tables.ContentType.COMICSERIES,
            series.hosting_provider_uuid.is_not(None),
        )
        .order_by(content.id)
        .limit(1)
    )
    return (await session.scalars(statement)).first()


async def _pending_claim_token(session: AsyncSession, user_id: int, creator_uuid: str) -> str:
    """The token of the user's PENDING claim on the creator: a new claim, the unexpired token of the
    pending one, or a fresh token (a decided or expired claim starts over as PENDING)."""
    now = now_seconds()
    token = secrets.token_hex(CLAIM_TOKEN_BYTES)
    inserted = await session.scalar(
        insert(tables.UserCreatorClaim)
        .values(
            user_id=user_id,
            creator_uuid=creator_uuid,
            status=ClaimStatus.PENDING.value,
            claim_token=token,
            claim_token_expiry=now + CLAIM_TOKEN_SECONDS,
        )
        .on_conflict_do_nothing(constraint="user_creator_claims_user_id_creator_uuid_unique")
        .returning(tables.UserCreatorClaim.id)
    )
    if inserted is not None:
        return token
    statement = (
        select(tables.UserCreatorClaim)
        .where(
            tables.UserCreatorClaim.user_id == user_id,
            tables.UserCreatorClaim.creator_uuid == creator_uuid,
        )
        .with_for_update()
    )
    claim = (await session.scalars(statement)).one()
    if claim.status == ClaimStatus.PENDING and claim.claim_token_expiry > now:
        return claim.claim_token
    claim.status = ClaimStatus.PENDING.value
    claim.claim_token = token
    claim.claim_token_expiry = now + CLAIM_TOKEN_SECONDS
    return token


async def _claim_for_update(session: AsyncSession, claim_token: str) -> tables.UserCreatorClaim | None:
    """The unexpired claim with this token, locked until the decision is applied."""
    statement = (
        select(tables.UserCreatorClaim)
        .where(
            tables.UserCreatorClaim.claim_token == claim_token,
            tables.UserCreatorClaim.claim_token_expiry > now_seconds(),
        )
        .with_for_update()
    )
    return (await session.scalars(statement)).first()


async def _reject(session: AsyncSession, claim: tables.UserCreatorClaim) -> str:
    claim.status = ClaimStatus.REJECTED.value
    user = await session.get(tables.User, claim.user_id)
    return _username(user, claim.user_id)


async def _approve(session: AsyncSession, claim: tables.UserCreatorClaim) -> _Approval | None:
    """Approve and link the user to the creator; None when another user already has the creator."""
    owner = (await UserRepository(session).by_creator_uuids([claim.creator_uuid])).get(claim.creator_uuid)
    if owner is not None and owner.id != claim.user_id:
        return None
    user = await session.get(tables.User, claim.user_id, with_for_update=True)
    if user is None:
        raise ClaimError(HTTPStatus.BAD_REQUEST, "Invalid or expired claim token")
    claim.status = ClaimStatus.APPROVED.value
    user.creator_uuid = claim.creator_uuid
    user.updated_at = now_seconds()
    await session.flush()
    targets = await _mark_comments_as_creator(session, claim.user_id, claim.creator_uuid)
    creator = await session.get(tables.Creator, claim.creator_uuid)
    return _Approval(
        user_id=claim.user_id,
        username=_username(user, claim.user_id),
        creator_short_url=creator.short_url if creator is not None else None,
        comment_targets=targets,
    )


async def _mark_comments_as_creator(
    session: AsyncSession, user_id: int, creator_uuid: str
) -> tuple[str, ...]:
    """Mark all of the user's comments on the creator's series as creator comments; the issues whose
    comment lists changed."""
    comments, content = tables.UserComment, tables.CreatorContent
    creator_series = select(content.content_uuid).where(
        content.creator_uuid == creator_uuid, content.content_type == tables.ContentType.COMICSERIES
    )
    statement = (
        update(comments)
        .where(
            comments.user_id == user_id,
            comments.is_creator.is_(False),
            comments.parent_uuid.in_(creator_series),
        )
        .values(is_creator=True, updated_at=now_seconds())
        .returning(comments.target_uuid)
        .execution_options(synchronize_session=False)
    )
    return tuple(sorted(set(await session.scalars(statement))))


def _username(user: tables.User | None, user_id: int) -> str:
    return user.username if user is not None and user.username else str(user_id)


def _approval_purges(creator_uuid: str, approval: _Approval) -> list[Purge]:
    user_id = str(approval.user_id)
    purges = [
        Purge(CacheType.CREATOR, (creator_uuid,), short_url=approval.creator_short_url),
        Purge(CacheType.USER, (user_id,), short_url=approval.username),
        Purge(CacheType.PROFILE_COMICSERIES, (user_id,), short_url=approval.username),
    ]
    if approval.comment_targets:
        purges.append(Purge(CacheType.COMMENTS, approval.comment_targets))
    return purges
