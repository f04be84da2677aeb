"""Slack: the events the team watches, posted to incoming webhooks (`SLACK_WEBHOOKS`, channel `general`).

Every post runs in the background and never fails or delays the caller: a channel without a webhook
logs the message instead, and an error is logged after slack-sdk's retries (rate limits, 5xx,
dropped connections). The formats are the original's (`messaging/slack.ts`).
"""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import structlog
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock
from slack_sdk.webhook.async_client import AsyncWebhookClient

from inkverse.messaging import links
from inkverse.settings import SlackSettings

log = structlog.get_logger(__name__)

GENERAL = "general"
TIMEOUT = aiohttp.ClientTimeout(total=5)
USER_AGENT = "inkverse-api"
PREVIEW_LENGTH = 200
_CLOSE_TIMEOUT_SECONDS = 10.0
_SUCCESS = range(200, 300)


@dataclass(frozen=True, slots=True)
class SlackMessage:
    text: str
    blocks: tuple[Block, ...] = ()


def escape(text: str) -> str:
    """Slack's mrkdwn escaping, so user text cannot forge links or mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def preview(text: str) -> str:
    return text if len(text) <= PREVIEW_LENGTH else f"{text[:PREVIEW_LENGTH]}..."


def new_comment_message(
    *, username: str, issue_name: str, series_name: str, comment_text: str, episode_url: str
) -> SlackMessage:
    lines = [
        "*NEW COMMENT*",
        f"*User:* {escape(username)}",
        f"*Episode:* {escape(issue_name)}",
        f"*Series:* {escape(series_name)}",
        f"*Content:* {escape(preview(comment_text))}",
        f"<{episode_url}|View episode>",
    ]
    section = SectionBlock(text=MarkdownTextObject(text="\n".join(lines)))
    return SlackMessage(text=f"NEW COMMENT by {escape(username)} on {escape(series_name)}", blocks=(section,))


def comment_reported_message(
    *, comment_uuid: str, comment_text: str, report_type: str, additional_info: str | None
) -> SlackMessage:
    lines = [
        ":warning: COMMENT REPORTED",
        f"Comment: {escape(preview(comment_text))}",
        f"UUID: {comment_uuid}",
        f"Report type: {report_type}",
    ]
    if additional_info:
        lines.append(f"Additional info: {escape(additional_info)}")
    return SlackMessage(text="\n".join(lines))


def comic_series_reported_message(*, series_uuid: str, series_name: str, report_type: str) -> SlackMessage:
    lines = [
        ":warning: COMIC SERIES REPORTED",
        f"Name: {escape(series_name)}",
        f"UUID: {series_uuid}",
        f"Report type: {report_type}",
    ]
    return SlackMessage(text="\n".join(lines))


def creator_claim_message(*, approved: bool, creator_uuid: str, profile_url: str) -> SlackMessage:
    heading = ":white_check_mark: CREATOR CLAIM APPROVED" if approved else ":x: CREATOR CLAIM REJECTED"
    return SlackMessage(text=f"{heading}\nCreator UUID: {creator_uuid}\nUser: {profile_url}")


def default_retry_handlers() -> list[AsyncRetryHandler]:
    return [
        AsyncConnectionErrorRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        AsyncServerErrorRetryHandler(),
    ]


class SlackNotifier:
    """One method per event; each posts in the background. `aclose()` waits for what is in flight."""

    def __init__(
        self,
        settings: SlackSettings,
        website_url: str,
        http: aiohttp.ClientSession,
        retry_handlers: Sequence[AsyncRetryHandler] | None = None,
    ) -> None:
        self._webhooks = settings.webhooks
        self._website_url = website_url
        self._http = http
        self._retry_handlers = (
            list(retry_handlers) if retry_handlers is not None else default_retry_handlers()
        )
        self._in_flight: set[asyncio.Task[bool]] = set()

    def post_new_comment(
        self,
        *,
        username: str,
        issue_name: str,
        issue_uuid: str,
        series_name: str,
        series_short_url: str,
        comment_text: str,
    ) -> None:
        episode_url = links.issue_url(self._website_url, series_short_url, issue_name, issue_uuid)
        message = new_comment_message(
            username=username,
            issue_name=issue_name,
            series_name=series_name,
            comment_text=comment_text,
            episode_url=episode_url,
        )
        self.send_in_background(GENERAL, message)

    def post_comment_reported(
        self, *, comment_uuid: str, comment_text: str, report_type: str, additional_info: str | None = None
    ) -> None:
        message = comment_reported_message(
            comment_uuid=comment_uuid,
            comment_text=comment_text,
            report_type=report_type,
            additional_info=additional_info,
        )
        self.send_in_background(GENERAL, message)

    def post_comic_series_reported(self, *, series_uuid: str, series_name: str, report_type: str) -> None:
        message = comic_series_reported_message(
            series_uuid=series_uuid, series_name=series_name, report_type=report_type
        )
        self.send_in_background(GENERAL, message)

    def post_creator_claim_approved(self, *, creator_uuid: str, username: str) -> None:
        self._post_creator_claim(approved=True, creator_uuid=creator_uuid, username=username)

    def post_creator_claim_rejected(self, *, creator_uuid: str, username: str) -> None:
        self._post_creator_claim(approved=False, creator_uuid=creator_uuid, username=username)

    def _post_creator_claim(self, *, approved: bool, creator_uuid: str, username: str) -> None:
        profile_url = links.profile_url(self._website_url, username)
        message = creator_claim_message(approved=approved, creator_uuid=creator_uuid, profile_url=profile_url)
        self.send_in_background(GENERAL, message)

    def send_in_background(self, channel: str, message: SlackMessage) -> None:
        task = asyncio.get_running_loop().create_task(self.send(channel, message))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def send(self, channel: str, message: SlackMessage) -> bool:
        """Post now; True when Slack accepted it. Never raises."""
        url = self._webhooks.get(channel)
        if not url:
            log.info("slack.not_configured", channel=channel, text=message.text)
            return False
        client = AsyncWebhookClient(url, session=self._http, retry_handlers=self._retry_handlers)
        try:
            response = await client.send(
                text=message.text, blocks=list(message.blocks) or None, headers={"User-Agent": USER_AGENT}
            )
        except Exception as exc:  # noqa: BLE001 - Slack must never fail the caller
            log.warning("slack.failed", channel=channel, error=repr(exc))
            return False
        if response.status_code not in _SUCCESS:
            log.warning("slack.refused", channel=channel, status=response.status_code, body=response.body)
            return False
        return True

    async def drain(self) -> None:
        """Wait until every background post has finished."""
        while self._in_flight:
            await asyncio.gather(*self._in_flight)

    async def aclose(self) -> None:
        try:
            async with asyncio.timeout(_CLOSE_TIMEOUT_SECONDS):
                await self.drain()
        except TimeoutError:
            for task in self._in_flight:
                task.cancel()
            log.warning("slack.dropped_on_close", count=len(self._in_flight))


@asynccontextmanager
async def open_slack_notifier(settings: SlackSettings, website_url: str) -> AsyncIterator[SlackNotifier]:
    """A notifier with its own HTTP session (Slack's 5 s timeout); on exit, waits for posts in flight."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        notifier = SlackNotifier(settings, website_url, http)
        try:
            yield notifier
        finally:
            await notifier.aclose()
