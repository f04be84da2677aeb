"""Story image sizing: download only as much of each image as its header needs, read width and height.

Sizing never fails the caller: a download or parse failure leaves that story unsized and is logged.
Outside development, hosts on loopback, private or otherwise non-public addresses are refused (so a
crafted payload cannot make the worker probe the internal network) unless allow-listed.
"""

import asyncio
import io
import ipaddress
import socket
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import imagesize
import structlog
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

log = structlog.get_logger(__name__)

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
CHUNK_BYTES = 16_384


class ImageHostRefusedError(aiohttp.ClientError):
    """The image's host resolves to an address images may not be fetched from."""


def address_allowed(address: str, allowed: Sequence[IpNetwork]) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global or any(ip in network for network in allowed)


class PublicOnlyResolver(AbstractResolver):
    """Resolves like aiohttp's default resolver, then refuses non-public addresses."""

    def __init__(self, allowed: Sequence[IpNetwork]) -> None:
        self._inner = DefaultResolver()
        self._allowed = list(allowed)

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            if not address_allowed(result["host"], self._allowed):
                raise ImageHostRefusedError(f"{host} resolves to a non-public address")
        return results

    async def close(self) -> None:
        await self._inner.close()


def parse_networks(values: Sequence[str]) -> list[IpNetwork]:
    return [ipaddress.ip_network(value, strict=False) for value in values]


class ImageSizer:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        public_only: bool,
        allowed_networks: Sequence[IpNetwork] = (),
        concurrency: int = 4,
        timeout_seconds: float = 5.0,
        max_bytes: int = 262_144,
    ) -> None:
        self._http = http
        self._public_only = public_only
        self._allowed = list(allowed_networks)
        self._slots = asyncio.Semaphore(concurrency)
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._max_bytes = max_bytes

    async def measure_all(self, urls: Mapping[str, str]) -> dict[str, tuple[int, int]]:
        """Sizes by key (e.g. story uuid) for every image that could be measured."""
        keys = list(urls)
        sizes = await asyncio.gather(*(self.measure(urls[key]) for key in keys))
        return {key: size for key, size in zip(keys, sizes, strict=True) if size is not None}

    async def measure(self, url: str) -> tuple[int, int] | None:
        async with self._slots:
            try:
                self._check_literal_host(url)
                return await self._read_size(url)
            except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
                log.warning("images.size_failed", url=url, error=f"{type(exc).__name__}: {exc}")
                return None

    def _check_literal_host(self, url: str) -> None:
        # aiohttp does not consult the resolver for IP literals, so check those here.
        host = urlsplit(url).hostname or ""
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            return
        if self._public_only and not address_allowed(str(literal), self._allowed):
            raise ImageHostRefusedError(f"{host} is not a public address")

    async def _read_size(self, url: str) -> tuple[int, int] | None:
        buffer = bytearray()
        # Redirects are not followed: the next hop could point at an address the guard would refuse.
        async with self._http.get(url, timeout=self._timeout, allow_redirects=False) as response:
            response.raise_for_status()
            async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                buffer.extend(chunk)
                size = header_size(buffer)
                if size is not None:
                    return size
                if len(buffer) >= self._max_bytes:
                    raise ValueError(f"no image header in the first {self._max_bytes} bytes")
        raise ValueError("not an image format with a readable header")


def header_size(data: bytes | bytearray) -> tuple[int, int] | None:
    try:
        width, height = imagesize.get(io.BytesIO(bytes(data)))
    except (ValueError, OSError, IndexError):
        return None
    return (int(width), int(height)) if width > 0 and height > 0 else None


def make_image_session(public_only: bool, allowed: Sequence[IpNetwork]) -> aiohttp.ClientSession:
    """The HTTP session image downloads go through, with the address guard when `public_only`."""
    connector_args: dict[str, Any] = {"limit": 32}
    if public_only:
        connector_args["resolver"] = PublicOnlyResolver(allowed)
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(**connector_args))
