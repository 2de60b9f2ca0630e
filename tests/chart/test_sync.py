"""The chart's copies of shared sources stay equal to them: the CRDs from crds/ (generated from
the resource model), kopf's peering CRDs and the operator's RBAC from operator/deploy/.
`make chart-sync` rewrites the copies."""

from __future__ import annotations

import subprocess
import sys

import yaml

from tests.chart._support import CHART, ROOT


def test_chart_crds_equal_the_generated_ones() -> None:
    for source in sorted((ROOT / "crds").glob("*.yaml")):
        copy = CHART / "crds" / source.name
        assert copy.is_file(), f"{copy} is missing: run make chart-sync"
        assert copy.read_text() == source.read_text(), f"{copy} is stale: run make chart-sync"


def test_chart_has_no_crd_the_sources_lack() -> None:
    sources = {p.name for p in (ROOT / "crds").glob("*.yaml")} | {"kopfpeerings.kopf.dev.yaml"}
    assert {p.name for p in (CHART / "crds").glob("*.yaml")} == sources


def test_peering_crds_are_those_of_operator_deploy() -> None:
    source = [
        doc
        for doc in yaml.safe_load_all((ROOT / "operator/deploy/peering.yaml").read_text())
        if doc and doc["kind"] == "CustomResourceDefinition"
    ]
    copy = list(yaml.safe_load_all((CHART / "crds/kopfpeerings.kopf.dev.yaml").read_text()))
    assert copy == source


def test_operator_rbac_is_the_one_in_operator_deploy() -> None:
    copy = CHART / "files" / "operator-rbac.yaml"
    assert copy.read_text() == (ROOT / "operator/deploy/rbac.yaml").read_text()


def test_sync_check_passes_on_a_clean_tree() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "hack/chart_sync.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
