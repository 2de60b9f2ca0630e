"""Worker settings from the environment, read once at startup (never at import)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field

from arkenos_crds.runtime import WORKLOAD_TOKEN_PATH

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Kubernetes' default service range; clusters with another one set ARKENOS_CLUSTER_CIDRS.
DEFAULT_CLUSTER_CIDRS = "10.96.0.0/12"


def _networks(value: str) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(item.strip()) for item in value.split(",") if item.strip())


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes"}


@dataclass(frozen=True)
class Settings:
    api_url: str
    token_file: str = WORKLOAD_TOKEN_PATH
    health_port: int = 8081
    metrics_port: int = 9102
    drain_timeout_s: int = 3600
    #: Job threads kept warm (VAD loaded) for the next calls.
    idle_processes: int = 2
    #: Concurrent sessions one worker takes before it reports itself full.
    max_sessions: int = 25
    #: Service (and pod) networks of the cluster; HTTP tools may never reach them.
    cluster_cidrs: tuple[IPNetwork, ...] = field(
        default_factory=lambda: _networks(DEFAULT_CLUSTER_CIDRS)
    )
    #: Addresses HTTP tools may reach although the SSRF guard would refuse them. For tests and
    #: local development only; empty unless set.
    tool_allowed_networks: tuple[IPNetwork, ...] = ()
    #: Events one session buffers for the API before the oldest are dropped.
    report_buffer: int = 5000
    log_json: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        api_url = env.get("ARKENOS_API_URL", "").rstrip("/")
        if not api_url:
            raise ValueError("ARKENOS_API_URL is required: the URL of the Arkenos API")
        return cls(
            api_url=api_url,
            token_file=env.get("ARKENOS_TOKEN_FILE", WORKLOAD_TOKEN_PATH),
            health_port=int(env.get("ARKENOS_HEALTH_PORT", "8081")),
            metrics_port=int(env.get("ARKENOS_METRICS_PORT", "9102")),
            drain_timeout_s=int(env.get("ARKENOS_DRAIN_TIMEOUT_SECONDS", "3600")),
            max_sessions=int(env.get("ARKENOS_MAX_SESSIONS", "25")),
            idle_processes=int(env.get("ARKENOS_IDLE_PROCESSES", "2")),
            cluster_cidrs=_networks(env.get("ARKENOS_CLUSTER_CIDRS", DEFAULT_CLUSTER_CIDRS)),
            tool_allowed_networks=_networks(env.get("ARKENOS_TOOLS_ALLOW_NETWORKS", "")),
            report_buffer=int(env.get("ARKENOS_REPORT_BUFFER", "5000")),
            log_json=_flag(env.get("ARKENOS_LOG_JSON")),
        )
