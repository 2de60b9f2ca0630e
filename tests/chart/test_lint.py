"""`helm lint --strict` of the chart with each values set."""

from __future__ import annotations

import subprocess
import tarfile
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


def test_package_carries_the_crds_and_shared_files_and_leaves_out_the_test_values(
    helm: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [str(helm), "package", str(CHART), "--destination", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    (package,) = tmp_path.glob("arkenos-*.tgz")
    with tarfile.open(package) as archive:
        names = set(archive.getnames())
    assert {
        "arkenos/crds/voiceagents.arkenos.io.yaml",
        "arkenos/crds/kopfpeerings.kopf.dev.yaml",
        "arkenos/files/operator-rbac.yaml",
        "arkenos/files/grafana-dashboard.json",
        "arkenos/values.schema.json",
        "arkenos/values-quickstart.yaml",
        "arkenos/README.md",
        "arkenos/argocd/argocd-cm.yaml",
    } <= names
    assert not any(n.startswith("arkenos/ci/") for n in names)
