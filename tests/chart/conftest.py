"""The real helm binary: built from its pinned Go module (hack/tools/helm) into the tools
cache, or the one ARKENOS_HELM names (any helm v3, e.g. one already installed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from arkenos_devstack.tools import ToolBuildError, ensure_built
from tests.chart._support import VALUES_SETS, Manifest, render


@pytest.fixture(scope="session")
def helm() -> Path:
    configured = os.environ.get("ARKENOS_HELM")
    if configured:
        return Path(configured)
    try:
        return ensure_built("helm") / "helm"
    except ToolBuildError as error:
        pytest.fail(f"helm could not be built from hack/tools/helm: {error}")


@pytest.fixture(scope="session")
def rendered(helm: Path) -> dict[str, list[Manifest]]:
    """Every values set rendered once per test session, by name."""
    return {values.name: render(helm, values) for values in VALUES_SETS}
