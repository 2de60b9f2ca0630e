"""`helm lint --strict` of the chart with each values set."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.chart._support import CHART, HELM_KUBE_VERSION, NAMESPACE, VALUES_SETS, ValuesSet


@pytest.mark.parametrize("values", VALUES_SETS, ids=lambda v: v.name)
def test_lint_strict_passes(helm: Path, values: ValuesSet) -> None:
    args = [str(helm), "lint", "--strict", str(CHART), "--namespace", NAMESPACE]
    args += ["--kube-version", HELM_KUBE_VERSION]
    for path in values.paths():
        args += ["--values", str(path)]
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 chart(s) failed" in result.stdout
