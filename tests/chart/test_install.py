"""The chart on a real control plane (etcd, kube-apiserver, controllers and kwok's simulated
nodes, from the real-infrastructure work): every rendered set accepted by the API server
(`kubectl apply --dry-run=server`), then `helm install`, `helm upgrade` keeping the master key,
and `helm uninstall` leaving only what is documented (CRDs, the master-key Secret, PVCs).

The chart gets a control plane of its own (the session's is shared by tests that install the
operator's RBAC into the same platform namespace)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from arkenos_devstack.controlplane import ControlPlane, run_control_plane
from tests.chart._support import CHART, NAMESPACE, RELEASE, VALUES_SETS, ValuesSet, render

pytestmark = [pytest.mark.realk8s, pytest.mark.slow]

#: Kinds whose CRDs the chart does not install (the Prometheus Operator's).
NOT_INSTALLED_HERE = {"ServiceMonitor", "PrometheusRule"}
EXTERNAL_SECRETS = {
    "arkenos-database": {"url": "postgresql+asyncpg://arkenos:pw@db.example.com:5432/arkenos"},
    "arkenos-s3": {
        "ARKENOS_S3_ENDPOINT": "s3.example.com:443",
        "ARKENOS_S3_BUCKET": "arkenos",
        "ARKENOS_S3_ACCESS_KEY": "AKIAEXAMPLE",
        "ARKENOS_S3_SECRET_KEY": "secret",
        "ARKENOS_S3_SECURE": "true",
    },
    "arkenos-livekit": {
        "LIVEKIT_URL": "wss://livekit.example.com",
        "LIVEKIT_API_KEY": "APIexample",
        "LIVEKIT_API_SECRET": "secret",
    },
}


class Cluster:
    def __init__(self, plane: ControlPlane, helm: Path) -> None:
        self.kubeconfig = str(plane.admin_kubeconfig)
        self.kubectl_path = str(plane.binaries.kubectl)
        self.helm_path = str(helm)

    def kubectl(self, *args: str, stdin: str | None = None) -> str:
        return self._run([self.kubectl_path, "--kubeconfig", self.kubeconfig, *args], stdin)

    def helm(self, *args: str) -> str:
        return self._run([self.helm_path, "--kubeconfig", self.kubeconfig, *args], None)

    @staticmethod
    def _run(args: list[str], stdin: str | None) -> str:
        result = subprocess.run(
            args, input=stdin, capture_output=True, text=True, check=False, timeout=600
        )
        assert result.returncode == 0, f"{' '.join(args[:4])}: {result.stderr}"
        return result.stdout


@pytest.fixture(scope="module")
def chart_control_plane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    with run_control_plane(tmp_path_factory.mktemp("chart-controlplane")) as plane:
        yield plane


@pytest.fixture(scope="module")
def cluster(chart_control_plane: ControlPlane, helm: Path) -> Cluster:
    cluster = Cluster(chart_control_plane, helm)
    cluster.kubectl("apply", "--server-side", "--filename", str(CHART / "crds"))
    cluster.kubectl("create", "namespace", NAMESPACE)
    for name, data in EXTERNAL_SECRETS.items():
        literals = [f"--from-literal={k}={v}" for k, v in data.items()]
        cluster.kubectl("-n", NAMESPACE, "create", "secret", "generic", name, *literals)
    return cluster


@pytest.mark.parametrize("values", VALUES_SETS, ids=lambda v: v.name)
def test_the_api_server_accepts_every_rendered_object(
    cluster: Cluster, helm: Path, values: ValuesSet
) -> None:
    manifests = [m for m in render(helm, values) if m["kind"] not in NOT_INSTALLED_HERE]
    cluster.kubectl(
        "apply", "--dry-run=server", "--filename", "-", stdin=yaml.safe_dump_all(manifests)
    )


def _master_keys(cluster: Cluster) -> str:
    secret = yaml.safe_load(
        cluster.kubectl("-n", NAMESPACE, "get", "secret", f"{RELEASE}-master-keys", "-o", "yaml")
    )
    keys: str = secret["data"]["master-keys"]
    return keys


def test_install_upgrade_keeps_the_master_key_uninstall_leaves_what_is_documented(
    cluster: Cluster,
) -> None:
    # The migration Job needs a reachable database; the simulated nodes run no container.
    common = ["--namespace", NAMESPACE, "--set", "api.migrations.enabled=false"]
    cluster.helm("install", RELEASE, str(CHART), *common, "--wait", "--timeout", "5m")
    pods = yaml.safe_load(cluster.kubectl("-n", NAMESPACE, "get", "pods", "-o", "yaml"))["items"]
    assert any(p["metadata"]["labels"].get("app.kubernetes.io/component") == "api" for p in pods)
    assert all(p["spec"].get("nodeName") for p in pods), "a pod was not scheduled"
    first = _master_keys(cluster)

    cluster.helm("upgrade", RELEASE, str(CHART), *common, "--set", "api.replicas=3", "--wait")
    assert _master_keys(cluster) == first

    cluster.helm("uninstall", RELEASE, "--namespace", NAMESPACE, "--wait")
    left = yaml.safe_load(
        cluster.kubectl(
            "-n",
            NAMESPACE,
            "get",
            "all,secrets,configmaps,serviceaccounts,roles,rolebindings,"
            "networkpolicies,poddisruptionbudgets,workerpools",
            "-l",
            f"app.kubernetes.io/instance={RELEASE}",
            "-o",
            "yaml",
        )
    )["items"]
    assert [(o["kind"], o["metadata"]["name"]) for o in left] == [
        ("Secret", f"{RELEASE}-master-keys")
    ]
    crds = cluster.kubectl("get", "crd", "-o", "name")
    assert "voiceagents.arkenos.io" in crds
