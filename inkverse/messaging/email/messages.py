"""The e-mails Inkverse sends: one model per template, holding that template's variables.

The subjects, defaults and links are the original's (`messaging/email`); a template receives the
model's fields plus the links built from the website URL (`Email.variables`).
"""

import abc
import enum
from typing import ClassVar, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator

from inkverse.messaging import links

CREATOR_DIGEST_IMAGE_URL = "https://ink0.inkverse.co/general/creator-digest.png"
SOMEONE = "Someone"
A_COMIC = "a comic"


class EmailTemplate(enum.StrEnum):
    LOGIN_LINK = "login_link"
    SIGNUP_LINK = "signup_link"
    CONFIRM_EMAIL = "confirm_email"
    NEW_EPISODE = "new_episode"
    COMMENT_REPLY = "comment_reply"
    COMMENT_LIKED = "comment_liked"
    CREATOR_DIGEST = "creator_digest"


class Email(BaseModel, abc.ABC):
    model_config = ConfigDict(frozen=True, extra="forbid")

    template: ClassVar[EmailTemplate]

    @property
    @abc.abstractmethod
    def subject(self) -> str: ...

    def variables(self, website_url: str) -> dict[str, object]:
        """What the template may use: the fields, plus links built from `website_url`."""
        return {**self.model_dump(), "website_url": website_url}

    def headers(self, website_url: str) -> dict[str, str]:
        """Extra MIME headers of the message."""
        return {}


class _SignInLinkEmail(Email):
    """An e-mail carrying the one-time sign-in link `<website>/reset?token=<token>`."""

    reset_password_token: str = Field(min_length=1, repr=False)

    def variables(self, website_url: str) -> dict[str, object]:
        login_url = links.login_url(website_url, self.reset_password_token)
        return {**super().variables(website_url), "login_url": login_url}


class LoginLinkEmail(_SignInLinkEmail):
    """`POST /api/auth/login-with-email` for an existing user."""

    template = EmailTemplate.LOGIN_LINK

    @property
    def subject(self) -> str:
        return "Inkverse Login Link"


class SignupLinkEmail(_SignInLinkEmail):
    """`POST /api/auth/login-with-email` for a new user."""

    template = EmailTemplate.SIGNUP_LINK

    @property
    def subject(self) -> str:
        return "Welcome to Inkverse - Complete Your Sign Up"


class ConfirmEmailEmail(_SignInLinkEmail):
    """`updateUserEmail` and `resendVerificationEmail`."""

    template = EmailTemplate.CONFIRM_EMAIL

    @property
    def subject(self) -> str:
        return "Confirm your email address for Inkverse"


class _NotificationEmail(Email):
    """Notification e-mails share one layout with a link to the feed, an unsubscribe link and a link to
    the notification settings. With `unsubscribe_token` the unsubscribe link turns this e-mail's event off
    at once (and the List-Unsubscribe headers offer mail clients the same); without it, it is the
    settings page, as in the original."""

    unsubscribe_token: str | None = Field(default=None, repr=False)

    def unsubscribe_url(self, website_url: str) -> str:
        if self.unsubscribe_token is None:
            return links.notification_settings_url(website_url)
        return links.unsubscribe_url(website_url, self.unsubscribe_token)

    def variables(self, website_url: str) -> dict[str, object]:
        return {
            **super().variables(website_url),
            "notifications_url": links.notifications_url(website_url),
            "unsubscribe_url": self.unsubscribe_url(website_url),
            "settings_url": links.notification_settings_url(website_url),
        }

    def headers(self, website_url: str) -> dict[str, str]:
        if self.unsubscribe_token is None:
            return {}
        # RFC 8058 one-click: mail clients POST to the link, which the API accepts like a GET.
        return {
            "List-Unsubscribe": f"<{self.unsubscribe_url(website_url)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }


class NewEpisodeEmail(_NotificationEmail):
    """NEW_EPISODE_RELEASED, sent to the series' subscribers who enabled e-mail."""

    template = EmailTemplate.NEW_EPISODE

    series_name: str | None
    series_short_url: str = Field(min_length=1)
    issue_name: str
    issue_uuid: str = Field(min_length=1)
    banner_url: str | None = None
    """The issue's `banner_md` image, if it has one."""

    @property
    def series(self) -> str:
        return self.series_name or A_COMIC

    @property
    def subject(self) -> str:
        return f"New episode of {self.series} is now available"

    def variables(self, website_url: str) -> dict[str, object]:
        issue_url = links.issue_url(website_url, self.series_short_url, self.issue_name, self.issue_uuid)
        return {**super().variables(website_url), "series": self.series, "issue_url": issue_url}


class _CommentEmail(_NotificationEmail):
    actor_name: str | None = None
    actor_username: str | None = None
    issue_name: str | None = None
    series_name: str | None = None

    @property
    def actor(self) -> str:
        return self.actor_name or self.actor_username or SOMEONE

    @property
    def series(self) -> str:
        return self.series_name or A_COMIC

    def variables(self, website_url: str) -> dict[str, object]:
        return {**super().variables(website_url), "actor": self.actor, "series": self.series}


class CommentReplyEmail(_CommentEmail):
    """COMMENT_REPLY: someone replied to the recipient's comment."""

    template = EmailTemplate.COMMENT_REPLY

    @property
    def subject(self) -> str:
        return "Yay! Someone replied to your comment"


class CommentLikedEmail(_CommentEmail):
    """COMMENT_LIKED: someone liked the recipient's comment."""

    template = EmailTemplate.COMMENT_LIKED

    @property
    def subject(self) -> str:
        return "Yay! Someone liked your comment"


class DigestPart(NamedTuple):
    number: int
    words: str
    """What follows the number: `person has liked an episode`, `people have left a comment ...`."""


class CreatorDigestEmail(_NotificationEmail):
    """The daily digest of likes and comments on a creator's episodes."""

    template = EmailTemplate.CREATOR_DIGEST

    name: str | None = None
    username: str | None = None
    episode_likes: NonNegativeInt = 0
    episode_comments: NonNegativeInt = 0

    @model_validator(mode="after")
    def _has_something_to_tell(self) -> Self:
        if self.episode_likes == 0 and self.episode_comments == 0:
            raise ValueError("a digest needs at least one like or comment")
        return self

    @property
    def subject(self) -> str:
        return "Yay! Your fans are showing you some love!"

    @property
    def greeting_name(self) -> str:
        return self.name or self.username or "there"

    def parts(self) -> list[DigestPart]:
        """The sentence's parts, in the original's order: likes, then comments."""
        parts = []
        if self.episode_likes:
            parts.append(DigestPart(self.episode_likes, f"{_people(self.episode_likes)} liked an episode"))
        if self.episode_comments:
            words = f"{_people(self.episode_comments)} left a comment or reply on your comic"
            parts.append(DigestPart(self.episode_comments, words))
        return parts

    def variables(self, website_url: str) -> dict[str, object]:
        return {
            **super().variables(website_url),
            "greeting_name": self.greeting_name,
            "parts": self.parts(),
            "header_image_url": CREATOR_DIGEST_IMAGE_URL,
        }


def _people(count: int) -> str:
    return "person has" if count == 1 else "people have"
