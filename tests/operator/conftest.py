"""Shared fixtures of the operator's tests: settings, a client of the emulated API, and the
operator itself run through kopf's KopfRunner against the emulator.

Other feature tests (e.g. tests/operator/phonenumber/) reuse ``run_operator`` with their own
``features`` and ``settings``::

    with run_operator(features=("arkenos_operator.phonenumber.handlers",)):
        ...
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from kopf.testing import KopfRunner

from arkenos_crds.runtime import Provider
from arkenos_operator.features import FEATURES, build_registry
from arkenos_operator.kube import SECRETS, VOICE_AGENTS
from arkenos_operator.settings import OperatorSettings
from tests.doubles.arkenos_api import OPERATOR, ArkenosAPIDouble
from tests.doubles.server import ServedApp, serve
from tests.operator.kube_api import KubeApi
from tests.substrate.kubernetes import KUBECONFIG_TOKEN, RunningEmulator

OPERATOR_NAMESPACE = "arkenos-system"
WORKSPACE = "team-a"
OPERATOR_ENV = {
    "ARKENOS_OPERATOR_NAMESPACE": OPERATOR_NAMESPACE,
    "ARKENOS_API_URL": "http://arkenos-api.arkenos-system:8000",
    "ARKENOS_LIVEKIT_URL": "wss://livekit.example.com",
    "ARKENOS_WORKER_IMAGE": "ghcr.io/arkenos/worker@sha256:" + "a" * 64,
    "ARKENOS_AGENT_RUNTIME_IMAGE": "ghcr.io/arkenos/agent-runtime@sha256:" + "b" * 64,
    # Tests run one operator without peering objects and with fast retries. The periodic
    # resync is long, so a test sees what watches trigger; drift tests shorten it.
    "ARKENOS_STANDALONE": "true",
    "ARKENOS_METRICS_PORT": "0",
    "ARKENOS_BACKOFF_BASE_SECONDS": "0.2",
    "ARKENOS_BACKOFF_MAX_SECONDS": "1",
    "ARKENOS_RESYNC_SECONDS": "300",
    "ARKENOS_READINESS_RECHECK_SECONDS": "0.5",
    "ARKENOS_POOL_SCALE_INTERVAL_SECONDS": "0.5",
    "ARKENOS_CUSTOM_SCALE_INTERVAL_SECONDS": "0.5",
    "ARKENOS_WORKER_METRICS_TIMEOUT_SECONDS": "0.5",
    "ARKENOS_LOG_FORMAT": "text",
}
KOPF_ARGS = ["run", "--all-namespaces"]
OPERATOR_TOKEN = "operator-sa-token"


def kopf_args(settings: OperatorSettings) -> list[str]:
    """kopf's command line for ``settings``, as the entry point passes them to kopf.run."""
    if settings.standalone:
        return [*KOPF_ARGS, "--standalone"]
    return [*KOPF_ARGS, "--peering", settings.peering_name, "--priority", str(settings.priority)]


RunOperator = Callable[..., contextlib.AbstractContextManager[KopfRunner]]


def make_settings(**overrides: str) -> OperatorSettings:
    env = dict(OPERATOR_ENV)
    env.update({f"ARKENOS_{k.upper()}": v for k, v in overrides.items()})
    return OperatorSettings.from_env(env)


@pytest.fixture
def api(k8s: RunningEmulator) -> Iterator[KubeApi]:
    client = KubeApi(k8s)
    yield client
    client.close()


@dataclass
class ServedAPI:
    """The Arkenos API double the operator asks about agent readiness, and where it runs."""

    double: ArkenosAPIDouble
    served: ServedApp
    token_file: Path

    def point(self, settings: OperatorSettings) -> OperatorSettings:
        """``settings`` with the operator asking this double, with its own token."""
        return settings.model_copy(
            update={"api_url": self.served.url, "api_token_file": str(self.token_file)}
        )


@pytest.fixture
def arkenos_api(k8s: RunningEmulator, tmp_path: Path) -> Iterator[ServedAPI]:
    """The API double, reading agents' specs from the emulated cluster as the API would."""

    async def agent_spec(namespace: str, name: str) -> dict[str, Any] | None:
        async with httpx.AsyncClient(
            base_url=k8s.url, headers={"Authorization": f"Bearer {KUBECONFIG_TOKEN}"}
        ) as http:
            response = await http.get(VOICE_AGENTS.path(namespace, name))
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return dict(response.json().get("spec") or {})

    # Every provider's key stored in the test workspace: tests of readiness take them away.
    double = ArkenosAPIDouble(
        tokens={OPERATOR_TOKEN: OPERATOR},
        agent_spec=agent_spec,
        stored_keys={WORKSPACE: set(Provider)},
    )
    token_file = tmp_path / "operator-token"
    token_file.write_text(OPERATOR_TOKEN + "\n")
    with serve(double.app()) as served:
        yield ServedAPI(double, served, token_file)


@pytest.fixture
def operator_settings(arkenos_api: ServedAPI) -> OperatorSettings:
    return arkenos_api.point(make_settings())


@pytest.fixture
def run_operator(
    kubeconfig: Path, operator_settings: OperatorSettings, arkenos_api: ServedAPI
) -> RunOperator:
    """Start the operator (core + ``features``) in a KopfRunner for the ``with`` block; on exit
    it must have stopped cleanly, with no exception escaping kopf. It asks the test's API
    double about agent readiness."""

    @contextlib.contextmanager
    def start(
        settings: OperatorSettings | None = None, features: tuple[str, ...] = FEATURES
    ) -> Iterator[KopfRunner]:
        settings = arkenos_api.point(settings or operator_settings)
        registry = build_registry(settings, features)
        with KopfRunner(kopf_args(settings), registry=registry, timeout=30) as runner:
            yield runner
        assert runner.exception is None, runner.output
        assert runner.exit_code == 0, runner.output

    return start


@pytest.fixture
def operator(run_operator: RunOperator) -> Iterator[KopfRunner]:
    """The whole operator running for the test."""
    with run_operator() as runner:
        yield runner


def secret(namespace: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    encoded = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "type": "Opaque",
        "data": encoded,
    }


@pytest.fixture
def platform_secrets(api: KubeApi, operator_settings: OperatorSettings) -> None:
    """The Secrets the chart installs in the operator's namespace: LiveKit and object storage."""
    api.create(
        SECRETS,
        secret(
            OPERATOR_NAMESPACE,
            operator_settings.livekit_secret_name,
            {"LIVEKIT_API_KEY": "APIkey1234", "LIVEKIT_API_SECRET": "livekit-secret-value"},
        ),
    )
    api.create(
        SECRETS,
        secret(
            OPERATOR_NAMESPACE,
            # The chart's object storage Secret: the operator must leave it where it is.
            "arkenos-s3",
            {
                "ARKENOS_S3_ENDPOINT": "minio.arkenos-system:9000",
                "ARKENOS_S3_BUCKET": "arkenos",
                "ARKENOS_S3_ACCESS_KEY": "minio-access",
                "ARKENOS_S3_SECRET_KEY": "minio-secret",
                "ARKENOS_S3_SECURE": "false",
                "UNRELATED": "not copied",
            },
        ),
    )
