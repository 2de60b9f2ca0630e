"""Worker settings from ARKENOS_* environment variables (pydantic-settings), built once in
each entry point, never at import. :func:`load_settings` lists every problem in one message.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, TypeVar

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from arkenos_crds.runtime import WORKLOAD_TOKEN_PATH

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Networks = Annotated[tuple[IPNetwork, ...], NoDecode]

#: Kubernetes' default service range; clusters with another one set ARKENOS_CLUSTER_CIDRS.
DEFAULT_CLUSTER_CIDRS = "10.96.0.0/12"
PREFIX = "ARKENOS_"


def _env(field: str, env: str) -> Any:
    """The field takes its value from ARKENOS_<env> (or its own name, in code)."""
    return AliasChoices(field, PREFIX + env)


def _networks(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(
            ipaddress.ip_network(item.strip()) for item in value.split(",") if item.strip()
        )
    return value


class _Base(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=PREFIX, extra="ignore", frozen=True, populate_by_name=True
    )


class Settings(_Base):
    """What the standard worker and the custom runner read."""

    api_url: str = Field(min_length=1, description="URL of the Arkenos API")
    token_file: str = Field(default=WORKLOAD_TOKEN_PATH, description="projected token file")
    health_port: int = 8081
    metrics_port: int = 9102
    #: How long a terminating worker lets its calls finish (the operator sets it from the
    #: pod's grace period).
    drain_timeout_s: int = Field(
        default=3600, ge=0, validation_alias=_env("drain_timeout_s", "DRAIN_TIMEOUT_SECONDS")
    )
    #: Job threads kept warm (VAD loaded) for the next calls.
    idle_processes: int = Field(default=2, ge=0)
    #: Concurrent sessions one worker takes before it reports itself full (the pool's
    #: sessionsPerReplica, set by the operator).
    max_sessions: int = Field(default=25, ge=1)
    #: Service (and pod) networks of the cluster; HTTP tools may never reach them.
    cluster_cidrs: Networks = Field(default_factory=lambda: _networks(DEFAULT_CLUSTER_CIDRS))
    #: Addresses HTTP tools may reach although the SSRF guard would refuse them. For tests and
    #: local development only; empty unless set.
    tool_allowed_networks: Networks = Field(
        default=(), validation_alias=_env("tool_allowed_networks", "TOOLS_ALLOW_NETWORKS")
    )
    #: Events one session buffers for the API before the oldest are dropped.
    report_buffer: int = Field(default=5000, ge=1)
    log_json: bool = False
    #: livekit-rtc's native logs through Python's logging, as livekit forwards them (every
    #: record, TRACE included, sent to Python: 3-7 % of the worker's CPU at 6 calls); by
    #: default the native library prints them itself on stderr, filtered by RUST_LOG
    #: (``native_logs``).
    forward_native_logs: bool = False

    @field_validator("api_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("cluster_cidrs", "tool_allowed_networks", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _networks(value)


class CustomAgentSettings(Settings):
    """The custom runner's settings: also which agent its pods serve."""

    workspace: str = Field(min_length=1, description="namespace of the agent")
    agent: str = Field(min_length=1, description="name of the VoiceAgent")
    dispatch_name: str = Field(min_length=1, description="LiveKit agent name to register as")


class CodeStoreSettings(_Base):
    """Where the build and fetch commands reach the agent's code (through the API), and as
    whom: the pod's projected token. No object storage setting: pods hold no bucket key."""

    api_url: str = Field(min_length=1, description="URL of the Arkenos API")
    token_file: str = Field(default=WORKLOAD_TOKEN_PATH, description="projected token file")
    workspace: str = Field(min_length=1, description="namespace of the agent")
    agent: str = Field(min_length=1, description="name of the VoiceAgent")


class SettingsError(RuntimeError):
    """The environment does not make valid settings; the message lists every problem."""


S = TypeVar("S", bound=_Base)


def load_settings(cls: type[S], env: dict[str, str] | None = None) -> S:
    """``cls`` from the process environment (or ``env``), or :class:`SettingsError`."""
    try:
        if env is None:
            return cls()
        names = {field: _env_name(cls, field) for field in cls.model_fields}
        return cls.model_validate({f: env[n] for f, n in names.items() if n in env})
    except ValidationError as error:
        raise SettingsError(describe(cls, error)) from None


def describe(cls: type[_Base], error: ValidationError) -> str:
    problems = []
    for issue in error.errors():
        field = str(issue["loc"][0]) if issue["loc"] else ""
        name = _env_name(cls, field)
        if issue["type"] == "missing":
            about = cls.model_fields[field].description if field in cls.model_fields else None
            problems.append(f"{name} is required" + (f" ({about})" if about else ""))
        else:
            problems.append(f"{name}: {issue['msg']}")
    return "; ".join(problems)


def _env_name(cls: type[_Base], field: str) -> str:
    info = cls.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    if isinstance(alias, AliasChoices):
        return str(alias.choices[-1])
    if field.startswith(PREFIX):
        return field
    return PREFIX + field.upper()
