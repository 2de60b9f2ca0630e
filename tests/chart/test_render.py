"""`helm template` of every values set: each object valid against its schema, and the settings
the components actually read."""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest

from arkenos_crds.workerpool import WorkerPoolSpec
from tests.chart._support import (
    CHART,
    KUBE_VERSIONS,
    NAMESPACE,
    VALUES_SETS,
    Manifest,
    ValuesSet,
    by_kind,
    container_env,
    one,
)
from tests.chart._validation import validate_manifest


@pytest.mark.parametrize("values", VALUES_SETS, ids=lambda v: v.name)
@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
def test_every_object_is_valid(
    rendered: dict[str, list[Manifest]], values: ValuesSet, kube_version: str
) -> None:
    manifests = rendered[values.name]
    assert len(manifests) >= 20
    for manifest in manifests:
        validate_manifest(manifest, kube_version)


@pytest.mark.parametrize("values", VALUES_SETS, ids=lambda v: v.name)
def test_names_are_unique_and_namespaced_objects_stay_in_the_release_namespace(
    rendered: dict[str, list[Manifest]], values: ValuesSet
) -> None:
    manifests = rendered[values.name]
    keys = Counter(
        (m["kind"], m["metadata"].get("namespace"), m["metadata"]["name"]) for m in manifests
    )
    assert [key for key, count in keys.items() if count > 1] == []
    cluster_scoped = {"ClusterRole", "ClusterRoleBinding", "ClusterKopfPeering"}
    for manifest in manifests:
        if manifest["kind"] in cluster_scoped:
            assert "namespace" not in manifest["metadata"]
        elif manifest["kind"] != "KopfPeering":
            assert manifest["metadata"]["namespace"] == NAMESPACE, manifest["metadata"]


@pytest.mark.parametrize("values", VALUES_SETS, ids=lambda v: v.name)
def test_the_worker_pool_is_a_valid_spec_for_the_resource_model(
    rendered: dict[str, list[Manifest]], values: ValuesSet
) -> None:
    (pool,) = by_kind(rendered[values.name], "WorkerPool")
    # The pydantic model evaluates the CRD's CEL rules too (min <= max).
    spec = WorkerPoolSpec.model_validate(pool["spec"])
    assert spec.replicas.min <= spec.replicas.max


@pytest.mark.parametrize("values", VALUES_SETS, ids=lambda v: v.name)
def test_platform_pods_run_restricted(
    rendered: dict[str, list[Manifest]], values: ValuesSet
) -> None:
    for manifest in rendered[values.name]:
        if manifest["kind"] not in {"Deployment", "StatefulSet", "Job"}:
            continue
        pod = manifest["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, manifest["metadata"]["name"]
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            context = container["securityContext"]
            where = f"{manifest['metadata']['name']}/{container['name']}"
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert "resources" in container, where


def test_one_object_per_template_file_named_component_kind() -> None:
    for template in sorted((CHART / "templates").glob("*.yaml")):
        component, _, kind = template.stem.partition("-")
        assert component, f"{template.name} is not named component-kind.yaml"
        assert kind, f"{template.name} is not named component-kind.yaml"
        text = template.read_text()
        # A `range` renders one object per item (e.g. a KopfPeering per watched namespace).
        separators = text.count("\n---")
        assert separators == 0 or "range" in text, f"{template.name} holds several objects"


def test_migrations_run_before_install_and_upgrade_with_an_external_database(
    rendered: dict[str, list[Manifest]],
) -> None:
    (job,) = by_kind(rendered["defaults"], "Job")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == [
        "arkenos-api",
        "migrate",
    ]


def test_with_the_bundled_database_the_api_pod_migrates_it_first(
    rendered: dict[str, list[Manifest]],
) -> None:
    assert by_kind(rendered["quickstart"], "Job") == []
    api = one(rendered["quickstart"], "Deployment", "arkenos-api")
    (init,) = api["spec"]["template"]["spec"]["initContainers"]
    assert init["command"] == ["arkenos-api", "migrate"]


def test_api_pod_labels_given_to_the_operator_select_the_api_pods(
    rendered: dict[str, list[Manifest]],
) -> None:
    manifests = rendered["defaults"]
    operator_env = container_env(one(manifests, "Deployment", "arkenos-operator"), "operator")
    labels = json.loads(operator_env["ARKENOS_API_POD_LABELS"])
    api = one(manifests, "Deployment", "arkenos-api")
    api_labels = api["spec"]["template"]["metadata"]["labels"]
    assert labels.items() <= api_labels.items()
    assert operator_env["ARKENOS_API_URL"] == "http://arkenos-api.arkenos-system.svc:8000"


def test_validation_refuses_what_the_api_server_would(rendered: dict[str, list[Manifest]]) -> None:
    """The checks above can fail: a misspelt field and a bad custom resource are refused."""
    api = copy.deepcopy(one(rendered["defaults"], "Deployment", "arkenos-api"))
    api["spec"]["template"]["spec"]["containers"][0]["imagePullPolice"] = "Always"
    with pytest.raises(AssertionError, match="imagePullPolice"):
        validate_manifest(api, KUBE_VERSIONS[0])
    (pool,) = copy.deepcopy(by_kind(rendered["defaults"], "WorkerPool"))
    pool["spec"]["sessionsPerReplica"] = 0
    with pytest.raises(AssertionError, match="WorkerPool standard"):
        validate_manifest(pool, KUBE_VERSIONS[0])
    del pool["spec"]["sessionsPerReplica"]
    pool["spec"]["sessionPerReplica"] = 10
    with pytest.raises(AssertionError, match="sessionPerReplica"):
        validate_manifest(pool, KUBE_VERSIONS[0])
    (monitor, *_) = copy.deepcopy(by_kind(rendered["production"], "ServiceMonitor"))
    monitor["spec"]["endpoints"][0]["intervall"] = "30s"
    with pytest.raises(AssertionError, match="intervall"):
        validate_manifest(monitor, KUBE_VERSIONS[0])
