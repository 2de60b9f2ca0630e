"""Fixtures shared by the real-control-plane tests: the operator's RBAC as the chart installs it."""

from __future__ import annotations

import pytest

from arkenos_devstack.controlplane import ControlPlane
from tests.realk8s.support import install_operator_rbac


@pytest.fixture(scope="session")
def operator_rbac(control_plane: ControlPlane) -> ControlPlane:
    """The operator's namespace, ServiceAccount, RBAC, peering CRDs and platform Secrets."""
    install_operator_rbac(control_plane)
    return control_plane
