"""Every template through moto's SES v2 (checked in moto's backend), address checks, throttling retries."""

import email
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dishka import AsyncContainer

from inkverse.errors import ConfigurationError, EmailDeliveryError, ValidationError
from inkverse.messaging.email import (
    EmailRenderer,
    EmailSender,
    EmailTemplate,
    LoginLinkEmail,
    RetryPolicy,
    validate_address,
)
from inkverse.messaging.email.samples import SAMPLE_EMAILS
from inkverse.settings import Settings
from tests.messaging.conftest import ses_backend

READER = "reader@example.com"
TOKEN = "3f9c2a7d1e8b4c6a0f5d9e2b7c1a4d8e6f0b3c9a"
LOGIN = f"https://inkverse.co/reset?token={TOKEN}"
FEED = "https://inkverse.co/profile/notifications"
UNSUBSCRIBE = "https://inkverse.co/profile/settings/notifications"
EPISODE = "https://inkverse.co/comics/moon-and-tide/episode-12-low-water-5c3a1f0e-7b2d-4e8a-9c6f-1d2e3f4a5b6c"

# template -> (subject, phrases both the HTML and the text part contain)
EXPECTED: dict[EmailTemplate, tuple[str, list[str]]] = {
    EmailTemplate.LOGIN_LINK: ("Inkverse Login Link", ["Log in to Inkverse", LOGIN]),
    EmailTemplate.SIGNUP_LINK: (
        "Welcome to Inkverse - Complete Your Sign Up",
        ["Welcome to Inkverse!", LOGIN],
    ),
    EmailTemplate.CONFIRM_EMAIL: (
        "Confirm your email address for Inkverse",
        ["Confirm your email address", LOGIN],
    ),
    EmailTemplate.NEW_EPISODE: (
        "New episode of The Moon & the Tide is now available",
        ["New Episode Available", "Read New Episode", "Episode 12: Low Water", EPISODE, UNSUBSCRIBE],
    ),
    EmailTemplate.COMMENT_REPLY: (
        "Yay! Someone replied to your comment",
        ["Mira replied to your comment", "Episode 12: Low Water", "View on Inkverse", FEED, UNSUBSCRIBE],
    ),
    EmailTemplate.COMMENT_LIKED: (
        "Yay! Someone liked your comment",
        ["tidewatcher liked your comment", "View on Inkverse", FEED, UNSUBSCRIBE],
    ),
    EmailTemplate.CREATOR_DIGEST: (
        "Yay! Your fans are showing you some love!",
        ["Hi Ada!", "people have liked an episode", "Episode Likes", "View Details", FEED, UNSUBSCRIBE],
    ),
}


def received(settings: Settings, message_id: str) -> tuple[Any, EmailMessage]:
    raw = next(sent for sent in ses_backend(settings).sent_messages if sent.id == message_id)
    parsed = email.message_from_string(raw.raw_data, policy=default_policy)
    assert isinstance(parsed, EmailMessage)
    return raw, parsed


def part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body((subtype,))
    assert body is not None, f"no text/{subtype} part"
    content = body.get_content()
    assert isinstance(content, str)
    return content


def test_every_template_has_expectations() -> None:
    assert set(EXPECTED) == set(EmailTemplate) == set(SAMPLE_EMAILS)


@pytest.mark.parametrize("template", list(EmailTemplate))
async def test_every_template_reaches_ses_with_both_parts(
    template: EmailTemplate, container: AsyncContainer, settings: Settings, verified_sender: str
) -> None:
    sender = await container.get(EmailSender)

    message_id = await sender.send(READER, SAMPLE_EMAILS[template])

    raw, message = received(settings, message_id)
    subject, phrases = EXPECTED[template]
    assert raw.source == settings.email.sender
    assert raw.destinations == [READER]
    assert message["Subject"] == subject
    assert message["From"] == "Inkverse Webtoons <info@inkverse.co>"
    assert message["Reply-To"] == message["From"]
    assert message["To"] == READER
    assert message.get_content_type() == "multipart/alternative"
    html, text = part(message, "html"), part(message, "plain")
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert "<" not in text
    for phrase in phrases:
        assert phrase in html, phrase
        assert phrase in text, phrase


async def test_html_escapes_what_the_text_keeps(
    container: AsyncContainer, settings: Settings, verified_sender: str
) -> None:
    sender = await container.get(EmailSender)

    message_id = await sender.send(READER, SAMPLE_EMAILS[EmailTemplate.NEW_EPISODE])

    _, message = received(settings, message_id)
    assert "<strong>The Moon &amp; the Tide</strong>" in part(message, "html")
    assert "A new episode of The Moon & the Tide is now available" in part(message, "plain")


@pytest.mark.parametrize(
    "address", ["", "reader", "reader@", "@example.com", "a b@example.com", "x@localhost"]
)
async def test_invalid_recipients_are_refused_before_ses(
    address: str, container: AsyncContainer, settings: Settings, verified_sender: str
) -> None:
    sender = await container.get(EmailSender)

    with pytest.raises(ValidationError) as caught:
        await sender.send(address, LoginLinkEmail(reset_password_token=TOKEN))

    assert caught.value.field == "to"
    assert ses_backend(settings).sent_messages == []


def test_addresses_are_normalized() -> None:
    assert validate_address("Reader@Example.COM") == "Reader@example.com"
    assert validate_address("reader@bücher.example") == "reader@xn--bcher-kva.example"


async def test_an_unverified_sender_is_a_delivery_error(
    container: AsyncContainer, settings: Settings, moto_reset: None
) -> None:
    sender = await container.get(EmailSender)

    with pytest.raises(EmailDeliveryError, match="login_link"):
        await sender.send(READER, LoginLinkEmail(reset_password_token=TOKEN))


def test_a_malformed_sender_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="EMAIL_SENDER"):
        EmailSender(FakeSes([]), EmailRenderer("https://inkverse.co"), "Inkverse <not an address>")


class FakeSes:
    """Answers `send_email` with the scripted error codes, then with a message id."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        self.calls: list[dict[str, Any]] = []

    async def send_email(self, **arguments: Any) -> dict[str, Any]:
        self.calls.append(arguments)
        if self.errors:
            code = self.errors.pop(0)
            raise ClientError({"Error": {"Code": code, "Message": code}}, "SendEmail")
        return {"MessageId": "fake-message-id"}


FAST_RETRIES = RetryPolicy(attempts=3, initial_wait_seconds=0.01, max_wait_seconds=0.02)


async def test_throttling_is_retried_with_backoff() -> None:
    ses = FakeSes(["TooManyRequestsException", "Throttling"])
    sender = EmailSender(
        ses, EmailRenderer("https://inkverse.co"), "Inkverse <info@inkverse.co>", FAST_RETRIES
    )

    message_id = await sender.send(READER, LoginLinkEmail(reset_password_token=TOKEN))

    assert message_id == "fake-message-id"
    assert len(ses.calls) == 3
    raw = ses.calls[-1]["Content"]["Raw"]["Data"]
    assert b"multipart/alternative" in raw
    assert ses.calls[-1]["FromEmailAddress"] == "Inkverse <info@inkverse.co>"


async def test_throttling_past_the_attempts_is_a_delivery_error() -> None:
    ses = FakeSes(["TooManyRequestsException"] * 3)
    sender = EmailSender(ses, EmailRenderer("https://inkverse.co"), "info@inkverse.co", FAST_RETRIES)

    with pytest.raises(EmailDeliveryError, match="TooManyRequestsException"):
        await sender.send(READER, LoginLinkEmail(reset_password_token=TOKEN))
    assert len(ses.calls) == 3


async def test_a_rejection_is_not_retried() -> None:
    ses = FakeSes(["MessageRejected"])
    sender = EmailSender(ses, EmailRenderer("https://inkverse.co"), "info@inkverse.co", FAST_RETRIES)

    with pytest.raises(EmailDeliveryError, match="MessageRejected"):
        await sender.send(READER, LoginLinkEmail(reset_password_token=TOKEN))
    assert len(ses.calls) == 1
