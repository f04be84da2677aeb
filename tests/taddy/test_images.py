"""Story image sizing against a local image server: formats, failures, the address guard."""

import asyncio
import io
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from PIL import Image

from inkverse.container import build_container
from inkverse.settings import Environment, ServerSettings, Settings
from inkverse.taddy.images import ImageSizer, make_image_session, parse_networks


def image_bytes(fmt: str, size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
async def image_server() -> AsyncIterator[str]:
    files = {
        "story.webp": image_bytes("WEBP", (800, 1280)),
        "story.jpg": image_bytes("JPEG", (690, 4000)),
        "story.png": image_bytes("PNG", (1, 2)),
    }
    teardown = asyncio.Event()

    async def serve(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name == "slow.webp":
            await teardown.wait()  # answers only when the test is over: slower than any deadline
        if name == "redirect.webp":
            raise web.HTTPFound(location="/story.webp")
        if name == "text.webp":
            return web.Response(text="not an image " * 100)
        if name not in files:
            return web.Response(status=404)
        return web.Response(body=files[name], content_type="image/webp")

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    teardown.set()
    await runner.cleanup()


@pytest.fixture
async def sizer() -> AsyncIterator[ImageSizer]:
    # A deadline no local fetch reaches, even on a loaded machine; the slow image has its own test.
    async with aiohttp.ClientSession() as http:
        yield ImageSizer(http, public_only=False, timeout_seconds=30)


async def test_sizes_of_common_formats(sizer: ImageSizer, image_server: str) -> None:
    sizes = await sizer.measure_all(
        {
            "a": f"{image_server}/story.webp",
            "b": f"{image_server}/story.jpg",
            "c": f"{image_server}/story.png",
        }
    )
    assert sizes == {"a": (800, 1280), "b": (690, 4000), "c": (1, 2)}


@pytest.mark.parametrize("name", ["missing.webp", "text.webp"])
async def test_failures_leave_the_story_unsized(sizer: ImageSizer, image_server: str, name: str) -> None:
    sizes = await sizer.measure_all({"ok": f"{image_server}/story.webp", "bad": f"{image_server}/{name}"})
    assert sizes == {"ok": (800, 1280)}


async def test_an_image_slower_than_its_deadline_is_unsized(image_server: str) -> None:
    async with aiohttp.ClientSession() as http:
        sizer = ImageSizer(http, public_only=False, timeout_seconds=0.2)
        assert await sizer.measure(f"{image_server}/slow.webp") is None


async def test_unreachable_host_is_unsized(sizer: ImageSizer) -> None:
    assert await sizer.measure("http://127.0.0.1:9/story.webp") is None


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_private_hosts_are_refused_outside_development(image_server: str, host: str) -> None:
    url = image_server.replace("127.0.0.1", host) + "/story.webp"
    async with make_image_session(public_only=True, allowed=[]) as http:
        assert await ImageSizer(http, public_only=True).measure(url) is None


@pytest.mark.parametrize(
    ("env", "size"),
    [(Environment.DEVELOPMENT, (800, 1280)), (Environment.TEST, None), (Environment.PRODUCTION, None)],
)
async def test_the_guard_is_on_everywhere_but_development(
    settings: Settings, image_server: str, env: Environment, size: tuple[int, int] | None
) -> None:
    container = build_container(settings.model_copy(update={"server": ServerSettings(env=env)}), "test")
    try:
        sizer = await container.get(ImageSizer)
        assert await sizer.measure(f"{image_server}/story.webp") == size
    finally:
        await container.close()


async def test_allow_listed_network_is_fetched(image_server: str) -> None:
    allowed = parse_networks(["127.0.0.0/8"])
    async with make_image_session(public_only=True, allowed=allowed) as http:
        sizer = ImageSizer(http, public_only=True, allowed_networks=allowed)
        assert await sizer.measure(f"{image_server}/story.webp") == (800, 1280)


async def test_redirects_are_not_followed(sizer: ImageSizer, image_server: str) -> None:
    """A redirect could lead to an address the guard refuses; the image is left unsized instead."""
    assert await sizer.measure(f"{image_server}/redirect.webp") is None
