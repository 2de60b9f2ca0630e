"""The fake controllers of :mod:`tests.operator.fake_controllers`, run automatically: they
watch the emulated API and finish every build Job (successfully) and report every Deployment
available, as the Job and Deployment controllers and kubelets of a healthy cluster would.

Used by the benchmark, where thousands of objects need these parts played without a test
driving each one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from arkenos_operator.kube import DEPLOYMENTS, JOBS, PODS, Kind
from arkenos_operator.voiceagent import names
from tests.operator.fake_controllers import (
    deployment_available_status,
    job_pod,
    now,
    terminated_status,
)
from tests.substrate.kubernetes import KUBECONFIG_TOKEN

Body = dict[str, Any]
MERGE = {"Content-Type": "application/merge-patch+json"}
WATCH_TIMEOUT = aiohttp.ClientTimeout(total=None, sock_read=None)


def artifact_for(bundle_digest: str) -> str:
    """The artifact digest a fake build reports for a bundle: deterministic, well formed."""
    return "sha256:" + hashlib.sha256(bundle_digest.encode()).hexdigest()


class AutoControllers:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session: aiohttp.ClientSession | None = None
        self.builds = 0
        self.rollouts = 0

    async def run(self) -> None:
        headers = {"Authorization": f"Bearer {KUBECONFIG_TOKEN}"}
        async with aiohttp.ClientSession(self.base_url, headers=headers) as self.session:
            await asyncio.gather(
                self._watch(JOBS, self._on_job), self._watch(DEPLOYMENTS, self._on_deployment)
            )

    async def _watch(self, kind: Kind, react: Any) -> None:
        """React to every event, watching again when a watch ends (each new watch starts with
        the current objects, which the reactions skip when there is nothing left to do)."""
        assert self.session is not None
        while True:
            try:
                async for event in self._events(kind):
                    if event.get("type") in ("ADDED", "MODIFIED"):
                        await react(event["object"])
            except (aiohttp.ClientError, TimeoutError):
                await asyncio.sleep(0.5)

    async def _events(self, kind: Kind) -> AsyncIterator[Body]:
        assert self.session is not None
        # A watch lasts as long as the run: not the session's default 5-minute total timeout.
        async with self.session.get(
            kind.path(None), params={"watch": "true"}, timeout=WATCH_TIMEOUT
        ) as response:
            response.raise_for_status()
            async for line in response.content:
                if line.strip():
                    yield json.loads(line)

    async def _on_job(self, job: Body) -> None:
        if (job.get("status") or {}).get("succeeded"):
            return
        digest = (job["metadata"].get("annotations") or {}).get(names.ANNOTATION_BUNDLE)
        if not digest:
            return
        namespace = job["metadata"]["namespace"]
        pod = await self._post(PODS, namespace, job_pod(job))
        message = json.dumps({"artifactDigest": artifact_for(digest)})
        await self._patch(PODS, namespace, pod["metadata"]["name"], terminated_status(message, 0))
        status = {
            "succeeded": 1,
            "completionTime": now(),
            "conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": now()}],
        }
        await self._patch(JOBS, namespace, job["metadata"]["name"], status)
        self.builds += 1

    async def _on_deployment(self, deployment: Body) -> None:
        status = deployment.get("status") or {}
        wanted = deployment_available_status(deployment)
        if all(status.get(k) == wanted[k] for k in ("observedGeneration", "availableReplicas")):
            return
        meta = deployment["metadata"]
        await self._patch(DEPLOYMENTS, meta["namespace"], meta["name"], wanted)
        self.rollouts += 1

    async def _post(self, kind: Kind, namespace: str, body: Body) -> Body:
        assert self.session is not None
        async with self.session.post(kind.path(namespace), json=body) as response:
            response.raise_for_status()
            return dict(await response.json())

    async def _patch(self, kind: Kind, namespace: str, name: str, status: Body) -> None:
        assert self.session is not None
        path = kind.path(namespace, name, "status")
        async with self.session.patch(path, json={"status": status}, headers=MERGE) as response:
            response.raise_for_status()


@contextlib.asynccontextmanager
async def auto_controllers(base_url: str) -> AsyncIterator[AutoControllers]:
    controllers = AutoControllers(base_url)
    task = asyncio.create_task(controllers.run())
    try:
        yield controllers
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
