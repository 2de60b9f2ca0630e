"""The WorkerPool resource: the scaling policy of the shared standard worker Deployment."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from arkenos_crds._base import CelRule, KubeModel
from arkenos_crds.custom import Resources
from arkenos_crds.meta import ObjectMeta, ResourceStatus

KIND = "WorkerPool"


class PoolReplicas(KubeModel):
    """Bounds on the worker Deployment's replicas."""

    min: int = Field(default=1, ge=0, le=1000, description="Fewest workers kept running.")
    max: int = Field(default=10, ge=1, le=1000, description="Most workers allowed.")

    cel_rules = (CelRule("self.min <= self.max", "min must not exceed max", ".min"),)


class ScaleDownPolicy(KubeModel):
    """How fast the pool shrinks. It grows at once."""

    delay_seconds: int = Field(
        default=300,
        ge=0,
        le=86400,
        description="Time between two scale-down steps, and since the last scale-up.",
    )
    step: int = Field(default=1, ge=1, le=100, description="Most workers removed per step.")


class WorkerPoolSpec(KubeModel):
    """Desired scaling policy of the shared worker pool."""

    replicas: PoolReplicas = Field(default_factory=PoolReplicas, description="Replica bounds.")
    sessions_per_replica: int = Field(
        default=10, ge=1, le=1000, description="Concurrent calls one worker serves."
    )
    warm_buffer: int = Field(
        default=2,
        ge=0,
        le=10000,
        description="Idle session slots kept ready beyond the live sessions.",
    )
    scale_down: ScaleDownPolicy = Field(
        default_factory=ScaleDownPolicy, description="Scale-down pace."
    )
    drain_timeout_seconds: int = Field(
        default=600,
        ge=10,
        le=7200,
        description="How long a stopping worker may keep serving its calls; at least the "
        "longest call. Becomes the pods' termination grace period.",
    )
    resources: Resources = Field(default_factory=Resources, description="Worker pod resources.")


class ScalingDecision(KubeModel):
    """A scaler's last change of the replica count (the pool's, or a custom agent's)."""

    time: datetime = Field(description="When the decision was made.")
    from_replicas: int = Field(ge=0, description="Replicas before.")
    to_replicas: int = Field(ge=0, description="Replicas after.")
    reason: str = Field(max_length=1024, description="Why, in words.")


class WorkerPoolStatus(ResourceStatus):
    """Observed state of the worker pool."""

    replicas: int | None = Field(default=None, ge=0, description="Workers desired now.")
    ready_replicas: int | None = Field(default=None, ge=0, description="Workers ready.")
    active_sessions: int | None = Field(
        default=None, ge=0, description="Calls in progress across the pool."
    )
    capacity: int | None = Field(
        default=None, ge=0, description="Sessions the ready workers can hold."
    )
    last_decision: ScalingDecision | None = Field(
        default=None, description="The last scaling decision and why."
    )


class WorkerPool(KubeModel):
    """The shared standard worker pool."""

    api_version: Literal["arkenos.io/v1alpha1"] = Field(
        default="arkenos.io/v1alpha1", description="API version."
    )
    kind: Literal["WorkerPool"] = Field(default="WorkerPool", description="Kind.")
    metadata: ObjectMeta = Field(default_factory=ObjectMeta, description="Object metadata.")
    spec: WorkerPoolSpec = Field(default_factory=WorkerPoolSpec, description="Desired state.")
    status: WorkerPoolStatus | None = Field(default=None, description="Observed state.")


class WorkerPoolConditionType(StrEnum):
    #: True when at least one worker is ready to take calls.
    READY = "Ready"
    #: True when capacity covers live sessions plus the warm buffer.
    SCALED = "Scaled"
