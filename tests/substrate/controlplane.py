"""The real Kubernetes control plane for the test session (tests marked ``realk8s``).

etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok with fake nodes, built
from the pinned Go modules in ``hack/tools/`` (cached; see ``arkenos_devstack.tools``) and
started once per session, on first use. Tests share it and keep apart by namespace.

Usage::

    @pytest.mark.realk8s
    def test_something(control_plane: ControlPlane, realk8s_namespace: str) -> None:
        control_plane.kubectl("apply", "-n", realk8s_namespace, "-f", "examples/agents/")
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from arkenos_devstack.controlplane import Binaries, ControlPlane, run_control_plane
from arkenos_devstack.process import StartupError
from arkenos_devstack.tools import ToolBuildError

REPO = Path(__file__).resolve().parents[2]
CRDS_DIR = REPO / "crds"


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    """The session's control plane with the project's CRDs installed (by kubectl, as the
    README's quickstart does). Its logs stay in pytest's temporary directory."""
    try:
        binaries = Binaries.build()
    except ToolBuildError as error:
        pytest.fail(f"The control plane's binaries could not be built: {error}", pytrace=False)
    base_dir = tmp_path_factory.mktemp("controlplane")
    try:
        with run_control_plane(base_dir, binaries=binaries) as plane:
            plane.kubectl("apply", "--server-side", "-f", str(CRDS_DIR))
            plane.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
            yield plane
    except StartupError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def realk8s_namespace(control_plane: ControlPlane) -> Iterator[str]:
    """A fresh namespace for one test, deleted after it (the namespace controller empties it)."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    control_plane.kubectl("create", "namespace", name)
    yield name
    control_plane.kubectl("delete", "namespace", name, "--wait=false")
