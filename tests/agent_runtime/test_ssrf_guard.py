"""The SSRF guard refuses internal addresses, names that resolve to them, and redirects to
them; it connects to the address it checked while keeping the Host header.

Requests go through a transport that connects only to loopback literals and names resolve
only from each test's own table (tests/agent_runtime/loopback_only.py): with a check removed
from the guard, a test fails on the fence instead of reaching 169.254.169.254 for real."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

import httpx
import pytest
from aiohttp import web

from arkenos_agent_runtime.tools.ssrf import BlockedAddressError, SSRFGuard, guarded_request
from tests.agent_runtime.loopback_only import DeclaredResolver, LoopbackOnlyTransport
from tests.doubles.server import serve_aiohttp

CLUSTER = (ipaddress.ip_network("10.96.0.0/12"),)
LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.1.10", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.10.1", "link-local"),
        ("100.64.0.7", "shared"),
        ("10.96.0.1", "service network"),
    ],
)
async def test_refuses_internal_addresses(host: str, reason: str) -> None:
    with pytest.raises(BlockedAddressError, match=reason):
        await SSRFGuard(cluster_networks=CLUSTER).check(host, 80)


async def test_refuses_a_name_that_resolves_to_a_private_address() -> None:
    guard = SSRFGuard(resolver=DeclaredResolver({"crm.example.com": ["93.184.216.34", "10.0.0.5"]}))
    with pytest.raises(BlockedAddressError, match=r"crm.example.com \(10.0.0.5\): a private"):
        await guard.check("crm.example.com", 443)


async def test_refuses_localhost_with_the_system_resolver() -> None:
    with pytest.raises(BlockedAddressError, match="loopback"):
        await SSRFGuard().check("localhost", 80)


async def test_allows_public_addresses_and_the_explicit_allowlist_but_never_metadata() -> None:
    assert str(await SSRFGuard().check("93.184.216.34", 443)) == "93.184.216.34"
    allowing = SSRFGuard(allowed_networks=(ipaddress.ip_network("169.254.0.0/16"), *LOOPBACK))
    assert str(await allowing.check("127.0.0.1", 80)) == "127.0.0.1"
    with pytest.raises(BlockedAddressError, match="cloud metadata"):
        await allowing.check("169.254.169.254", 80)


@pytest.fixture
def redirector() -> Iterator[tuple[str, list[str]]]:
    hosts: list[str] = []

    async def hop(request: web.Request) -> web.Response:
        hosts.append(request.headers["Host"])
        target = request.query.get("to")
        if target:
            raise web.HTTPFound(target)
        return web.Response(text="final")

    app = web.Application()
    app.router.add_get("/hop", hop)
    with serve_aiohttp(app) as served:
        yield served.url, hosts


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://internal.corp/admin", "http://[::1]:1/"],
)
async def test_refuses_a_redirect_to_an_internal_address(
    redirector: tuple[str, list[str]], target: str
) -> None:
    url, hosts = redirector
    port = int(url.rsplit(":", 1)[1])
    # internal.corp is declared (to a private address): the refusal is the guard's, not a
    # lookup failing by accident.
    resolver = DeclaredResolver({"tools.test": ["127.0.0.1"], "internal.corp": ["10.9.9.9"]})
    guard = SSRFGuard(allowed_networks=LOOPBACK, resolver=resolver)
    transport = LoopbackOnlyTransport()
    async with httpx.AsyncClient(transport=transport, follow_redirects=False) as client:
        with pytest.raises(BlockedAddressError, match="refusing to call"):
            await guarded_request(
                client,
                guard,
                "GET",
                f"http://tools.test:{port}/hop",
                headers={},
                params={"to": target},
                max_bytes=100,
            )
    assert hosts == [f"tools.test:{port}"]
    assert transport.refused == []  # the guard stopped it before any connection was tried
    expected = ["tools.test", "internal.corp"] if "internal.corp" in target else ["tools.test"]
    assert resolver.lookups == expected


async def test_the_fence_itself_refuses_what_a_broken_guard_would_let_through() -> None:
    # The fence these tests rely on: anything but a loopback literal never opens a socket.
    transport = LoopbackOnlyTransport()
    async with httpx.AsyncClient(transport=transport) as client:
        for url in ("http://169.254.169.254/latest/meta-data/", "http://tools.test/"):
            with pytest.raises(httpx.ConnectError, match="test transport refuses"):
                await client.get(url)
    assert transport.refused == ["http://169.254.169.254/latest/meta-data/", "http://tools.test/"]
    with pytest.raises(AssertionError, match="did not declare"):
        await DeclaredResolver({})("made-up.invalid", 80)


async def test_connects_to_the_checked_address_keeping_the_host_header(
    redirector: tuple[str, list[str]],
) -> None:
    url, hosts = redirector
    port = int(url.rsplit(":", 1)[1])
    # The name resolves to the (allowlisted) loopback double; a second lookup is never made.
    resolver = DeclaredResolver({"tools.test": ["127.0.0.1"]})
    guard = SSRFGuard(allowed_networks=LOOPBACK, resolver=resolver)
    transport = LoopbackOnlyTransport()
    async with httpx.AsyncClient(transport=transport, follow_redirects=False) as client:
        response = await guarded_request(
            client,
            guard,
            "GET",
            f"http://tools.test:{port}/hop",
            headers={},
            params={"to": f"http://tools.test:{port}/hop"},
            max_bytes=100,
        )
    assert (response.status, response.body, response.truncated) == (200, b"final", False)
    assert hosts == [f"tools.test:{port}"] * 2
    assert resolver.lookups == ["tools.test", "tools.test"]
    assert transport.refused == []
