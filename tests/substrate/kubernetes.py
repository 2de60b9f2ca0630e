"""Fixtures for the emulated Kubernetes API: one emulator per session, reset for every test, and a
kubeconfig pointing at it for kopf and Kubernetes client libraries.

Usage::

    def test_something(k8s: RunningEmulator, kubeconfig: Path) -> None:
        httpx.post(f"{k8s.url}/apis/arkenos.io/v1alpha1/namespaces/team-a/voiceagents", json=...)
        agent = k8s.get_object("arkenos.io/v1alpha1/voiceagents", "team-a", "support")
"""

import contextlib
import copy
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import kmock
import pytest
import yaml
from aiohttp import web

from tests.doubles.server import ServedApp, serve_aiohttp
from tests.substrate.k8s_emulator import ArkenosKubernetesEmulator
from tests.substrate.k8s_resources import load_crd_manifests

T = TypeVar("T")
ResourceRef = str | kmock.resource
KUBECONFIG_CONTEXT = "arkenos-emulator"
KUBECONFIG_TOKEN = "arkenos-emulator-token"
MAX_REQUEST_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class RunningEmulator:
    """The emulator and the server in front of it; state is read inside the server's loop."""

    emulator: ArkenosKubernetesEmulator = field(repr=False)  # kmock's repr lists every request
    served: ServedApp

    @property
    def url(self) -> str:
        return self.served.url

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in the emulator's thread, e.g. to add kmock reactions safely."""
        return self.served.loop.call(fn, *args)

    def reset(self) -> None:
        self.call(self.emulator.reset)

    def get_object(
        self, resource: ResourceRef, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        """A copy of a stored object, or None if it does not exist (or is deleted)."""
        return self.call(self._get, kmock.resource(resource), namespace, name)

    def list_objects(
        self, resource: ResourceRef, namespace: str | None = None
    ) -> list[dict[str, Any]]:
        """Copies of the stored objects of one resource, in one namespace or in all."""
        return self.call(self._list, kmock.resource(resource), namespace)

    def _get(
        self, resource: kmock.resource, namespace: str | None, name: str
    ) -> dict[str, Any] | None:
        key = (resource, namespace, name)
        objects = self.emulator.objects
        if key not in objects or objects[key].deleted:
            return None
        return copy.deepcopy(objects[key].raw)

    def _list(self, resource: kmock.resource, namespace: str | None) -> list[dict[str, Any]]:
        return [
            copy.deepcopy(obj.raw)
            for (stored_resource, stored_namespace, _), obj in self.emulator.objects.items()
            if stored_resource == resource
            and namespace in (None, stored_namespace)
            and not obj.deleted
        ]


@contextlib.contextmanager
def run_emulator(crds: Iterable[Mapping[str, Any]] = ()) -> Iterator[RunningEmulator]:
    """Serve a fresh emulator on 127.0.0.1 that knows the given CRDs, until the block exits."""
    emulator = ArkenosKubernetesEmulator()
    for crd in crds:
        emulator.register_crd(crd)
    emulator.mark_baseline()
    with serve_aiohttp(_emulator_app(emulator)) as served:
        yield RunningEmulator(emulator=emulator, served=served)


def write_kubeconfig(path: Path, server_url: str, namespace: str = "default") -> Path:
    """Write a kubeconfig whose current context points at ``server_url`` with a bearer token."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": KUBECONFIG_CONTEXT, "cluster": {"server": server_url}}],
        "users": [{"name": KUBECONFIG_CONTEXT, "user": {"token": KUBECONFIG_TOKEN}}],
        "contexts": [
            {
                "name": KUBECONFIG_CONTEXT,
                "context": {
                    "cluster": KUBECONFIG_CONTEXT,
                    "user": KUBECONFIG_CONTEXT,
                    "namespace": namespace,
                },
            }
        ],
        "current-context": KUBECONFIG_CONTEXT,
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _emulator_app(emulator: ArkenosKubernetesEmulator) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await emulator(request)

    async def lifespan(app: web.Application) -> AsyncIterator[None]:
        async with emulator:  # starts kmock's stream feeder in the serving loop
            yield

    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app.router.add_route("*", "/{path:.*}", handle)
    app.cleanup_ctx.append(lifespan)
    return app


@pytest.fixture(scope="session")
def k8s_emulator() -> Iterator[RunningEmulator]:
    """The session's emulated API, serving the built-ins and the project's CRDs (``crds/``).

    Most tests want ``k8s``, which also resets it.
    """
    with run_emulator(load_crd_manifests()) as running:
        yield running


@pytest.fixture
def k8s(k8s_emulator: RunningEmulator) -> RunningEmulator:
    """The emulated API, emptied of objects, requests and test-added reactions for this test."""
    k8s_emulator.reset()
    return k8s_emulator


@pytest.fixture
def kubeconfig(k8s: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kubeconfig for the emulated API, also exported as ``KUBECONFIG`` for this test."""
    path = write_kubeconfig(tmp_path / "kubeconfig", k8s.url)
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path
