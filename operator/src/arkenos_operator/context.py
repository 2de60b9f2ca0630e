"""Operator-wide state, created at startup and carried in kopf's memo (never module globals,
so two operators in one process, as in the tests, never share anything)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import kopf

from arkenos_operator.kube import KubeClient
from arkenos_operator.metrics import OperatorMetrics
from arkenos_operator.reconcile import ObjectLocks, Runner
from arkenos_operator.settings import OperatorSettings

MEMO_KEY = "arkenos"


@dataclass
class OperatorContext:
    """What every handler needs: settings, the API client, metrics and the reconcile runner.

    ``features`` is where a feature package keeps its own long-lived state (caches, HTTP
    sessions), under its own key.
    """

    settings: OperatorSettings
    kube: KubeClient
    metrics: OperatorMetrics
    runner: Runner
    features: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: OperatorSettings, kube: KubeClient) -> OperatorContext:
        metrics = OperatorMetrics()
        runner = Runner(
            metrics=metrics,
            locks=ObjectLocks(),
            backoff_base=settings.backoff_base_seconds,
            backoff_max=settings.backoff_max_seconds,
        )
        return cls(settings=settings, kube=kube, metrics=metrics, runner=runner)


def context_of(memo: Any) -> OperatorContext:
    """The context from a handler's ``memo`` (set by the startup handler)."""
    context = memo.get(MEMO_KEY) if isinstance(memo, kopf.Memo) else None
    if not isinstance(context, OperatorContext):
        raise RuntimeError("The operator context is missing from kopf's memo: startup did not run.")
    return context
