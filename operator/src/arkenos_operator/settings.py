"""Operator settings, read from ``ARKENOS_*`` environment variables and checked at startup.

A feature package with settings of its own declares another :class:`EnvSettings` subclass and
loads it with :func:`load_settings`, so every package fails fast the same way.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from typing import Any, Self, TypeVar, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from arkenos_crds.runtime import WORKLOAD_TOKEN_PATH

ENV_PREFIX = "ARKENOS_"


class SettingsError(RuntimeError):
    """The environment does not describe a runnable operator; the message says what to fix."""


class EnvSettings(BaseModel):
    """Base for settings read from the environment: one field per ``ARKENOS_<FIELD>`` var.

    Lists and mappings are given as JSON; everything else as plain text pydantic converts.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        return load_settings(cls, os.environ if environ is None else environ)


S = TypeVar("S", bound=EnvSettings)


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def load_settings(cls: type[S], environ: Mapping[str, str]) -> S:
    """Build ``cls`` from ``environ``; raise :class:`SettingsError` naming every bad variable."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field, info in cls.model_fields.items():
        raw = environ.get(env_name(field))
        if raw is None:
            continue
        if _is_structured(info.annotation):
            try:
                values[field] = json.loads(raw)
            except json.JSONDecodeError as error:
                problems.append(f"{env_name(field)}: not valid JSON ({error.msg})")
            continue
        values[field] = raw
    try:
        settings = cls.model_validate(values)
    except ValidationError as error:
        problems.extend(
            f"{env_name(str(e['loc'][0])) if e['loc'] else cls.__name__}: {e['msg']}"
            for e in error.errors()
        )
    if problems:
        raise SettingsError("Invalid operator settings: " + "; ".join(problems))
    return settings


def _is_structured(annotation: Any) -> bool:
    """Whether a field's environment value is JSON (lists, mappings, nested models)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return get_origin(annotation) in (list, dict, tuple)


class ResourceDefaults(BaseModel):
    """Requests and limits given to pods whose spec leaves them unset."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cpu_request: str = "250m"
    memory_request: str = "512Mi"
    cpu_limit: str = "1"
    memory_limit: str = "1Gi"


class OperatorSettings(EnvSettings):
    """Everything the operator's shared infrastructure and the agent and pool features need."""

    # Where the operator runs and what it watches.
    operator_namespace: str = Field(min_length=1, description="Namespace of the operator.")
    watch_namespaces: list[str] = Field(
        default_factory=list, description="Namespaces to watch; empty means the whole cluster."
    )
    # Peering: replicas share a peering object; the one with the highest priority acts and the
    # others pause. kopf pauses *every* replica when priorities tie, so each process picks a
    # random priority unless one is configured.
    peering_name: str = "arkenos-operator"
    standalone: bool = False
    priority: int = Field(default_factory=lambda: 1 + secrets.randbelow(2**31 - 2))
    # Probes and metrics.
    probe_port: int = Field(default=8080, ge=0, le=65535, description="0 picks a free port.")
    metrics_port: int = Field(default=9090, ge=0, le=65535, description="0 picks a free port.")
    log_format: str = Field(default="json", pattern="^(json|text)$")
    # Retries: exponential from backoff_base_seconds, capped at backoff_max_seconds.
    backoff_base_seconds: float = Field(default=1.0, gt=0)
    backoff_max_seconds: float = Field(default=30.0, gt=0)
    resync_seconds: float = Field(default=60.0, gt=0, description="Drift-correction period.")

    # The platform the workers talk to.
    api_url: str = Field(
        min_length=1,
        description="ARKENOS_API_URL given to the workers; the operator asks it too whether "
        "each agent's calls would be served (agent readiness).",
    )
    api_token_file: str = Field(
        default=WORKLOAD_TOKEN_PATH,
        min_length=1,
        description="The operator's own ServiceAccount token (audience arkenos-api), sent as "
        "Bearer when it asks the API about agent readiness.",
    )
    api_timeout_seconds: float = Field(default=5.0, gt=0)
    readiness_recheck_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How soon an agent the API says cannot be served (no key stored yet, not "
        "a workspace) is asked about again: storing the key makes it Ready within this time.",
    )
    api_namespace: str | None = Field(default=None, description="Namespace of the API pods.")
    api_pod_labels: dict[str, str] = Field(
        default_factory=lambda: {
            "app.kubernetes.io/name": "arkenos",
            "app.kubernetes.io/component": "api",
        }
    )
    api_port: int = Field(default=8000, ge=1, le=65535)
    livekit_url: str = Field(min_length=1, description="LIVEKIT_URL given to the workers.")
    livekit_secret_name: str = Field(
        default="arkenos-livekit",
        description="Secret in the operator namespace with LIVEKIT_API_KEY and LIVEKIT_API_SECRET.",
    )
    livekit_cidrs: list[str] = Field(default_factory=lambda: ["0.0.0.0/0"])
    livekit_tcp_ports: list[int] = Field(default_factory=lambda: [443, 7880, 7881])
    livekit_udp_port_range: tuple[int, int] = (50000, 60000)

    # Images and storage.
    worker_image: str = Field(min_length=1, description="Image of the standard worker.")
    agent_runtime_image: str = Field(
        min_length=1, description="Image with arkenos-build and arkenos-custom-runner."
    )
    image_pull_policy: str = Field(default="IfNotPresent", pattern="^(Always|IfNotPresent|Never)$")
    s3_secret_name: str = Field(
        default="arkenos-s3",
        description="Secret in the operator namespace with the ARKENOS_S3_* variables.",
    )
    build_backoff_limit: int = Field(default=1, ge=0, le=10)
    build_deadline_seconds: int = Field(default=900, ge=60)
    build_ttl_seconds: int = Field(default=86400, ge=60)

    # The shared worker pool.
    pool_name: str = Field(default="standard", description="Name of the WorkerPool to serve.")
    pool_scale_interval_seconds: float = Field(default=10.0, gt=0)
    worker_metrics_url: str = Field(
        default="http://{pod_ip}:{metrics_port}/metrics",
        description="Template of a worker pod's metrics URL: {pod_ip}, {pod_name}, and "
        "{metrics_port} (the pod's container port named metrics, else 9102).",
    )
    worker_metrics_timeout_seconds: float = Field(default=2.0, gt=0)
    default_resources: ResourceDefaults = Field(default_factory=ResourceDefaults)

    @property
    def api_pods_namespace(self) -> str:
        return self.api_namespace or self.operator_namespace
