"""The client's address as far as the API can trust it: the peer, or, when the peer is a
configured reverse proxy, the last X-Forwarded-For hop that is not one of those proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(cidrs: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(request: Request, proxies: tuple[Network, ...]) -> str:
    """The peer's address, unless the peer is a trusted proxy.

    Behind trusted proxies the header is read from the right: each proxy appends the address
    it saw, so the rightmost hop that is not a trusted proxy is the first one nobody could
    forge. Without trusted proxies (the default) the header is ignored entirely.
    """
    peer = request.client.host if request.client else "unknown"
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _trusted(hop, proxies):
            return hop[:64]
    return peer
