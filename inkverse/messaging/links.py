"""Links to the website, built the way the original builds them (the paths are the contract)."""

import re
from urllib.parse import quote

_WHITESPACE = re.compile(r"\s+")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_DASHES = re.compile(r"-+")
_MAX_SLUG = 80


def safe_name(name: str) -> str:
    """The original's `safeName`: the slug of a name in page URLs."""
    slug = _WHITESPACE.sub("-", name.strip())
    slug = _DASHES.sub("-", _UNSAFE.sub("", slug))
    return slug[:_MAX_SLUG].lower()


def issue_url(website_url: str, series_short_url: str, issue_name: str, issue_uuid: str) -> str:
    return f"{website_url.rstrip('/')}/comics/{series_short_url}/{safe_name(issue_name)}-{issue_uuid}"


def notifications_url(website_url: str) -> str:
    return f"{website_url.rstrip('/')}/profile/notifications"


def notification_settings_url(website_url: str) -> str:
    return f"{website_url.rstrip('/')}/profile/settings/notifications"


UNSUBSCRIBE_PATH = "/api/notifications/unsubscribe"


def unsubscribe_url(website_url: str, token: str) -> str:
    """The API's one-click unsubscribe route under the website's host, which routes `/api/*` to the API
    as the original's load balancer does."""
    return f"{website_url.rstrip('/')}{UNSUBSCRIBE_PATH}?token={quote(token, safe='')}"


def login_url(website_url: str, token: str) -> str:
    return f"{website_url.rstrip('/')}/reset?token={quote(token, safe='')}"


def profile_url(website_url: str, username: str) -> str:
    return f"{website_url.rstrip('/')}/{username}"
