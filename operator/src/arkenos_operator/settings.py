"""Operator settings, read from ``ARKENOS_*`` environment variables by pydantic-settings and
checked at startup, every problem named in one message.

A feature package with settings of its own declares another :class:`EnvSettings` subclass and
loads it with ``MySettings.from_env()``, so every package fails fast the same way. None of the
operator's settings is a secret (credentials come from Kubernetes Secrets it is told the names
of); a secret setting would be a ``SecretStr``.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from typing import Any, Self, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError
from pydantic_settings.sources.utils import parse_env_vars

from arkenos_crds.runtime import WORKLOAD_TOKEN_PATH

ENV_PREFIX = "ARKENOS_"


class SettingsError(RuntimeError):
    """The environment does not describe a runnable operator; the message says what to fix."""


class _MappingSource(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping (tests pass their own)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._environ, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


class EnvSettings(BaseSettings):
    """Base for settings read from the environment: one field per ``ARKENOS_<FIELD>`` var.

    Lists and mappings are given as JSON; everything else as plain text pydantic converts.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="forbid")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Build the settings from ``environ`` (the process environment by default); raise
        :class:`SettingsError` naming every bad variable at once."""
        environ = dict(os.environ if environ is None else environ)
        problems = _json_problems(cls.model_fields, environ)
        for name in problems:
            environ.pop(name)
        values: dict[str, Any] = {}
        try:
            values = _MappingSource(cls, environ)()
        except SourceError as error:
            problems[cls.__name__] = str(error)
        try:
            settings = cls.model_validate(values)
        except ValidationError as error:
            for e in error.errors():
                name = env_name(str(e["loc"][0])) if e["loc"] else cls.__name__
                if name not in problems:  # a bad JSON value is reported once, as bad JSON
                    problems[name] = e["msg"]
        if problems:
            listed = "; ".join(f"{name}: {problem}" for name, problem in problems.items())
            raise SettingsError("Invalid operator settings: " + listed)
        return settings


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def _json_problems(fields: Mapping[str, FieldInfo], environ: Mapping[str, str]) -> dict[str, str]:
    """Structured values (lists, mappings, models) that are not JSON, by variable name."""
    problems: dict[str, str] = {}
    for field, info in fields.items():
        raw = environ.get(env_name(field))
        if raw is None or not _is_structured(info.annotation):
            continue
        try:
            json.loads(raw)
        except json.JSONDecodeError as error:
            problems[env_name(field)] = f"not valid JSON ({error.msg})"
    return problems


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
    livekit_url: str = Field(
        min_length=1, description="LIVEKIT_URL given to the shared pool's workers."
    )
    worker_gateway_url: str | None = Field(
        default=None,
        description="LIVEKIT_URL given to custom agents: the API's worker gateway, through "
        "which they register without any LiveKit credential (default: api_url followed by "
        "the gateway's path).",
    )
    livekit_secret_name: str = Field(
        default="arkenos-livekit",
        description="Secret in the operator namespace with LIVEKIT_API_KEY and LIVEKIT_API_SECRET.",
    )
    livekit_namespace: str | None = Field(
        default=None,
        description="Namespace of in-cluster LiveKit pods; custom agents may reach the pods "
        "with livekit_pod_labels there.",
    )
    livekit_pod_labels: dict[str, str] = Field(
        default_factory=lambda: {"app.kubernetes.io/name": "livekit-server"}
    )
    livekit_cidrs: list[str] = Field(
        default_factory=list,
        description="CIDRs of a LiveKit outside the cluster. With neither these nor "
        "livekit_namespace, custom agents get no egress to LiveKit at all (never 0.0.0.0/0).",
    )
    livekit_tcp_ports: list[int] = Field(default_factory=lambda: [443, 7880, 7881])
    livekit_udp_port_range: tuple[int, int] = (50000, 60000)

    # Images and storage.
    worker_image: str = Field(min_length=1, description="Image of the standard worker.")
    agent_runtime_image: str = Field(
        min_length=1, description="Image with arkenos-build and arkenos-custom-runner."
    )
    image_pull_policy: str = Field(default="IfNotPresent", pattern="^(Always|IfNotPresent|Never)$")
    build_backoff_limit: int = Field(default=1, ge=0, le=10)
    build_deadline_seconds: int = Field(default=900, ge=60)
    build_ttl_seconds: int = Field(default=86400, ge=60)
    build_egress_cidrs: list[str] = Field(
        default_factory=list,
        description="CIDRs build pods may reach besides DNS and the API: the package index "
        "(or its proxy). Bundles and artifacts go through the API.",
    )
    build_egress_ports: list[int] = Field(default_factory=lambda: [443])
    build_pip_index_url: str | None = Field(
        default=None,
        description="Package index the build installs requirements from (pip's --index-url; "
        "default: pip's own, https://pypi.org/simple). Allow it in build_egress_cidrs.",
    )

    custom_sessions_per_replica: int = Field(
        default=10,
        ge=1,
        le=1000,
        description="Concurrent calls one custom agent pod takes (its ARKENOS_MAX_SESSIONS).",
    )
    custom_scale_interval_seconds: float = Field(
        default=10.0,
        gt=0,
        description="How often each custom agent's pods are scraped for live sessions and its "
        "replicas decided (the pool's scaler, per agent).",
    )
    custom_scale_down_delay_seconds: int = Field(
        default=300,
        ge=0,
        le=86400,
        description="Time between two scale-down steps of a custom agent, and since its last "
        "scale-up: the idle period before an agent with min 0 goes back to zero.",
    )
    custom_wake_seconds: int = Field(
        default=120,
        ge=1,
        le=3600,
        description="How long the API's wake mark on a custom agent counts as a call waiting "
        "for a pod: it must cover a cold start (pod scheduled, image pulled, worker "
        "registered), after which the call is counted on the pod itself.",
    )

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
