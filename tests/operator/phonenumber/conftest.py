"""Fixtures for the PhoneNumber reconciler's tests: the Twilio and LiveKit doubles, the
platform's default credential Secrets in the emulated API, and the operator (only the
PhoneNumber feature) run with ``kopf.testing.KopfRunner``.

Tests talk to the emulated API through :class:`Cluster` (plain HTTP, as kubectl would).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from kopf.testing import KopfRunner
from kubernetes_asyncio.config import kube_config

from arkenos_operator.features import build_registry
from arkenos_operator.settings import OperatorSettings
from tests.doubles.livekit import LiveKitDouble
from tests.doubles.server import serve
from tests.doubles.twilio import TwilioDouble
from tests.substrate.kubernetes import RunningEmulator
from tests.substrate.ports import free_port
from tests.substrate.waiting import wait_until

ACCOUNT_SID, AUTH_TOKEN = "AC" + "1" * 32, "twilio-token-0001"
LK_KEY, LK_SECRET = "operator-key", "operator-secret-operator-secret-0001"
SIP_URI = "sip:project.sip.livekit.example"
PLATFORM_NS = "arkenos-system"
WORKSPACE = "acme"
GROUP_PATH = "/apis/arkenos.io/v1alpha1"
FEATURE = "arkenos_operator.phonenumber.handlers"
AVAILABLE_415 = ["+14155550101", "+14155550102", "+14155550103"]
OWNED = "+14155559000"


@dataclass(frozen=True)
class Doubles:
    twilio: TwilioDouble
    twilio_url: str
    livekit: LiveKitDouble
    livekit_url: str


@pytest.fixture
def doubles() -> Iterator[Doubles]:
    twilio = TwilioDouble()
    twilio.state.add_account(ACCOUNT_SID, AUTH_TOKEN)
    twilio.state.seed_available("US", "Local", AVAILABLE_415)
    twilio.state.add_owned_number(ACCOUNT_SID, OWNED, "Support line")
    livekit = LiveKitDouble(keys={LK_KEY: LK_SECRET})
    with serve(twilio.app()) as twilio_served, serve(livekit.app()) as livekit_served:
        yield Doubles(twilio, twilio_served.url, livekit, livekit_served.url)


@pytest.fixture
def twilio(doubles: Doubles) -> TwilioDouble:
    return doubles.twilio


@pytest.fixture
def livekit(doubles: Doubles) -> LiveKitDouble:
    return doubles.livekit


def secret(namespace: str, name: str, values: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in values.items()},
    }


class Cluster:
    """The emulated API, as a person with kubectl sees it."""

    def __init__(self, k8s: RunningEmulator) -> None:
        self.k8s = k8s
        self.http = httpx.Client(base_url=k8s.url, timeout=10)

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(path, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def patch(self, path: str, patch: dict[str, Any]) -> None:
        response = self.http.patch(
            path, json=patch, headers={"Content-Type": "application/merge-patch+json"}
        )
        assert response.status_code == 200, response.text

    def delete(self, path: str) -> None:
        assert self.http.delete(path).status_code in (200, 202), path

    def secret(self, namespace: str, name: str, values: dict[str, str]) -> None:
        self.create(f"/api/v1/namespaces/{namespace}/secrets", secret(namespace, name, values))

    def line_path(self, name: str, namespace: str = WORKSPACE) -> str:
        return f"{GROUP_PATH}/namespaces/{namespace}/phonenumbers/{name}"

    def agent_path(self, name: str, namespace: str = WORKSPACE) -> str:
        return f"{GROUP_PATH}/namespaces/{namespace}/voiceagents/{name}"

    def create_line(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        body = {
            "apiVersion": "arkenos.io/v1alpha1",
            "kind": "PhoneNumber",
            "metadata": {"name": name, "namespace": WORKSPACE},
            "spec": spec,
        }
        return self.create(f"{GROUP_PATH}/namespaces/{WORKSPACE}/phonenumbers", body)

    def create_agent(
        self,
        name: str,
        ready: bool = True,
        mode: str = "Standard",
        dispatch_name: str | None = None,
    ) -> None:
        spec: dict[str, Any] = {"mode": mode}
        if mode == "Custom":
            spec["custom"] = {"source": {"image": "registry.example/agent@sha256:" + "a" * 64}}
        body = {
            "apiVersion": "arkenos.io/v1alpha1",
            "kind": "VoiceAgent",
            "metadata": {"name": name, "namespace": WORKSPACE},
            "spec": spec,
        }
        self.create(f"{GROUP_PATH}/namespaces/{WORKSPACE}/voiceagents", body)
        self.set_agent_ready(name, ready, dispatch_name)

    def set_agent_ready(self, name: str, ready: bool, dispatch_name: str | None = None) -> None:
        condition = {
            "type": "Ready",
            "status": "True" if ready else "False",
            "reason": "Ready" if ready else "Building",
            "message": "" if ready else "the build is still running",
            "lastTransitionTime": "2026-01-01T00:00:00Z",
        }
        status: dict[str, Any] = {"conditions": [condition]}
        if dispatch_name:
            status["dispatchName"] = dispatch_name
        self.patch(self.agent_path(name) + "/status", {"status": status})

    def line(self, name: str) -> dict[str, Any] | None:
        return self.k8s.get_object("arkenos.io/v1alpha1/phonenumbers", WORKSPACE, name)

    def condition(self, name: str, type_: str) -> dict[str, Any]:
        """The line's condition of that type; empty when it has none."""
        line = self.line(name) or {}
        conditions = (line.get("status") or {}).get("conditions") or []
        return next((dict(c) for c in conditions if c["type"] == type_), {})

    def wait_condition(
        self, name: str, type_: str, status: str, reason: str | None = None, within: float = 20
    ) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            found = self.condition(name, type_)
            if found and found["status"] == status and reason in (None, found["reason"]):
                return found
            return None

        return wait_until(
            probe,
            within=within,
            what=f"{name} {type_}={status} ({reason}); now {self.condition(name, type_)}",
        )

    def status(self, name: str) -> dict[str, Any]:
        return dict((self.line(name) or {}).get("status") or {})


@pytest.fixture
def cluster(k8s: RunningEmulator) -> Iterator[Cluster]:
    cluster = Cluster(k8s)
    yield cluster
    cluster.http.close()


@pytest.fixture
def operator_env(
    monkeypatch: pytest.MonkeyPatch,
    kubeconfig: Path,
    cluster: Cluster,
    doubles: Doubles,
) -> None:
    env = {
        "OPERATOR_NAMESPACE": PLATFORM_NS,
        "API_URL": "http://api.example",
        "LIVEKIT_URL": "ws://livekit.example",
        "WORKER_IMAGE": "worker:test",
        "AGENT_RUNTIME_IMAGE": "runtime:test",
        "STANDALONE": "true",
        "METRICS_PORT": str(free_port()),
        "LOG_FORMAT": "text",
        "BACKOFF_BASE_SECONDS": "0.1",
        "BACKOFF_MAX_SECONDS": "0.2",
        "TWILIO_SECRET": f"{PLATFORM_NS}/arkenos-twilio",
        "LIVEKIT_SECRET": f"{PLATFORM_NS}/arkenos-livekit",
        "LIVEKIT_SIP_URI": SIP_URI,
        "TWILIO_BASE_URL": doubles.twilio_url,
        "TWILIO_TIMEOUT_SECONDS": "2",
        "LIVEKIT_TIMEOUT_SECONDS": "2",
    }
    for key, value in env.items():
        monkeypatch.setenv(f"ARKENOS_{key}", value)
    # kubernetes_asyncio reads KUBECONFIG once, at import; the fixture sets it later.
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(kubeconfig))
    cluster.secret(
        PLATFORM_NS, "arkenos-twilio", {"accountSid": ACCOUNT_SID, "authToken": AUTH_TOKEN}
    )
    cluster.secret(
        PLATFORM_NS,
        "arkenos-livekit",
        {"url": doubles.livekit_url, "apiKey": LK_KEY, "apiSecret": LK_SECRET},
    )


OperatorFactory = Callable[[], KopfRunner]


@pytest.fixture
def run_operator(operator_env: None) -> OperatorFactory:
    """Start the operator (a context manager); a test may start it more than once."""

    def start() -> KopfRunner:
        registry = build_registry(OperatorSettings.from_env(), features=(FEATURE,))
        args = ["run", "--standalone", "--all-namespaces"]
        return KopfRunner(args, registry=registry, timeout=60)

    return start
