"""Selectors find what they are meant to: every Service, PodDisruptionBudget and NetworkPolicy
selects the pods of a rendered workload, and the worker pool's selectors match the labels the
operator gives the pool's pods (its own builder says which)."""

from __future__ import annotations

import pytest

from arkenos_operator.workerpool.builders import pool_labels, pool_selector
from tests.chart._support import VALUES_SETS, Manifest, ValuesSet, by_kind

WORKLOADS = ("Deployment", "StatefulSet", "Job")


def _pod_label_sets(manifests: list[Manifest], pool_name: str) -> list[dict[str, str]]:
    labels = [
        m["spec"]["template"]["metadata"]["labels"]
        for kind in WORKLOADS
        for m in by_kind(manifests, kind)
    ]
    # The worker pods come from the operator, built from the rendered WorkerPool.
    labels.append(pool_labels({"metadata": {"name": pool_name}}))
    return labels


def _selector_of(manifest: Manifest) -> dict[str, str]:
    spec = manifest["spec"]
    if manifest["kind"] == "Service":
        selector: dict[str, str] = spec["selector"]
        return selector
    if manifest["kind"] == "NetworkPolicy":
        match: dict[str, str] = spec["podSelector"]["matchLabels"]
        return match
    labels: dict[str, str] = spec["selector"]["matchLabels"]
    return labels


@pytest.mark.parametrize("values", VALUES_SETS, ids=lambda v: v.name)
def test_every_selector_selects_rendered_or_operator_built_pods(
    rendered: dict[str, list[Manifest]], values: ValuesSet
) -> None:
    manifests = rendered[values.name]
    (pool,) = by_kind(manifests, "WorkerPool")
    pods = _pod_label_sets(manifests, pool["metadata"]["name"])
    selecting = [
        m
        for kind in ("Service", "PodDisruptionBudget", "NetworkPolicy")
        for m in by_kind(manifests, kind)
    ]
    assert selecting
    for manifest in selecting:
        selector = _selector_of(manifest)
        assert selector, f"{manifest['kind']} {manifest['metadata']['name']} selects every pod"
        assert any(selector.items() <= labels.items() for labels in pods), (
            f"{manifest['kind']} {manifest['metadata']['name']} selects no pod: {selector}"
        )


def test_worker_selectors_are_the_operators(rendered: dict[str, list[Manifest]]) -> None:
    manifests = rendered["production"]
    expected = pool_selector({"metadata": {"name": "standard"}})
    service = next(
        s for s in by_kind(manifests, "Service") if s["metadata"]["name"] == "arkenos-worker"
    )
    assert service["spec"]["selector"] == expected
    policy = next(
        p for p in by_kind(manifests, "NetworkPolicy") if p["metadata"]["name"] == "arkenos-worker"
    )
    assert policy["spec"]["podSelector"]["matchLabels"] == expected
