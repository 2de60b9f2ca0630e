"""Fixtures for the PhoneNumber reconciler's tests: the Twilio and LiveKit doubles, the
platform's default credential Secrets in the emulated API, and the shared ``run_operator``
(tests/operator/conftest.py) narrowed to the PhoneNumber feature.

Tests talk to the emulated API through :class:`Cluster` (plain HTTP, as kubectl would).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from kopf.testing import KopfRunner

from arkenos_crds.meta import API_VERSION
from arkenos_operator.kube import PHONE_NUMBERS, SECRETS, VOICE_AGENTS
from tests.doubles.livekit import LiveKitDouble
from tests.doubles.server import serve
from tests.doubles.twilio import TwilioDouble
from tests.operator.conftest import RunOperator, make_settings, secret
from tests.operator.kube_api import KubeApi, condition_of
from tests.substrate.kubernetes import RunningEmulator

ACCOUNT_SID, AUTH_TOKEN = "AC" + "1" * 32, "twilio-token-0001"
LK_KEY, LK_SECRET = "operator-key", "operator-secret-operator-secret-0001"
SIP_URI = "sip:project.sip.livekit.example"
PLATFORM_NS = "arkenos-system"
WORKSPACE = "acme"
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


class Cluster(KubeApi):
    """The emulated API, as a person with kubectl sees it, with the lines' vocabulary."""

    def secret(self, namespace: str, name: str, values: dict[str, str]) -> None:
        self.create(SECRETS, secret(namespace, name, values))

    def create_line(self, name: str, spec: dict[str, Any]) -> dict[str, Any]:
        metadata = {"name": name, "namespace": WORKSPACE}
        body = {"apiVersion": API_VERSION, "kind": "PhoneNumber", "metadata": metadata}
        return self.create(PHONE_NUMBERS, {**body, "spec": spec})

    def patch_line(self, name: str, patch: dict[str, Any]) -> None:
        self.patch(PHONE_NUMBERS, WORKSPACE, name, patch)

    def delete_line(self, name: str) -> None:
        self.delete(PHONE_NUMBERS, WORKSPACE, name)

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
        metadata = {"name": name, "namespace": WORKSPACE}
        body = {"apiVersion": API_VERSION, "kind": "VoiceAgent", "metadata": metadata}
        self.create(VOICE_AGENTS, {**body, "spec": spec})
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
        self.patch(VOICE_AGENTS, WORKSPACE, name, {"status": status}, sub="status")

    def line(self, name: str) -> dict[str, Any] | None:
        return self.get(PHONE_NUMBERS, WORKSPACE, name)

    def condition(self, name: str, type_: str) -> dict[str, Any]:
        """The line's condition of that type; empty when it has none."""
        return condition_of(self.line(name), type_) or {}

    def wait_condition(
        self, name: str, type_: str, status: str, reason: str | None = None, within: float = 20
    ) -> dict[str, Any]:
        line = self.wait_for_condition(
            PHONE_NUMBERS, WORKSPACE, name, type_, status, reason, within
        )
        return condition_of(line, type_) or {}

    def status(self, name: str) -> dict[str, Any]:
        return dict((self.line(name) or {}).get("status") or {})


@pytest.fixture
def cluster(k8s: RunningEmulator) -> Iterator[Cluster]:
    cluster = Cluster(k8s)
    yield cluster
    cluster.close()


@pytest.fixture
def operator_env(monkeypatch: pytest.MonkeyPatch, cluster: Cluster, doubles: Doubles) -> None:
    env = {
        "TWILIO_SECRET": f"{PLATFORM_NS}/arkenos-twilio",
        "LIVEKIT_SIP_SECRET": f"{PLATFORM_NS}/arkenos-livekit-sip",
        "LIVEKIT_SIP_URI": SIP_URI,
        "TWILIO_BASE_URL": doubles.twilio_url,
        "TWILIO_TIMEOUT_SECONDS": "2",
        "LIVEKIT_TIMEOUT_SECONDS": "2",
    }
    for key, value in env.items():
        monkeypatch.setenv(f"ARKENOS_{key}", value)
    cluster.secret(
        PLATFORM_NS, "arkenos-twilio", {"accountSid": ACCOUNT_SID, "authToken": AUTH_TOKEN}
    )
    cluster.secret(
        PLATFORM_NS,
        "arkenos-livekit-sip",
        {"url": doubles.livekit_url, "apiKey": LK_KEY, "apiSecret": LK_SECRET},
    )


OperatorFactory = Callable[[], contextlib.AbstractContextManager[KopfRunner]]


@pytest.fixture
def run_operator(run_operator: RunOperator, operator_env: None) -> OperatorFactory:
    """The shared operator fixture with only the PhoneNumber feature and quicker retries; a
    test may start it more than once. PhoneNumber settings come from the environment."""
    settings = make_settings(backoff_base_seconds="0.1", backoff_max_seconds="0.2")
    return lambda: run_operator(settings=settings, features=(FEATURE,))
