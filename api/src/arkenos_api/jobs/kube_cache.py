"""The jobs worker's Kubernetes reads, remembered for a few seconds.

Every job of a call reads the same VoiceAgent (fan-out, analysis) and the same Secret (the
webhook's signing key, the agent's credentials): a burst of ended calls would otherwise make
one Kubernetes request per job, each parsed and CEL-validated again. The worker keeps each
read for ``ttl`` seconds (``ARKENOS_JOBS_KUBE_CACHE_SECONDS``), so a changed agent or rotated
Secret is seen within that time; concurrent misses share one request. Readers treat the
returned objects as read-only: they are shared."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from kubernetes_asyncio import client

from arkenos_api.core.kube import Kube, SecretData
from arkenos_crds.voiceagent import VoiceAgentSpec

#: Past this many entries, expired ones are dropped on the next miss.
MAX_ENTRIES = 4096

Key = tuple[str, str, str]


class CachingKube(Kube):
    """A :class:`Kube` whose VoiceAgent and Secret reads are kept for ``ttl`` seconds."""

    def __init__(
        self,
        api_client: client.ApiClient,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(api_client)
        self.ttl = ttl
        self._clock = clock
        self._reads: dict[Key, tuple[float, asyncio.Task[Any]]] = {}
        #: Parsed specs by (uid, resourceVersion): a resource version is never reused.
        self._specs: dict[tuple[str, str], VoiceAgentSpec] = {}

    async def _remembered(self, key: Key, read: Callable[[], Awaitable[Any]]) -> Any:
        if self.ttl <= 0:
            return await read()
        now = self._clock()
        found = self._reads.get(key)
        if found is None or found[0] <= now or _failed(found[1]):
            if len(self._reads) >= MAX_ENTRIES:
                self._reads = {k: v for k, v in self._reads.items() if v[0] > now}
            task: asyncio.Task[Any] = asyncio.ensure_future(read())
            found = (now + self.ttl, task)
            self._reads[key] = found
        # Shielded: one cancelled job must not cancel the read other jobs wait for.
        return await asyncio.shield(found[1])

    async def get_voice_agent(self, namespace: str, name: str) -> dict[str, Any] | None:
        result: dict[str, Any] | None = await self._remembered(
            ("voiceagent", namespace, name),
            lambda: super(CachingKube, self).get_voice_agent(namespace, name),
        )
        return result

    async def read_secret_data(self, namespace: str, name: str) -> SecretData | None:
        result: SecretData | None = await self._remembered(
            ("secret", namespace, name),
            lambda: super(CachingKube, self).read_secret_data(namespace, name),
        )
        return result

    def voice_agent_spec(self, resource: dict[str, Any]) -> VoiceAgentSpec:
        """The resource's validated spec (raises pydantic's ValidationError), parsed once per
        resource version."""
        meta = resource.get("metadata") or {}
        key = (str(meta.get("uid", "")), str(meta.get("resourceVersion", "")))
        if not all(key):
            return VoiceAgentSpec.model_validate(resource.get("spec") or {})
        spec = self._specs.get(key)
        if spec is None:
            spec = VoiceAgentSpec.model_validate(resource.get("spec") or {})
            if len(self._specs) >= MAX_ENTRIES:
                self._specs.clear()
            self._specs[key] = spec
        return spec


def _failed(task: asyncio.Task[Any]) -> bool:
    """A finished read that raised (or was cancelled) is read again, not remembered."""
    return task.done() and (task.cancelled() or task.exception() is not None)


def voice_agent_spec(kube: Kube, resource: dict[str, Any]) -> VoiceAgentSpec:
    """The resource's validated spec, from the worker's memo when ``kube`` keeps one."""
    if isinstance(kube, CachingKube):
        return kube.voice_agent_spec(resource)
    return VoiceAgentSpec.model_validate(resource.get("spec") or {})
