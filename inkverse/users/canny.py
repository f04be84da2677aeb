"""Single sign-on into Canny, the feedback board: HS256 token and a redirect URL (integrations.md §6.2)."""

from dataclasses import dataclass
from urllib.parse import urlencode

import jwt

from inkverse.database import tables
from inkverse.errors import ConfigurationError
from inkverse.settings import CannySettings

CANNY_SSO_URL = "https://canny.io/api/redirects/sso"
DEFAULT_REDIRECT = "https://inkverse.canny.io"
ANONYMOUS_NAME = "Anonymous User"


@dataclass(frozen=True, slots=True)
class CannySignOn:
    user_id: int
    sso_token: str
    redirect_url: str


def canny_sign_on(user: tables.User, settings: CannySettings, redirect_path: str | None) -> CannySignOn:
    """The original's token: `{email, id, name}` without expiry; the redirect defaults to the board."""
    if settings.sso_private_key is None:
        raise ConfigurationError("CANNY_SSO_PRIVATE_KEY is not set")
    if not settings.company_id:
        raise ConfigurationError("CANNY_COMPANY_ID is not set")
    claims = {"email": user.email, "id": str(user.id), "name": user.username or ANONYMOUS_NAME}
    token = jwt.encode(claims, settings.sso_private_key.get_secret_value(), algorithm="HS256")
    query = urlencode(
        {"companyID": settings.company_id, "ssoToken": token, "redirect": redirect_path or DEFAULT_REDIRECT}
    )
    return CannySignOn(user.id, token, f"{CANNY_SSO_URL}?{query}")
