"""Slack posts against a fake incoming-webhook endpoint: exact payloads, retries, never failing the caller."""

from collections.abc import AsyncIterator

import aiohttp
import pytest
from dishka import AsyncContainer
from structlog.testing import capture_logs

from inkverse.container import build_container
from inkverse.messaging.slack import SlackMessage, SlackNotifier, open_slack_notifier
from inkverse.settings import Settings, SlackSettings
from tests.messaging.conftest import FakeHttpServer

WEBSITE = "https://inkverse.co"


@pytest.fixture
async def slack(fake_http: FakeHttpServer) -> AsyncIterator[SlackNotifier]:
    settings = SlackSettings(webhooks={"general": f"{fake_http.url}/services/T0/B0/general"})
    async with open_slack_notifier(settings, WEBSITE) as notifier:
        yield notifier


async def test_new_comment_is_a_block_kit_section(slack: SlackNotifier, fake_http: FakeHttpServer) -> None:
    slack.post_new_comment(
        username="mira",
        issue_name="Episode 12: Low Water",
        issue_uuid="5c3a1f0e-7b2d-4e8a-9c6f-1d2e3f4a5b6c",
        series_name="The Moon & the Tide",
        series_short_url="moon-and-tide",
        comment_text="Loved the <b>ending</b>!",
    )
    await slack.drain()

    [request] = fake_http.requests
    assert request.method == "POST"
    assert request.path == "/services/T0/B0/general"
    assert request.headers["User-Agent"] == "inkverse-api"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.json() == {
        "text": "NEW COMMENT by mira on The Moon &amp; the Tide",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*NEW COMMENT*\n"
                    "*User:* mira\n"
                    "*Episode:* Episode 12: Low Water\n"
                    "*Series:* The Moon &amp; the Tide\n"
                    "*Content:* Loved the &lt;b&gt;ending&lt;/b&gt;!\n"
                    "<https://inkverse.co/comics/moon-and-tide/episode-12-low-water-"
                    "5c3a1f0e-7b2d-4e8a-9c6f-1d2e3f4a5b6c|View episode>",
                },
            }
        ],
    }


async def test_long_comments_are_cut_to_200_characters(
    slack: SlackNotifier, fake_http: FakeHttpServer
) -> None:
    slack.post_comment_reported(comment_uuid="c-1", comment_text="x" * 250, report_type="COMMENT_SPAM")
    await slack.drain()

    assert fake_http.requests[0].json() == {
        "text": f":warning: COMMENT REPORTED\nComment: {'x' * 200}...\nUUID: c-1\nReport type: COMMENT_SPAM"
    }


async def test_comment_report_with_additional_info(slack: SlackNotifier, fake_http: FakeHttpServer) -> None:
    slack.post_comment_reported(
        comment_uuid="c-2", comment_text="rude", report_type="COMMENT_MEAN_OR_RUDE", additional_info="again"
    )
    await slack.drain()

    assert fake_http.requests[0].json() == {
        "text": ":warning: COMMENT REPORTED\nComment: rude\nUUID: c-2\n"
        "Report type: COMMENT_MEAN_OR_RUDE\nAdditional info: again"
    }


async def test_comic_series_report(slack: SlackNotifier, fake_http: FakeHttpServer) -> None:
    slack.post_comic_series_reported(
        series_uuid="s-1", series_name="Spam <3", report_type="COMICSERIES_IS_SPAM"
    )
    await slack.drain()

    assert fake_http.requests[0].json() == {
        "text": ":warning: COMIC SERIES REPORTED\nName: Spam &lt;3\nUUID: s-1\n"
        "Report type: COMICSERIES_IS_SPAM"
    }


async def test_creator_claims(slack: SlackNotifier, fake_http: FakeHttpServer) -> None:
    slack.post_creator_claim_approved(creator_uuid="cr-1", username="ada")
    await slack.drain()
    slack.post_creator_claim_rejected(creator_uuid="cr-2", username="bob")
    await slack.drain()

    assert [request.json() for request in fake_http.requests] == [
        {
            "text": ":white_check_mark: CREATOR CLAIM APPROVED\nCreator UUID: cr-1\nUser: https://inkverse.co/ada"
        },
        {"text": ":x: CREATOR CLAIM REJECTED\nCreator UUID: cr-2\nUser: https://inkverse.co/bob"},
    ]


async def test_rate_limits_are_retried(slack: SlackNotifier, fake_http: FakeHttpServer) -> None:
    fake_http.respond(429, "rate_limited", {"Retry-After": "0"})

    accepted = await slack.send("general", slack_message("hello"))

    assert accepted
    assert len(fake_http.requests) == 2


async def test_a_refusal_is_logged_not_raised(slack: SlackNotifier, fake_http: FakeHttpServer) -> None:
    fake_http.respond(404, "no_service")

    with capture_logs() as logs:
        accepted = await slack.send("general", slack_message("hello"))

    assert not accepted
    assert any(entry["event"] == "slack.refused" and entry["status"] == 404 for entry in logs)


async def test_an_unreachable_slack_is_logged_not_raised() -> None:
    settings = SlackSettings(webhooks={"general": "http://127.0.0.1:9/unreachable"})
    async with aiohttp.ClientSession() as http:
        notifier = SlackNotifier(settings, WEBSITE, http, retry_handlers=[])
        with capture_logs() as logs:
            notifier.post_comic_series_reported(series_uuid="s", series_name="n", report_type="t")
            await notifier.drain()

    assert [entry["event"] for entry in logs] == ["slack.failed"]


async def test_an_unconfigured_channel_logs_the_message_instead() -> None:
    async with open_slack_notifier(SlackSettings(), WEBSITE) as notifier:
        with capture_logs() as logs:
            notifier.post_creator_claim_approved(creator_uuid="cr-1", username="ada")
            await notifier.drain()

    assert logs == [
        {
            "event": "slack.not_configured",
            "log_level": "info",
            "channel": "general",
            "text": ":white_check_mark: CREATOR CLAIM APPROVED\nCreator UUID: cr-1\nUser: https://inkverse.co/ada",
        }
    ]


async def test_the_container_notifier_waits_for_posts_in_flight_on_close(
    settings: Settings, fake_http: FakeHttpServer
) -> None:
    configured = settings.model_copy(
        update={"slack": SlackSettings(webhooks={"general": f"{fake_http.url}/hook"})}
    )
    container: AsyncContainer = build_container(configured, "test")
    notifier = await container.get(SlackNotifier)

    notifier.post_comic_series_reported(
        series_uuid="s-9", series_name="Nine", report_type="COMICSERIES_IS_SPAM"
    )
    await container.close()

    assert [request.path for request in fake_http.requests] == ["/hook"]


def slack_message(text: str) -> SlackMessage:
    return SlackMessage(text=text)
