"""Network fences for the SSRF tests, so that a bug in the guard makes a test fail instead of
letting a request leave the machine: a transport that connects only to loopback literals, and
a resolver that answers only the names a test declares."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import httpx


class UnexpectedLookupError(AssertionError):
    """A name the test did not declare was looked up: not an OSError, so nothing mistakes it
    for an ordinary resolution failure."""


@dataclass
class LoopbackOnlyTransport(httpx.AsyncBaseTransport):
    """Forwards requests whose host is a loopback IP literal; refuses (and records) every
    other one without opening a socket."""

    refused: list[str] = field(default_factory=list)
    _inner: httpx.AsyncHTTPTransport = field(default_factory=httpx.AsyncHTTPTransport)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False  # a name: the guard should have pinned an address
        if not loopback:
            self.refused.append(str(request.url))
            raise httpx.ConnectError(
                f"test transport refuses to connect to {host}", request=request
            )
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class DeclaredResolver:
    """Answers from ``table`` only; any other name is a test failure."""

    table: dict[str, list[str]]
    lookups: list[str] = field(default_factory=list)

    async def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host not in self.table:
            raise UnexpectedLookupError(f"the test did not declare the name {host}")
        return self.table[host]
