"""The mailing list against a fake EmailOctopus API v2: wire format, retries, errors, not configured."""

from collections.abc import AsyncIterator

import aiohttp
import pytest
from dishka import AsyncContainer
from pydantic import SecretStr

from inkverse.errors import MailingListError
from inkverse.messaging.octopus import MailingList
from inkverse.settings import EmailSettings
from tests.messaging.conftest import FakeHttpServer

API_KEY = "eo_test_key"
LIST_ID = "00000000-0000-0000-0000-0000000000aa"


@pytest.fixture
async def mailing_list(fake_http: FakeHttpServer) -> AsyncIterator[MailingList]:
    settings = EmailSettings(
        octopus_api_url=f"{fake_http.url}/",
        octopus_api_key=SecretStr(API_KEY),
        lists={"signup": LIST_ID},
    )
    async with aiohttp.ClientSession() as http:
        yield MailingList(http, settings, wait_seconds=0.01)


async def test_subscribe_posts_the_contact(mailing_list: MailingList, fake_http: FakeHttpServer) -> None:
    await mailing_list.subscribe("reader@example.com")

    [request] = fake_http.requests
    assert request.method == "POST"
    assert request.path == f"/lists/{LIST_ID}/contacts"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {"email_address": "reader@example.com", "status": "subscribed"}


async def test_unsubscribe_puts_the_contact_with_authorization(
    mailing_list: MailingList, fake_http: FakeHttpServer
) -> None:
    await mailing_list.unsubscribe("reader@example.com")

    [request] = fake_http.requests
    assert request.method == "PUT"
    assert request.path == f"/lists/{LIST_ID}/contacts"
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.json() == {"email_address": "reader@example.com", "status": "unsubscribed"}


async def test_a_contact_already_on_the_list_is_fine(
    mailing_list: MailingList, fake_http: FakeHttpServer
) -> None:
    fake_http.respond(409, '{"type": "https://emailoctopus.com/api-documentation/v2#member-exists"}')

    await mailing_list.subscribe("reader@example.com")

    assert len(fake_http.requests) == 1


async def test_server_errors_and_rate_limits_are_retried(
    mailing_list: MailingList, fake_http: FakeHttpServer
) -> None:
    fake_http.respond(503, "busy")
    fake_http.respond(429, "slow down")

    await mailing_list.subscribe("reader@example.com")

    assert len(fake_http.requests) == 3


async def test_persistent_failure_is_a_mailing_list_error(
    mailing_list: MailingList, fake_http: FakeHttpServer
) -> None:
    for _ in range(3):
        fake_http.respond(500, "down")

    with pytest.raises(MailingListError, match="500"):
        await mailing_list.subscribe("reader@example.com")
    assert len(fake_http.requests) == 3


async def test_a_refusal_is_not_retried(mailing_list: MailingList, fake_http: FakeHttpServer) -> None:
    fake_http.respond(422, '{"title": "Invalid email address"}')

    with pytest.raises(MailingListError, match="422"):
        await mailing_list.subscribe("not-an-address")
    assert len(fake_http.requests) == 1


async def test_without_key_or_list_nothing_is_sent(
    container: AsyncContainer, fake_http: FakeHttpServer
) -> None:
    mailing_list = await container.get(MailingList)

    await mailing_list.subscribe("reader@example.com")
    await mailing_list.unsubscribe("reader@example.com")

    assert fake_http.requests == []
