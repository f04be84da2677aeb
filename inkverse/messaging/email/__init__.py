"""E-mail: one typed model per template (`messages`), Jinja2 rendering, and the SES v2 sender.

await sender.send("reader@example.com", LoginLinkEmail(reset_password_token=token))
"""

from inkverse.messaging.email.messages import (
    CommentLikedEmail,
    CommentReplyEmail,
    ConfirmEmailEmail,
    CreatorDigestEmail,
    Email,
    EmailTemplate,
    LoginLinkEmail,
    NewEpisodeEmail,
    SignupLinkEmail,
)
from inkverse.messaging.email.rendering import EmailRenderer, RenderedEmail
from inkverse.messaging.email.sender import EmailSender, RetryPolicy, open_email_sender, validate_address

__all__ = [
    "CommentLikedEmail",
    "CommentReplyEmail",
    "ConfirmEmailEmail",
    "CreatorDigestEmail",
    "Email",
    "EmailRenderer",
    "EmailSender",
    "EmailTemplate",
    "LoginLinkEmail",
    "NewEpisodeEmail",
    "RenderedEmail",
    "RetryPolicy",
    "SignupLinkEmail",
    "open_email_sender",
    "validate_address",
]
