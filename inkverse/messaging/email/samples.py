"""Sample data for every template: `inkverse email preview` renders these, and the tests send them."""

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

_TOKEN = "3f9c2a7d1e8b4c6a0f5d9e2b7c1a4d8e6f0b3c9a"  # noqa: S105 - a sample, not a secret

SAMPLE_EMAILS: dict[EmailTemplate, Email] = {
    EmailTemplate.LOGIN_LINK: LoginLinkEmail(reset_password_token=_TOKEN),
    EmailTemplate.SIGNUP_LINK: SignupLinkEmail(reset_password_token=_TOKEN),
    EmailTemplate.CONFIRM_EMAIL: ConfirmEmailEmail(reset_password_token=_TOKEN),
    EmailTemplate.NEW_EPISODE: NewEpisodeEmail(
        series_name="The Moon & the Tide",
        series_short_url="moon-and-tide",
        issue_name="Episode 12: Low Water",
        issue_uuid="5c3a1f0e-7b2d-4e8a-9c6f-1d2e3f4a5b6c",
        banner_url="https://ax0.taddy.org/comics/moon-and-tide/episode-12-banner-md.webp",
    ),
    EmailTemplate.COMMENT_REPLY: CommentReplyEmail(
        actor_name="Mira", issue_name="Episode 12: Low Water", series_name="The Moon & the Tide"
    ),
    EmailTemplate.COMMENT_LIKED: CommentLikedEmail(
        actor_username="tidewatcher", issue_name="Episode 12: Low Water", series_name="The Moon & the Tide"
    ),
    EmailTemplate.CREATOR_DIGEST: CreatorDigestEmail(name="Ada", episode_likes=12, episode_comments=1),
}
