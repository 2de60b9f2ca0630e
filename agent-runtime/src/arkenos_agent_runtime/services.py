"""What one call borrows from its worker process, and who is on the call; shared by the
standard worker and the custom runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from arkenos_agent_runtime.api_client import RuntimeAPI
from arkenos_agent_runtime.health.metrics import WorkerMetrics
from arkenos_agent_runtime.openai_clients import OpenAIClients
from arkenos_agent_runtime.reporting.reporter import ReportingOptions
from arkenos_agent_runtime.tools.ssrf import SSRFGuard
from arkenos_crds.runtime import CallDirection


@dataclass
class CallServices:
    api: RuntimeAPI
    guard: SSRFGuard
    metrics: WorkerMetrics | None
    reporting: ReportingOptions
    http: httpx.AsyncClient
    #: OpenAI SDK clients of the call, on the worker's TLS context.
    openai: OpenAIClients
    #: Whether the worker is draining: a call its drain cuts off ends as Drained.
    draining: Callable[[], bool] = field(default=lambda: False)
    #: Shutdown work that still needs these clients (reporting's flush). livekit runs a job's
    #: shutdown callbacks concurrently, so the host runs these in order, then closes the clients.
    shutdown: list[Callable[[str], Awaitable[None]]] = field(default_factory=list)


@dataclass(frozen=True)
class CallParties:
    direction: CallDirection
    caller: str | None
    callee: str | None
    #: The SIP participant's identity, for transfers.
    sip_identity: str | None
