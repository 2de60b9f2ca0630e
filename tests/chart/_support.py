"""What the chart tests share: the real helm binary, the values sets, rendering and schemas."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "charts" / "arkenos"
NAMESPACE = "arkenos-system"
RELEASE = "arkenos"
#: Kubernetes versions the rendered objects are validated against: the oldest the chart
#: supports (Chart.yaml kubeVersion) and a recent one.
KUBE_VERSIONS = ("1.28.0", "1.34.0")
#: The cluster version helm renders and lints for. Passed explicitly: a helm built without the
#: release's linker flags assumes Kubernetes 1.20, which the chart's kubeVersion refuses.
HELM_KUBE_VERSION = KUBE_VERSIONS[-1]

Manifest = dict[str, Any]


@dataclass(frozen=True)
class ValuesSet:
    """A named combination of values files, layered in order."""

    name: str
    files: tuple[str, ...]

    def paths(self) -> list[Path]:
        return [CHART / file for file in self.files]


VALUES_SETS = (
    ValuesSet("defaults", ()),
    ValuesSet("production", ("ci/production-values.yaml",)),
    ValuesSet("quickstart", ("values-quickstart.yaml",)),
    ValuesSet("quickstart-sip", ("values-quickstart.yaml", "ci/quickstart-sip-values.yaml")),
    ValuesSet("ingress-tls", ("ci/ingress-tls-values.yaml",)),
)


class RenderError(AssertionError):
    """helm refused to render; the message is helm's."""


def render(
    helm: Path,
    values: ValuesSet | None = None,
    *,
    set_values: Sequence[str] = (),
    values_text: str | None = None,
    tmp_path: Path | None = None,
) -> list[Manifest]:
    """``helm template`` of the chart: every rendered object, hooks included."""
    args = [str(helm), "template", RELEASE, str(CHART), "--namespace", NAMESPACE]
    args += ["--kube-version", HELM_KUBE_VERSION]
    for path in values.paths() if values else ():
        args += ["--values", str(path)]
    if values_text is not None:
        assert tmp_path is not None, "values_text needs tmp_path"
        extra = tmp_path / "extra-values.yaml"
        extra.write_text(values_text)
        args += ["--values", str(extra)]
    for item in set_values:
        args += ["--set", item]
    result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        raise RenderError(result.stderr.strip())
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def one(manifests: list[Manifest], kind: str, name: str) -> Manifest:
    found = [m for m in by_kind(manifests, kind) if m["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
    return found[0]


def container_env(manifest: Manifest, container: str) -> dict[str, Any]:
    """A container's env as name -> value (or the valueFrom mapping)."""
    spec = manifest["spec"]["template"]["spec"]
    for candidate in [*spec.get("initContainers", []), *spec["containers"]]:
        if candidate["name"] == container:
            return {e["name"]: e.get("value", e.get("valueFrom")) for e in candidate["env"]}
    raise AssertionError(f"no container {container} in {manifest['metadata']['name']}")


@cache
def chart_crds() -> dict[str, Manifest]:
    """The CRDs in the chart's crds/ folder, by name."""
    crds: dict[str, Manifest] = {}
    for path in sorted((CHART / "crds").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                crds[doc["metadata"]["name"]] = doc
    return crds


def crd_schema(group: str, kind: str, version: str) -> dict[str, Any]:
    """The openAPIV3Schema a CRD in the chart declares for group/kind/version."""
    for crd in chart_crds().values():
        spec = crd["spec"]
        if spec["group"] == group and spec["names"]["kind"] == kind:
            for served in spec["versions"]:
                if served["name"] == version:
                    schema: dict[str, Any] = served["schema"]["openAPIV3Schema"]
                    return schema
    raise AssertionError(f"the chart has no CRD for {group}/{version} {kind}")


def values_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text())
    return schema
