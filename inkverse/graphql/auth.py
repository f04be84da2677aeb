"""What protected fields share: the signed-in user, or the original's AuthenticationError.

    user = require_user(info, "You must be logged in to access Canny SSO")

Fields whose answer depends on who asks are listed in `viewer.py`, so that the response cache never
serves them to anyone else.
"""

import strawberry

from inkverse.database import tables
from inkverse.graphql.context import Context
from inkverse.graphql.errors import AuthenticationError


def require_user(info_or_context: strawberry.Info[Context, None] | Context, message: str) -> tables.User:
    """The signed-in user's row; `AuthenticationError(message)` (REQUIRES_USER_AUTHENTICATION) if none."""
    context = info_or_context if isinstance(info_or_context, Context) else info_or_context.context
    if context.user is None:
        raise AuthenticationError(message)
    return context.user
