"""The SSRF guard for HTTP tools: which addresses a tool may reach, and a request function
that connects only to an address it checked.

A URL's host is resolved once; every address it resolves to must be public (not loopback,
private, link-local, shared/CGNAT, multicast, reserved, the cluster's service and pod ranges,
or a cloud metadata address). The request then goes to that very address, with the original
Host header and TLS server name, so a DNS answer that changes between check and connect
(rebinding) cannot redirect it. Redirects are followed by hand, and each hop is checked again.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

#: Cloud instance metadata endpoints (AWS, GCP, Azure, OpenStack; ECS; Alibaba; AWS IPv6).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
#: Carrier-grade NAT space is not "private" to Python but is internal on many clusters.
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")
MAX_REDIRECTS = 5


class BlockedAddressError(Exception):
    """The tool's URL (or a redirect) points at an address tools may not reach."""


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def refusal(address: IPAddress, cluster_networks: Sequence[IPNetwork]) -> str | None:
    """Why ``address`` may not be reached, or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if any(address in network for network in cluster_networks):
        return "inside the cluster's service network"
    checks = (
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address in SHARED_ADDRESS_SPACE, "a shared (CGNAT) address"),
        (address.is_private, "a private address"),
        (address.is_multicast, "a multicast address"),
        (address.is_unspecified, "an unspecified address"),
        (address.is_reserved, "a reserved address"),
    )
    return next((why for blocked, why in checks if blocked), None)


@dataclass(frozen=True)
class SSRFGuard:
    cluster_networks: tuple[IPNetwork, ...] = ()
    #: Explicit exceptions (tests, local development). Never metadata addresses.
    allowed_networks: tuple[IPNetwork, ...] = ()
    resolver: Resolver = system_resolver

    async def check(self, host: str, port: int) -> IPAddress:
        """Resolve ``host`` and return the address to connect to, or raise if any is refused."""
        try:
            literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None:
            candidates = [literal]
        else:
            try:
                candidates = [ipaddress.ip_address(a) for a in await self.resolver(host, port)]
            except OSError as exc:
                raise BlockedAddressError(f"cannot resolve {host}: {exc}") from exc
        if not candidates:
            raise BlockedAddressError(f"{host} resolves to no address")
        for address in candidates:
            self._refuse_if_blocked(host, address)
        return candidates[0]

    def _refuse_if_blocked(self, host: str, address: IPAddress) -> None:
        if address not in METADATA_ADDRESSES and any(
            address in network for network in self.allowed_networks
        ):
            return
        why = refusal(address, self.cluster_networks)
        if why is not None:
            shown = host if host == str(address) else f"{host} ({address})"
            raise BlockedAddressError(f"refusing to call {shown}: {why}")


@dataclass(frozen=True)
class GuardedResponse:
    status: int
    body: bytes
    truncated: bool
    url: str


async def guarded_request(
    client: httpx.AsyncClient,
    guard: SSRFGuard,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    params: dict[str, Any] | None = None,
    json_body: Any = None,
    max_bytes: int,
) -> GuardedResponse:
    """Send a request through the guard, following redirects by hand, reading at most
    ``max_bytes`` of the body. ``client`` must not follow redirects itself."""
    for _ in range(MAX_REDIRECTS + 1):
        target = httpx.URL(url, params=params)
        if target.scheme not in {"http", "https"}:
            raise BlockedAddressError(f"refusing to call {target.scheme}: URLs")
        port = target.port or (443 if target.scheme == "https" else 80)
        address = await guard.check(target.host, port)
        pinned = target.copy_with(host=str(address))
        request = client.build_request(
            method,
            pinned,
            headers={**headers, "Host": target.netloc.decode("ascii")},
            json=json_body,
            extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
        )
        response = await client.send(request, stream=True)
        try:
            if response.is_redirect and "location" in response.headers:
                url = str(target.join(response.headers["location"]))
                params = None
                if response.status_code == 303 or (
                    response.status_code in {301, 302} and method != "GET"
                ):
                    method, json_body = "GET", None
                continue
            body, truncated = await _read_capped(response, max_bytes)
            return GuardedResponse(response.status_code, body, truncated, str(target))
        finally:
            await response.aclose()
    raise BlockedAddressError(f"more than {MAX_REDIRECTS} redirects")


async def _read_capped(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"".join(chunks)[:max_bytes], True
    return b"".join(chunks), False
