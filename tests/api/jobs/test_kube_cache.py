"""The jobs worker's Kubernetes reads: kept for their time to live (an edit is seen once it
has passed), a failed read not kept, specs parsed once per resource version; against the
emulated Kubernetes API."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from kubernetes_asyncio.client.exceptions import ApiException

from arkenos_api.core.kube import create_api_client
from arkenos_api.jobs.kube_cache import CachingKube, voice_agent_spec
from tests.api.helpers import Cluster
from tests.api.jobs._support import STANDARD


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def clock_and_kube(kubeconfig: Path) -> AsyncIterator[tuple[Clock, CachingKube]]:
    api_client = await create_api_client(kubeconfig)
    clock = Clock()
    try:
        yield clock, CachingKube(api_client, ttl=5.0, clock=clock)
    finally:
        await api_client.close()


async def _agent(cluster: Cluster, max_seconds: int) -> tuple[str, str]:
    namespace, name = f"kc-{uuid.uuid4().hex[:8]}", "cached"
    created = await cluster.request(
        "POST", "/api/v1/namespaces", json={"metadata": {"name": namespace}}
    )
    assert created.status_code == 201, created.text
    applied = await cluster.apply_agent(
        namespace, name, {**STANDARD, "maxCallDurationSeconds": max_seconds}
    )
    assert applied.status_code == 201, applied.text
    return namespace, name


async def _set_max(cluster: Cluster, namespace: str, name: str, seconds: int) -> None:
    patched = await cluster.request(
        "PATCH",
        f"/apis/arkenos.io/v1alpha1/namespaces/{namespace}/voiceagents/{name}",
        json={"spec": {"maxCallDurationSeconds": seconds}},
        headers={"content-type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text


async def test_an_edit_is_seen_once_the_time_to_live_has_passed(
    cluster: Cluster, clock_and_kube: tuple[Clock, CachingKube]
) -> None:
    clock, kube = clock_and_kube
    namespace, name = await _agent(cluster, 60)
    first = await kube.get_voice_agent(namespace, name)
    assert first is not None
    await _set_max(cluster, namespace, name, 90)

    clock.now += 4.9
    kept = await kube.get_voice_agent(namespace, name)
    assert kept is not None
    assert kept["spec"]["maxCallDurationSeconds"] == 60

    clock.now += 0.2
    fresh = await kube.get_voice_agent(namespace, name)
    assert fresh is not None
    assert fresh["spec"]["maxCallDurationSeconds"] == 90
    assert voice_agent_spec(kube, fresh).max_call_duration_seconds == 90
    # One parse per resource version.
    assert voice_agent_spec(kube, fresh) is voice_agent_spec(kube, fresh)
    assert voice_agent_spec(kube, first) is not voice_agent_spec(kube, fresh)


async def test_without_a_time_to_live_every_read_goes_to_kubernetes(
    cluster: Cluster, clock_and_kube: tuple[Clock, CachingKube]
) -> None:
    _, kube = clock_and_kube
    kube.ttl = 0
    namespace, name = await _agent(cluster, 60)
    assert await kube.get_voice_agent(namespace, name) is not None
    await _set_max(cluster, namespace, name, 120)
    fresh = await kube.get_voice_agent(namespace, name)
    assert fresh is not None
    assert fresh["spec"]["maxCallDurationSeconds"] == 120


async def test_a_missing_secret_is_kept_for_the_time_to_live_then_found(
    cluster: Cluster, clock_and_kube: tuple[Clock, CachingKube]
) -> None:
    clock, kube = clock_and_kube
    namespace, _ = await _agent(cluster, 60)
    assert await kube.read_secret_data(namespace, "hook") is None  # kept for the TTL too
    created = await cluster.request(
        "POST",
        f"/api/v1/namespaces/{namespace}/secrets",
        json={"metadata": {"name": "hook"}, "data": {"signingSecret": "c2VjcmV0"}},
    )
    assert created.status_code == 201, created.text
    assert await kube.read_secret_data(namespace, "hook") is None
    clock.now += 5.1
    found = await kube.read_secret_data(namespace, "hook")
    assert found is not None
    assert found.data == {"signingSecret": "c2VjcmV0"}


async def test_concurrent_misses_share_one_read_and_a_failure_is_read_again(
    clock_and_kube: tuple[Clock, CachingKube],
) -> None:
    _, kube = clock_and_kube
    calls: list[int] = []
    gate = asyncio.Event()

    async def read() -> str:
        calls.append(1)
        await gate.wait()
        if len(calls) == 1:
            raise ApiException(status=500, reason="the API server is restarting")
        return "answer"

    key = ("secret", "ns", "name")
    waiting = [asyncio.create_task(kube._remembered(key, read)) for _ in range(5)]
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert len(calls) == 1
    assert all(isinstance(result, ApiException) for result in results)
    assert await kube._remembered(key, read) == "answer"
    assert await kube._remembered(key, read) == "answer"
    assert len(calls) == 2
