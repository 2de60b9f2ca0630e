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
from pathlib import Path
from typing import Any

import pytest
from kopf.testing import KopfRunner

from arkenos_operator.features import FEATURES, build_registry
from arkenos_operator.kube import SECRETS
from arkenos_operator.settings import OperatorSettings
from tests.operator.kube_api import KubeApi
from tests.substrate.kubernetes import RunningEmulator

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
    "ARKENOS_POOL_SCALE_INTERVAL_SECONDS": "0.5",
    "ARKENOS_WORKER_METRICS_TIMEOUT_SECONDS": "0.5",
    "ARKENOS_LOG_FORMAT": "text",
}
KOPF_ARGS = ["run", "--all-namespaces"]


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
def operator_settings() -> OperatorSettings:
    return make_settings()


@pytest.fixture
def api(k8s: RunningEmulator) -> Iterator[KubeApi]:
    client = KubeApi(k8s)
    yield client
    client.close()


@pytest.fixture
def run_operator(kubeconfig: Path, operator_settings: OperatorSettings) -> RunOperator:
    """Start the operator (core + ``features``) in a KopfRunner for the ``with`` block; on exit
    it must have stopped cleanly, with no exception escaping kopf."""

    @contextlib.contextmanager
    def start(
        settings: OperatorSettings | None = None, features: tuple[str, ...] = FEATURES
    ) -> Iterator[KopfRunner]:
        settings = settings or operator_settings
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
            operator_settings.s3_secret_name,
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
