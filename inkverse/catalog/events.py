"""What a Taddy event is about (`TaddyType`) and what it does (`WebhookAction`).

The catalog writers, the payload models and the webhook pipeline (`inkverse.taddy`) share this
vocabulary; it lives with the catalog so that the pipeline depends on the domain, never the reverse.
"""

from enum import StrEnum


class TaddyType(StrEnum):
    """The kind of Taddy object; the values are Taddy's `taddyType`, the names the GraphQL `TaddyType`."""

    COMICSERIES = "comicseries"
    COMICISSUE = "comicissue"
    CREATOR = "creator"
    CREATORCONTENT = "creatorcontent"


class WebhookAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    NEW_ISSUES_RELEASED = "new_issues_released"
    NEW_CONTENT_RELEASED = "new_content_released"
