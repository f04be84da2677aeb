"""Fake HTTP endpoints (Slack webhooks, EmailOctopus) on 127.0.0.1; moto's SES with a verified sender."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

import aioboto3
import httpx
import pytest
from aiohttp import web
from dishka import AsyncContainer
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

from inkverse.settings import Settings
from tests.fixtures.services import Services


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class CannedResponse:
    status: int
    text: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeHttpServer:
    """Records every request; answers with the queued responses, then `200 ok`."""

    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    queued: list[CannedResponse] = field(default_factory=list)

    def respond(self, status: int, text: str = "", headers: dict[str, str] | None = None) -> None:
        self.queued.append(CannedResponse(status, text, headers or {}))

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(
            RecordedRequest(request.method, request.path, dict(request.headers), await request.read())
        )
        answer = self.queued.pop(0) if self.queued else CannedResponse(200, "ok")
        return web.Response(status=answer.status, text=answer.text, headers=answer.headers)


@pytest.fixture
async def fake_http() -> AsyncIterator[FakeHttpServer]:
    server = FakeHttpServer()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    server.url = f"http://{host}:{port}"
    yield server
    await runner.cleanup()


@pytest.fixture
async def moto_reset(services: Services) -> AsyncIterator[None]:
    yield
    async with httpx.AsyncClient() as http:
        await http.post(f"{services.aws_url}/moto-api/reset")


@pytest.fixture
async def verified_sender(container: AsyncContainer, settings: Settings, moto_reset: None) -> str:
    """The configured sender, verified on moto's SES (v2 API)."""
    address = parseaddr(settings.email.sender)[1]
    session = await container.get(aioboto3.Session)
    async with session.client("sesv2", endpoint_url=settings.aws.endpoint_for("ses")) as ses:
        await ses.create_email_identity(EmailIdentity=address)
    return address


def ses_backend(settings: Settings) -> Any:
    """moto's in-process SES state (the server runs in this process)."""
    return get_backend("ses")[DEFAULT_ACCOUNT_ID][settings.aws.region]
