"""Send e-mails through SES v2 as raw MIME (multipart/alternative), so the HTML and text parts both travel."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, parseaddr
from pathlib import Path

import aioboto3
import email_validator
import structlog
from aiobotocore.config import AioConfig
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter
from types_aiobotocore_sesv2 import SESV2Client

from inkverse.errors import ConfigurationError, EmailDeliveryError, ValidationError
from inkverse.messaging.email.messages import Email
from inkverse.messaging.email.rendering import EmailRenderer, RenderedEmail
from inkverse.settings import AwsSettings, EmailSettings, Environment, ServerSettings

log = structlog.get_logger(__name__)

_THROTTLING_CODES = frozenset({"TooManyRequestsException", "Throttling", "ThrottlingException"})

# Retries belong to tenacity alone (throttling with backoff); botocore's own would multiply them.
_SES_CONFIG = AioConfig(connect_timeout=5, read_timeout=30, retries={"max_attempts": 1, "mode": "standard"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    initial_wait_seconds: float = 0.5
    max_wait_seconds: float = 10.0


def validate_address(address: str, field: str = "to") -> str:
    """The normalized address, or `ValidationError` naming `field` and the reason."""
    try:
        valid = email_validator.validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except email_validator.EmailNotValidError as exc:
        raise ValidationError(field, str(exc)) from None
    return valid.ascii_email or valid.normalized


def build_mime(sender: str, to: str, email: RenderedEmail) -> bytes:
    message = EmailMessage()
    message["Subject"] = email.subject
    message["From"] = sender
    message["Reply-To"] = sender
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message.as_bytes(policy=SMTP)


def _check_sender(sender: str) -> None:
    try:
        validate_address(parseaddr(sender)[1], field="EMAIL_SENDER")
    except ValidationError as exc:
        raise ConfigurationError(f"EMAIL_SENDER: {exc.reason}") from None


def _is_retryable(error: BaseException) -> bool:
    # A refused connection never reached SES, so retrying cannot send the message twice.
    if isinstance(error, EndpointConnectionError):
        return True
    return isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") in _THROTTLING_CODES


class EmailSender:
    """Renders an `Email` and sends it to one recipient; failures raise `EmailDeliveryError`."""

    def __init__(
        self,
        ses: SESV2Client,
        renderer: EmailRenderer,
        sender: str,
        retry: RetryPolicy = RetryPolicy(),
        mail_dir: Path | None = None,
    ) -> None:
        _check_sender(sender)
        self._mail_dir = mail_dir
        self._ses = ses
        self._renderer = renderer
        self._sender = sender
        self._retry = retry

    @property
    def renderer(self) -> EmailRenderer:
        return self._renderer

    async def send(self, to: str, email: Email) -> str:
        """Send `email` to `to`; returns the SES message id."""
        recipient = validate_address(to)
        raw = build_mime(self._sender, recipient, self._renderer.render(email))
        message_id = await self._send_raw(raw, email.template)
        log.info("email.sent", template=email.template, message_id=message_id)
        if self._mail_dir is not None:
            await asyncio.to_thread(self._keep_copy, raw, email.template, message_id)
        return message_id

    def _keep_copy(self, raw: bytes, template: str, message_id: str) -> None:
        """Development: every message sent is also an .eml file a person can open."""
        assert self._mail_dir is not None
        self._mail_dir.mkdir(parents=True, exist_ok=True)
        path = self._mail_dir / f"{time.strftime('%Y%m%d-%H%M%S')}-{template}-{message_id[:12]}.eml"
        path.write_bytes(raw)
        log.info("email.saved", path=str(path))

    async def _send_raw(self, raw: bytes, template: str) -> str:
        retrying = AsyncRetrying(
            retry=retry_if_exception(_is_retryable),
            stop=stop_after_attempt(self._retry.attempts),
            wait=wait_exponential_jitter(
                multiplier=self._retry.initial_wait_seconds,
                max=self._retry.max_wait_seconds,
                jitter=self._retry.initial_wait_seconds,
            ),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    response = await self._ses.send_email(
                        FromEmailAddress=self._sender, Content={"Raw": {"Data": raw}}
                    )
        except (ClientError, BotoCoreError) as exc:
            log.warning("email.failed", template=template, error=str(exc))
            raise EmailDeliveryError(f"SES did not send the {template} e-mail: {exc}") from exc
        return response["MessageId"]


@asynccontextmanager
async def open_email_sender(
    session: aioboto3.Session, aws: AwsSettings, settings: EmailSettings, server: ServerSettings
) -> AsyncIterator[EmailSender]:
    client: SESV2Client
    async with session.client("sesv2", endpoint_url=aws.endpoint_for("ses"), config=_SES_CONFIG) as client:
        mail_dir = server.data_dir / "mail" if server.env is Environment.DEVELOPMENT else None
        yield EmailSender(client, EmailRenderer(server.website_url), settings.sender, mail_dir=mail_dir)
