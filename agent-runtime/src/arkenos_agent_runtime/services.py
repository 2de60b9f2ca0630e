"""What one call borrows from its worker process, and who is on the call; shared by the
standard worker and the custom runner."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from arkenos_agent_runtime.api_client import RuntimeAPI
from arkenos_agent_runtime.health.metrics import WorkerMetrics
from arkenos_agent_runtime.reporting.reporter import ReportingOptions
from arkenos_agent_runtime.standard.clients import OpenAIClients
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


@dataclass(frozen=True)
class CallParties:
    direction: CallDirection
    caller: str | None
    callee: str | None
    #: The SIP participant's identity, for transfers.
    sip_identity: str | None
