"""Sign in with a verified Google or Apple identity: find the account, link it, or create it.

Lookup order as the original's routes (graphql.md §1.3): by the provider's user id, then by e-mail
(linking the provider id), then a new account. The address becomes verified when the provider says it
is; the caller subscribes it to the sign-up list after the commit when `newly_verified`.
"""

import enum
from dataclasses import dataclass

from inkverse.database import tables
from inkverse.errors import InkverseError
from inkverse.users.accounts import Accounts
from inkverse.users.identity import VerifiedIdentity


class Provider(enum.Enum):
    GOOGLE = "Google"
    APPLE = "Apple"


class EmailRequiredError(InkverseError):
    """A provider identity without an address matches no account, and none can be created."""


@dataclass(frozen=True, slots=True)
class ProviderSignIn:
    user: tables.User
    newly_verified: bool


async def account_for_identity(
    accounts: Accounts, provider: Provider, identity: VerifiedIdentity
) -> ProviderSignIn:
    """The account `identity` signs into (linked or created as needed); the caller commits."""
    by_provider_id = accounts.by_google_id if provider is Provider.GOOGLE else accounts.by_apple_id
    user = await by_provider_id(identity.provider_user_id)
    if user is None:
        if identity.email is None:
            raise EmailRequiredError("Email is required for new account creation")
        user = await accounts.by_email(identity.email)
        if user is None:
            return await _create(accounts, provider, identity, identity.email)
        _link(user, provider, identity.provider_user_id)
    newly_verified = identity.email_verified and Accounts.mark_email_verified(user)
    return ProviderSignIn(user, newly_verified)


async def _create(
    accounts: Accounts, provider: Provider, identity: VerifiedIdentity, email: str
) -> ProviderSignIn:
    provider_id = identity.provider_user_id
    user = await accounts.create(
        email,
        google_id=provider_id if provider is Provider.GOOGLE else None,
        apple_id=provider_id if provider is Provider.APPLE else None,
        is_email_verified=identity.email_verified,
    )
    return ProviderSignIn(user, identity.email_verified)


def _link(user: tables.User, provider: Provider, provider_user_id: str) -> None:
    if provider is Provider.GOOGLE:
        Accounts.link_google_id(user, provider_user_id)
    else:
        Accounts.link_apple_id(user, provider_user_id)
