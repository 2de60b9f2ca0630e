"""Validating rendered objects: core kinds against the Kubernetes OpenAPI schemas
(kubernetes-validate, offline), custom resources against the chart's own CRD schemas, and the
Prometheus Operator's kinds against that project's CRDs (from its Go module, pinned below)."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from tests.chart._support import Manifest, crd_schema

#: Kinds whose CRDs the chart installs (crds/): validated against those schemas.
OWN_GROUPS = ("arkenos.io", "kopf.dev")
#: The Prometheus Operator release whose CRDs ServiceMonitor and PrometheusRule are checked
#: against: its Go module ships them under example/prometheus-operator-crd/.
PROMETHEUS_OPERATOR = "github.com/prometheus-operator/prometheus-operator@v0.85.0"
MONITORING_CRDS = {
    "ServiceMonitor": "monitoring.coreos.com_servicemonitors.yaml",
    "PrometheusRule": "monitoring.coreos.com_prometheusrules.yaml",
}


@cache
def _prometheus_operator_dir() -> Path:
    """The module's files, downloaded once into Go's module cache (`go mod download`)."""
    go = shutil.which("go")
    assert go, "Go is needed to fetch the Prometheus Operator's CRDs (go mod download)"
    result = subprocess.run(
        [go, "mod", "download", "-json", PROMETHEUS_OPERATOR],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    info = json.loads(result.stdout or "{}")
    assert "Dir" in info, (
        f"go mod download {PROMETHEUS_OPERATOR}: {info.get('Error', result.stderr)}"
    )
    return Path(info["Dir"])


@cache
def monitoring_schema(kind: str) -> dict[str, Any]:
    path = _prometheus_operator_dir() / "example/prometheus-operator-crd" / MONITORING_CRDS[kind]
    crd = yaml.safe_load(path.read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
    return schema


def validate_manifest(manifest: Manifest, kube_version: str) -> None:
    """Raise AssertionError naming the object and the first problem found."""
    api_version: str = manifest["apiVersion"]
    kind: str = manifest["kind"]
    label = f"{kind} {manifest['metadata'].get('name')}"
    group, _, version = api_version.rpartition("/")
    if group in OWN_GROUPS:
        _validate_custom(manifest, group, kind, version, label)
    elif group == "monitoring.coreos.com":
        _check(monitoring_schema(kind), manifest, label)
    else:
        try:
            kubernetes_validate.validate(manifest, kube_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            raise AssertionError(f"{label} (Kubernetes {kube_version}): {error.message}") from error


def _validate_custom(manifest: Manifest, group: str, kind: str, version: str, label: str) -> None:
    _check(crd_schema(group, kind, version), manifest, label)


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with unknown fields refused wherever it declares properties and does not
    preserve unknown fields: what `kubectl apply --validate=strict` reports (the API server
    would otherwise drop a misspelt field silently)."""
    out = dict(schema)
    if "properties" in schema:
        out["properties"] = {name: closed(sub) for name, sub in schema["properties"].items()}
        if "additionalProperties" not in schema and not schema.get(
            "x-kubernetes-preserve-unknown-fields"
        ):
            out["additionalProperties"] = False
    if isinstance(schema.get("items"), dict):
        out["items"] = closed(schema["items"])
    if isinstance(schema.get("additionalProperties"), dict):
        out["additionalProperties"] = closed(schema["additionalProperties"])
    for keyword in ("allOf", "anyOf", "oneOf"):
        if keyword in schema:
            out[keyword] = [closed(sub) for sub in schema[keyword]]
    return out


def _object_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A CRD's schema as the API server applies it: apiVersion, kind and metadata are implicit."""
    implicit = {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
    }
    return {**schema, "properties": {**implicit, **schema.get("properties", {})}}


def _check(schema: dict[str, Any], manifest: Manifest, label: str) -> None:
    errors = sorted(
        jsonschema.Draft7Validator(closed(_object_schema(schema))).iter_errors(manifest),
        key=lambda e: list(e.path),
    )
    assert not errors, f"{label}: {errors[0].message} at {list(errors[0].path)}"
