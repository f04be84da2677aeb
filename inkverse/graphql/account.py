"""Root fields of a reader's own account (graphql.md §2.7): `updateUserProfile`, `updateUserEmail`,
`resendVerificationEmail`.

E-mail addresses are stored normalised (trimmed, lower-cased) like every other address; the confirmation
link is a new single-use login token, e-mailed after the change is committed.
"""

import strawberry
import structlog
from sqlalchemy.exc import IntegrityError
from strawberry import UNSET

from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.database import tables
from inkverse.errors import EmailDeliveryError, InkverseError, ValidationError
from inkverse.graphql.auth import require_user
from inkverse.graphql.context import Context
from inkverse.graphql.enums import UserAgeRange
from inkverse.graphql.errors import AuthenticationError
from inkverse.graphql.types import User
from inkverse.messaging.email import ConfirmEmailEmail, EmailSender
from inkverse.users.profile import (
    EMAIL_TAKEN,
    USERNAME_TAKEN,
    AccountGoneError,
    ProfileChange,
    change_email,
    restart_verification,
    update_profile,
)

log = structlog.get_logger(__name__)

Info = strawberry.Info[Context, None]

UPDATE_PROFILE = "You must be logged in to update your profile"
UPDATE_EMAIL = "You must be logged in to update your email"
RESEND_VERIFICATION = "You must be logged in to resend a verification email"


class ConfirmationNotSentError(InkverseError):
    """The address was changed but the confirmation e-mail could not be sent."""


async def send_confirmation(info: Info, user: tables.User, token: str, failure: str) -> None:
    sender = await info.context.container.get(EmailSender)
    try:
        await sender.send(user.email, ConfirmEmailEmail(reset_password_token=token))
    except EmailDeliveryError as exc:
        log.error("account.confirmation_email_failed", user_id=user.id, error=str(exc))
        raise ConfirmationNotSentError(failure) from exc


def profile_purges(user: tables.User, previous_username: str | None) -> list[Purge]:
    """The user's cached public profile, under the old and the new username."""
    usernames = dict.fromkeys(name for name in (previous_username, user.username) if name)
    return [Purge(CacheType.USER, (str(user.id),), short_url=name) for name in usernames]


@strawberry.type
class AccountMutation:
    @strawberry.mutation
    async def update_user_profile(
        self,
        info: Info,
        username: str | None = UNSET,
        age_range: UserAgeRange | None = UNSET,
        birth_year: int | None = UNSET,
    ) -> User | None:
        viewer = require_user(info, UPDATE_PROFILE)
        change = ProfileChange(
            username=username or None,
            age_range=age_range.value if age_range else None,
            birth_year=birth_year or None,
        )
        try:
            async with info.context.session() as session, session.begin():
                updated = await update_profile(session, viewer.id, change)
        except AccountGoneError:
            raise AuthenticationError(UPDATE_PROFILE) from None
        except IntegrityError:  # another account took the name since our check
            raise ValidationError("username", USERNAME_TAKEN) from None
        if updated.previous_username != updated.user.username:
            purger = await info.context.container.get(CachePurger)
            await purger.purge(profile_purges(updated.user, updated.previous_username))
        return User.from_row(updated.user, viewer.id)

    @strawberry.mutation
    async def update_user_email(self, info: Info, email: str) -> User | None:
        viewer = require_user(info, UPDATE_EMAIL)
        try:
            async with info.context.session() as session, session.begin():
                user, token = await change_email(session, viewer.id, email)
        except AccountGoneError:
            raise AuthenticationError(UPDATE_EMAIL) from None
        except IntegrityError:  # another account took the address since our check
            raise ValidationError("email", EMAIL_TAKEN) from None
        await send_confirmation(info, user, token, "Failed to update email")
        return User.from_row(user, viewer.id)

    @strawberry.mutation
    async def resend_verification_email(self, info: Info) -> bool:
        viewer = require_user(info, RESEND_VERIFICATION)
        try:
            async with info.context.session() as session, session.begin():
                user, token = await restart_verification(session, viewer.id)
        except AccountGoneError:
            raise AuthenticationError(RESEND_VERIFICATION) from None
        await send_confirmation(info, user, token, "Failed to to user for email verification")
        return True
