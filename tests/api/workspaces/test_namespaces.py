"""Which namespaces may be workspaces, and what a workspace namespace carries: system
namespaces, the platform's own and namespaces another tool manages are refused with the
reason; a workspace enforces Pod Security Admission's restricted level and gets a
ResourceQuota and a LimitRange from the settings."""

from __future__ import annotations

import pytest

from tests.api.helpers import Api, Cluster

QUOTAS = "v1/resourcequotas"
LIMIT_RANGES = "v1/limitranges"


@pytest.mark.parametrize(
    "namespace", ["kube-system", "kube-public", "kube-node-lease", "default", "arkenos-system"]
)
async def test_reserved_namespaces_cannot_be_adopted_or_created(
    api: Api, cluster: Cluster, namespace: str
) -> None:
    admin = await api.admin()
    await cluster.request("POST", "/api/v1/namespaces", json={"metadata": {"name": namespace}})
    for route in ("/api/v1/workspaces/adopt", "/api/v1/workspaces"):
        refused = await admin.post(route, json={"namespace": namespace})
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "namespace_reserved"
        assert "cannot be a workspace" in refused.json()["message"]
    labels = (cluster.namespace(namespace) or {})["metadata"].get("labels") or {}
    assert "arkenos.io/workspace" not in labels
    listed = (await admin.get("/api/v1/workspaces")).json()
    assert namespace not in [w["namespace"] for w in listed]


async def test_a_namespace_managed_by_another_tool_is_not_adopted(
    api: Api, cluster: Cluster
) -> None:
    admin = await api.admin()
    made = await cluster.request(
        "POST",
        "/api/v1/namespaces",
        json={"metadata": {"name": "argo", "labels": {"app.kubernetes.io/managed-by": "Helm"}}},
    )
    assert made.status_code == 201
    refused = await admin.post("/api/v1/workspaces/adopt", json={"namespace": "argo"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "namespace_owned_elsewhere"
    assert "managed-by=Helm" in refused.json()["message"]


async def test_a_workspace_namespace_is_restricted_and_has_a_quota(
    api: Api, cluster: Cluster
) -> None:
    admin = await api.admin()
    settings = api.app.state.settings
    workspace = await api.workspace(admin)
    labels = (cluster.namespace(workspace) or {})["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    quota = cluster.k8s.get_object(QUOTAS, workspace, "arkenos-workspace")
    assert quota is not None
    assert quota["spec"]["hard"] == settings.workspace_quota
    limits = cluster.k8s.get_object(LIMIT_RANGES, workspace, "arkenos-workspace")
    assert limits is not None
    [container] = limits["spec"]["limits"]
    assert container["default"] == settings.workspace_default_limits
    assert container["defaultRequest"] == settings.workspace_default_requests


async def test_an_adopted_namespace_gets_the_same_policies(api: Api, cluster: Cluster) -> None:
    admin = await api.admin()
    made = await cluster.request("POST", "/api/v1/namespaces", json={"metadata": {"name": "old"}})
    assert made.status_code == 201
    adopted = await admin.post("/api/v1/workspaces/adopt", json={"namespace": "old"})
    assert adopted.status_code == 201, adopted.text
    labels = (cluster.namespace("old") or {})["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert cluster.k8s.get_object(QUOTAS, "old", "arkenos-workspace") is not None
    assert cluster.k8s.get_object(LIMIT_RANGES, "old", "arkenos-workspace") is not None
