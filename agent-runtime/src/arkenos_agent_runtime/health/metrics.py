"""The worker's Prometheus metrics. One ``WorkerMetrics`` per process, created at startup
with its own registry; the operator's pool scaler reads ``arkenos_worker_active_sessions``."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

#: End of speech to first audio lands between ~300 ms and a few seconds.
LATENCY_BUCKETS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
#: A call's start stages take milliseconds (accepting) to a second or more (joining the room).
SETUP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.active_sessions = Gauge(
            "arkenos_worker_active_sessions",
            "Calls this worker is serving now.",
            registry=self.registry,
        )
        self.draining = Gauge(
            "arkenos_worker_draining", "1 while the worker drains.", registry=self.registry
        )
        self.turn_latency = Histogram(
            "arkenos_turn_latency_seconds",
            "Per-turn latency: e2e is end of speech to first agent audio.",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.call_setup = Histogram(
            "arkenos_call_setup_seconds",
            "A call's start, by stage (arkenos_agent_runtime.call.timeline.STAGES); total is "
            "the availability request to the greeting's first audio frame.",
            ["stage"],
            buckets=SETUP_BUCKETS,
            registry=self.registry,
        )
        self.tool_calls = Counter(
            "arkenos_tool_calls",
            "Tool calls by tool and outcome.",
            ["tool", "outcome"],
            registry=self.registry,
        )
        self.sessions = Counter(
            "arkenos_sessions",
            "Sessions started, by outcome of the start.",
            ["outcome"],
            registry=self.registry,
        )
