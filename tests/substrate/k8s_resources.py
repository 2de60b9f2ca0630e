"""Which resources the emulated Kubernetes API serves: the built-ins the platform touches, and
the custom resources read from CRD manifests (the committed ``crds/*.yaml`` or a POSTed CRD).
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kmock
import yaml

ALL_VERBS = frozenset(
    {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
)
REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
PROJECT_CRDS_DIR = REPOSITORY_ROOT / "crds"


@dataclass(frozen=True)
class ApiResource:
    """One served resource, as API discovery describes it."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def key(self) -> kmock.resource:
        return kmock.resource(self.group, self.version, self.plural)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def info(self) -> kmock.ResourceInfo:
        return kmock.ResourceInfo(
            kind=self.kind,
            singular=self.kind.lower(),
            namespaced=self.namespaced,
            verbs=set(ALL_VERBS),
            shortnames=set(self.short_names),
            categories=set(self.categories),
            subresources=set(self.subresources),
        )


def _core(plural: str, kind: str, **options: Any) -> ApiResource:
    return ApiResource("", "v1", plural, kind, **options)


BUILTIN_RESOURCES: tuple[ApiResource, ...] = (
    _core(
        "namespaces", "Namespace", namespaced=False, short_names=("ns",), subresources=("status",)
    ),
    _core("secrets", "Secret"),
    _core("configmaps", "ConfigMap", short_names=("cm",)),
    _core("serviceaccounts", "ServiceAccount", short_names=("sa",)),
    _core("services", "Service", short_names=("svc",), subresources=("status",)),
    _core("pods", "Pod", short_names=("po",), subresources=("status",)),
    _core("events", "Event", short_names=("ev",)),
    _core("resourcequotas", "ResourceQuota", short_names=("quota",), subresources=("status",)),
    _core("limitranges", "LimitRange", short_names=("limits",)),
    ApiResource(
        "apps",
        "v1",
        "deployments",
        "Deployment",
        short_names=("deploy",),
        subresources=("status", "scale"),
    ),
    ApiResource("batch", "v1", "jobs", "Job", subresources=("status",)),
    ApiResource(
        "networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", short_names=("netpol",)
    ),
    ApiResource("coordination.k8s.io", "v1", "leases", "Lease"),
    ApiResource("kopf.dev", "v1", "kopfpeerings", "KopfPeering"),
    ApiResource("kopf.dev", "v1", "clusterkopfpeerings", "ClusterKopfPeering", namespaced=False),
    ApiResource(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        namespaced=False,
        short_names=("crd", "crds"),
        subresources=("status",),
    ),
)
CRD_RESOURCE = BUILTIN_RESOURCES[-1]


def is_crd_manifest(manifest: Any) -> bool:
    return (
        isinstance(manifest, Mapping)
        and manifest.get("apiVersion") == CRD_RESOURCE.api_version
        and manifest.get("kind") == CRD_RESOURCE.kind
    )


def resources_from_crd(crd: Mapping[str, Any]) -> list[ApiResource]:
    """The resources a CustomResourceDefinition serves: one per served version."""
    spec = crd["spec"]
    names = spec["names"]
    return [
        ApiResource(
            group=spec["group"],
            version=version["name"],
            plural=names["plural"],
            kind=names["kind"],
            namespaced=spec.get("scope", "Namespaced") == "Namespaced",
            short_names=tuple(names.get("shortNames", ())),
            subresources=tuple(version.get("subresources") or {}),
            categories=tuple(names.get("categories", ())),
        )
        for version in spec["versions"]
        if version.get("served", True)
    ]


def load_crd_manifests(directory: Path = PROJECT_CRDS_DIR) -> list[dict[str, Any]]:
    """Every CustomResourceDefinition in the YAML files directly under ``directory``."""
    return [
        document
        for path in sorted(directory.glob("*.yaml"))
        for document in _yaml_documents(path)
        if is_crd_manifest(document)
    ]


def _yaml_documents(path: Path) -> Iterator[Any]:
    with path.open() as stream:
        yield from yaml.safe_load_all(stream)
