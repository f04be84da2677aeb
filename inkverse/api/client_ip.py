"""The client's address, believing forwarding headers only from the configured proxies.

Behind Cloudflare and a load balancer the TCP peer is a proxy: when (and only when) the peer is inside
`AUTH_TRUSTED_PROXIES`, Cloudflare's `CF-Connecting-IP` names the client, else the right-most
`X-Forwarded-For` entry that is not itself a trusted proxy. Anyone else's headers are ignored, so a
client cannot pick its own rate-limit bucket.
"""

import ipaddress
from collections.abc import Iterable, Sequence

from starlette.requests import Request

from inkverse.errors import ConfigurationError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


def parse_trusted_proxies(values: Iterable[str]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)
    except ValueError as exc:
        raise ConfigurationError(f"AUTH_TRUSTED_PROXIES: {exc}") from None


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(value: str, trusted: Sequence[Network]) -> bool:
    address = _address(value)
    return address is not None and any(address in network for network in trusted)


def client_ip(request: Request, trusted: Sequence[Network]) -> str:
    peer = request.client.host if request.client else UNKNOWN
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    cloudflare = request.headers.get("cf-connecting-ip", "")
    if _address(cloudflare) is not None:
        return cloudflare.strip()
    forwarded = [
        entry.strip() for value in request.headers.getlist("x-forwarded-for") for entry in value.split(",")
    ]
    for entry in reversed(forwarded):
        if _address(entry) is not None and not _is_trusted(entry, trusted):
            return entry
    return peer


class ClientIpResolver:
    """`client_ip` with the trusted proxies parsed once."""

    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self._trusted = parse_trusted_proxies(trusted_proxies)

    def __call__(self, request: Request) -> str:
        return client_ip(request, self._trusted)
