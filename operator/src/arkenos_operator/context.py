"""Operator-wide state, created at startup and carried in kopf's memo (never module globals,
so two operators in one process, as in the tests, never share anything).

A feature keeps its own state in the memo under its own key, as a typed object its startup
handler creates (for example ``voiceagent.state.VoiceAgentFeature``), never in a shared bag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import kopf
from aiohttp import web

from arkenos_operator.kernel.locks import ObjectLocks
from arkenos_operator.kernel.persistence import MemoryDiffBaseStorage
from arkenos_operator.kernel.runner import Runner
from arkenos_operator.kube import KubeClient
from arkenos_operator.metrics import OperatorMetrics
from arkenos_operator.settings import OperatorSettings

MEMO_KEY = "arkenos"


@dataclass
class OperatorContext:
    """What every handler needs: settings, the API client, metrics and the reconcile runner."""

    settings: OperatorSettings
    kube: KubeClient
    metrics: OperatorMetrics
    runner: Runner
    #: Each object's last handled state, kopf's diff base (kopf's settings hold it too).
    handled: MemoryDiffBaseStorage
    #: The /metrics and /readyz server, stopped at cleanup.
    http_server: web.AppRunner | None = None

    @classmethod
    def create(
        cls, settings: OperatorSettings, kube: KubeClient, handled: MemoryDiffBaseStorage
    ) -> OperatorContext:
        metrics = OperatorMetrics()
        runner = Runner(
            kube=kube,
            metrics=metrics,
            locks=ObjectLocks(),
            backoff_base=settings.backoff_base_seconds,
            backoff_max=settings.backoff_max_seconds,
        )
        metrics.state_entries.labels("locks").set_function(lambda: len(runner.locks))
        metrics.state_entries.labels("handled").set_function(lambda: len(handled))
        return cls(settings=settings, kube=kube, metrics=metrics, runner=runner, handled=handled)


def context_of(memo: Any) -> OperatorContext:
    """The context from a handler's ``memo`` (set by the startup handler)."""
    context = memo.get(MEMO_KEY) if isinstance(memo, kopf.Memo) else None
    if not isinstance(context, OperatorContext):
        raise RuntimeError("The operator context is missing from kopf's memo: startup did not run.")
    return context
