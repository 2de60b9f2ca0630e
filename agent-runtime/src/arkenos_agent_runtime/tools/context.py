"""The typed per-call data that flows into tools through ``RunContext.userdata``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from livekit.agents.llm import RawFunctionTool

from arkenos_agent_runtime.health.metrics import WorkerMetrics
from arkenos_agent_runtime.tools.ssrf import SSRFGuard
from arkenos_agent_runtime.tools.telephony import CallSessionId, Telephony
from arkenos_crds.runtime import EndReason, RuntimeConfig

AnyTool = RawFunctionTool[..., Any]


@dataclass
class CallData:
    config: RuntimeConfig
    room: str
    #: The SIP caller's participant identity, when the call came over SIP (transfer needs it).
    sip_participant: str | None
    telephony: Telephony
    guard: SSRFGuard
    http: httpx.AsyncClient
    metrics: WorkerMetrics | None = None
    #: The call's session id once registered with the API (telephony acts on that session).
    session_id: CallSessionId = field(default_factory=CallSessionId)
    #: Set by end_call/transfer_call: why the call ended, for the session report.
    end_reason: EndReason | None = None

    def count_tool(self, tool: str, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.tool_calls.labels(tool=tool, outcome=outcome).inc()
