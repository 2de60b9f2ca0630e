"""Validating rendered objects: core kinds against the Kubernetes OpenAPI schemas
(kubernetes-validate, offline), custom resources against the chart's own CRD schemas, and the
Prometheus Operator kinds against the fields this chart relies on."""

from __future__ import annotations

from typing import Any

import jsonschema
import kubernetes_validate

from tests.chart._support import Manifest, crd_schema

#: Kinds whose CRDs the chart installs (crds/): validated against those schemas.
OWN_GROUPS = ("arkenos.io", "kopf.dev")
#: Kinds whose CRDs come from the Prometheus Operator, which is not vendored here: checked for
#: the fields the chart sets, so a typo in a template still fails.
MONITORING_REQUIRED = {
    "ServiceMonitor": ("selector", "endpoints"),
    "PrometheusRule": ("groups",),
}


def validate_manifest(manifest: Manifest, kube_version: str) -> None:
    """Raise AssertionError naming the object and the first problem found."""
    api_version: str = manifest["apiVersion"]
    kind: str = manifest["kind"]
    label = f"{kind} {manifest['metadata'].get('name')}"
    group, _, version = api_version.rpartition("/")
    if group in OWN_GROUPS:
        _validate_custom(manifest, group, kind, version, label)
    elif group == "monitoring.coreos.com":
        missing = [k for k in MONITORING_REQUIRED[kind] if k not in manifest.get("spec", {})]
        assert not missing, f"{label}: spec lacks {missing}"
    else:
        try:
            kubernetes_validate.validate(manifest, kube_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            raise AssertionError(f"{label} (Kubernetes {kube_version}): {error.message}") from error


def _validate_custom(manifest: Manifest, group: str, kind: str, version: str, label: str) -> None:
    schema: dict[str, Any] = crd_schema(group, kind, version)
    errors = sorted(
        jsonschema.Draft7Validator(schema).iter_errors(manifest), key=lambda e: list(e.path)
    )
    assert not errors, f"{label}: {errors[0].message} at {list(errors[0].path)}"
