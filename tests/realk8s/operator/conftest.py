"""The operator run for the VoiceAgent tests: one process per module, with a small pool."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arkenos_devstack.controlplane import ControlPlane
from arkenos_devstack.process import ManagedProcess
from tests.realk8s.support import OPERATOR_NAMESPACE, apply, delete_pool, operator_process


@pytest.fixture(scope="module")
def operator(
    operator_rbac: ControlPlane, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ManagedProcess]:
    # A standard agent is Ready once the shared pool has a ready worker.
    pool = {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "WorkerPool",
        "metadata": {"name": "standard", "namespace": OPERATOR_NAMESPACE},
        "spec": {"replicas": {"min": 1, "max": 2}, "sessionsPerReplica": 10},
    }
    apply(operator_rbac, pool)
    # A failed build fails at once, so a test sees the outcome of one pod.
    env = {"ARKENOS_BUILD_BACKOFF_LIMIT": "0", "ARKENOS_RESYNC_SECONDS": "5"}
    with operator_process(operator_rbac, tmp_path_factory.mktemp("operator"), env) as process:
        yield process
        # While the operator still runs, so whatever it holds on the pool is let go.
        delete_pool(operator_rbac, "standard")
