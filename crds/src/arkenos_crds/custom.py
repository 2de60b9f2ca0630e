"""Settings of a custom agent: its code source, replicas, resources and isolation."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from arkenos_crds._base import CelRule, KubeModel
from arkenos_crds.meta import DNS_LABEL, QUANTITY, SHA256_DIGEST


class BundleSource(KubeModel):
    """A content-addressed bundle of the agent's files in the platform's object storage."""

    digest: str = Field(
        pattern=SHA256_DIGEST,
        description="sha256 digest of the bundle, as written by the dashboard's deploy.",
    )


class CodeSource(KubeModel):
    """Where the custom agent's code comes from: a bundle to build, or a prebuilt image."""

    bundle: BundleSource | None = Field(
        default=None, description="A bundle the operator builds in a Job."
    )
    image: str | None = Field(
        default=None,
        pattern=r"^[^\s@]+@sha256:[a-f0-9]{64}$",
        max_length=512,
        description="A container image pinned by digest (name@sha256:...); no build runs.",
    )

    cel_rules = (
        CelRule(
            "has(self.bundle) != has(self.image)", "exactly one of bundle and image must be set"
        ),
    )


class ReplicaBounds(KubeModel):
    """How many pods may run the agent."""

    min: int = Field(default=1, ge=0, le=100, description="Fewest pods kept running.")
    max: int = Field(default=3, ge=1, le=100, description="Most pods allowed.")

    cel_rules = (CelRule("self.min <= self.max", "min must not exceed max", ".min"),)


class ResourceAmounts(KubeModel):
    """CPU and memory as Kubernetes quantities."""

    cpu: str | None = Field(default=None, pattern=QUANTITY, description='CPU, for example "500m".')
    memory: str | None = Field(
        default=None, pattern=QUANTITY, description='Memory, for example "512Mi".'
    )


class Resources(KubeModel):
    """Compute resources of each pod. Unset values get the operator's defaults."""

    requests: ResourceAmounts = Field(
        default_factory=ResourceAmounts, description="Resources reserved for a pod."
    )
    limits: ResourceAmounts = Field(
        default_factory=ResourceAmounts, description="Most a pod may use."
    )


class EgressRule(KubeModel):
    """A destination the agent's pods may reach beyond DNS, the platform API and LiveKit."""

    name: str = Field(pattern=DNS_LABEL, max_length=63, description="Name of the rule.")
    cidr: str = Field(
        pattern=r"^[0-9a-fA-F.:]+/[0-9]{1,3}$", description="Destination network in CIDR form."
    )
    ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(
        default_factory=lambda: [443],
        min_length=1,
        max_length=16,
        description="TCP ports allowed.",
    )


class Isolation(KubeModel):
    """How the agent's pods are isolated."""

    runtime_class_name: str | None = Field(
        default=None,
        pattern=DNS_LABEL,
        max_length=63,
        description="RuntimeClass for the pods, for example gvisor.",
    )
    egress: list[EgressRule] = Field(
        default_factory=list,
        max_length=32,
        description="Extra destinations the pods may reach.",
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
    )


class CustomSpec(KubeModel):
    """Settings that apply only to a custom agent."""

    source: CodeSource = Field(description="Where the agent's code comes from.")
    entrypoint: str = Field(
        default="agent",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(:[A-Za-z_][A-Za-z0-9_]*)?$",
        max_length=256,
        description="Module to load, optionally with an attribute (module:attribute).",
    )
    replicas: ReplicaBounds = Field(default_factory=ReplicaBounds, description="Pod count bounds.")
    resources: Resources = Field(default_factory=Resources, description="Pod resources.")
    isolation: Isolation = Field(default_factory=Isolation, description="Isolation settings.")
    drain_timeout_seconds: int = Field(
        default=600,
        ge=10,
        le=7200,
        description="How long a stopping pod may keep serving its calls; becomes the pod's "
        "termination grace period.",
    )
