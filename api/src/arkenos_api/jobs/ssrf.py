"""The API's own guard against server-side request forgery by outgoing webhooks.

The API and the agent runtime cannot import each other (import-linter), so this is the API's
guard, written to the same rules as the runtime's HTTP tools: resolve the host once, refuse if
any address is loopback, private, link-local (cloud metadata), multicast, reserved or otherwise
not global, refuse cluster-internal names, and connect to the pinned address (TLS still checks
the certificate against the host name). Redirects are re-checked hop by hop by the caller."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

#: Names that only mean something inside a cluster.
CLUSTER_SUFFIXES = (".svc", ".cluster.local", ".internal", ".local", ".localhost")
CLUSTER_NAMES = frozenset({"localhost", "kubernetes", "metadata", "metadata.google.internal"})


class RefusedTarget(Exception):
    """The URL may not be called from the platform."""


@dataclass(frozen=True)
class PinnedTarget:
    url: httpx.URL  # the original URL with its host replaced by the pinned address
    host: str  # the name the receiver is asked for (TLS server name)
    host_header: str  # the Host header: the name, and the port when not the default


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address, loopback: bool) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return loopback
    return address.is_global and not address.is_multicast


def _literal(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address] | None:
    """The address a host that is an IP literal names (no resolver thread for it)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        return None


async def pin(url: str, *, allow_loopback: bool) -> PinnedTarget:
    """Resolve ``url``'s host once and return the URL pinned to a permitted address."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise RefusedTarget(f"invalid URL: {exc}") from exc
    if parsed.scheme != "https":
        raise RefusedTarget("only https URLs are called")
    host = parsed.host.lower().rstrip(".")
    if not host or host in CLUSTER_NAMES or host.endswith(CLUSTER_SUFFIXES):
        raise RefusedTarget(f"{host or 'an empty host'} is a cluster-internal name")
    port = parsed.port or 443
    addresses = _literal(host)
    if addresses is None:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM
            )
        except socket.gaierror as exc:
            raise RefusedTarget(f"{host} does not resolve: {exc.strerror}") from exc
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    # Every address must pass: a name that also resolves inside is refused whole.
    for address in addresses:
        if not _allowed(address, allow_loopback):
            raise RefusedTarget(f"{host} resolves to {address}, which is not a public address")
    if not addresses:
        raise RefusedTarget(f"{host} has no address")
    header = host if parsed.port is None else f"{host}:{parsed.port}"
    return PinnedTarget(url=parsed.copy_with(host=str(addresses[0])), host=host, host_header=header)
