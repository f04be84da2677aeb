"""Fixtures for webhook processing: a recording purger and a local story-image server."""

import io
from collections.abc import AsyncIterator, Sequence

import pytest
from aiohttp import web
from dishka import AsyncContainer, Provider, Scope
from PIL import Image

from inkverse.cache.purge import CachePurger, Purge
from inkverse.container import build_container
from inkverse.settings import Settings

LOOPBACK = "127.0.0.0/8"


class RecordingPurger:
    def __init__(self) -> None:
        self.purges: list[Purge] = []

    async def purge(self, purges: Sequence[Purge]) -> None:
        self.purges.extend(purges)


class RecordingPurgerProvider(Provider):
    def __init__(self, purger: RecordingPurger) -> None:
        super().__init__(scope=Scope.APP)
        self._purger = purger
        self.provide(self.cache_purger, provides=CachePurger)

    def cache_purger(self) -> RecordingPurger:
        return self._purger


@pytest.fixture
def purger() -> RecordingPurger:
    return RecordingPurger()


@pytest.fixture
async def pipeline(settings: Settings, purger: RecordingPurger) -> AsyncIterator[AsyncContainer]:
    """The container with a purger that records what processing asks to purge. Images are fetched from
    the local image server, so loopback is allow-listed (the address guard is on in tests)."""
    taddy = settings.taddy.model_copy(update={"image_sizing": True, "image_allowed_networks": [LOOPBACK]})
    sizing = settings.model_copy(update={"taddy": taddy})
    container = build_container(sizing, "test", RecordingPurgerProvider(purger))
    yield container
    await container.close()


class ImageServer:
    def __init__(self) -> None:
        self.url = ""
        self.requests = 0
        webp = io.BytesIO()
        Image.new("RGB", (800, 1280)).save(webp, "WEBP")
        self.webp = webp.getvalue()

    async def serve(self, request: web.Request) -> web.Response:
        self.requests += 1
        if request.match_info["name"] == "missing.webp":
            return web.Response(status=404)
        return web.Response(body=self.webp, content_type="image/webp")


@pytest.fixture
async def images() -> AsyncIterator[ImageServer]:
    server = ImageServer()
    app = web.Application()
    app.router.add_get("/{path:.*}/{name}", server.serve)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    server.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    yield server
    await runner.cleanup()
