"""The API's own SSRF guard for outgoing webhooks: addresses inside the platform are refused,
loopback only with the tests-only setting, and the address is pinned with the name kept."""

from __future__ import annotations

import pytest

from arkenos_api.jobs.ssrf import RefusedTarget, pin


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://100.100.100.200/",
        "https://[fd00:ec2::254]/",
        "https://[::ffff:10.0.0.1]/",
        "https://0.0.0.0/",
        "https://224.0.0.1/",
        "https://kubernetes.default.svc/",
        "https://api.arkenos-system.svc.cluster.local/",
        "https://metadata.google.internal/",
        "https://localhost:8443/",
        "http://93.184.215.14/",
    ],
)
async def test_inside_addresses_and_names_are_refused(url: str) -> None:
    with pytest.raises(RefusedTarget):
        await pin(url, allow_loopback=False)


async def test_loopback_only_with_the_test_setting_and_private_still_refused() -> None:
    pinned = await pin("https://127.0.0.1:8443/hook?a=1", allow_loopback=True)
    assert str(pinned.url) == "https://127.0.0.1:8443/hook?a=1"
    assert pinned.host_header == "127.0.0.1:8443"
    with pytest.raises(RefusedTarget):
        await pin("https://10.0.0.5/hook", allow_loopback=True)


async def test_a_public_address_is_pinned() -> None:
    pinned = await pin("https://93.184.215.14/hook", allow_loopback=False)
    assert pinned.url.host == "93.184.215.14"
    assert pinned.host == "93.184.215.14"
