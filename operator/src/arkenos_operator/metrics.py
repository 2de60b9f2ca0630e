"""Prometheus metrics of the operator, in a registry of its own (one per operator process).

Every metric carries a ``resource`` label (voiceagent, workerpool, phonenumber, ...), so a
feature package records its reconciles through :mod:`arkenos_operator.reconcile` and gets its
series without declaring any.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class OperatorMetrics:
    """The operator's metrics; created at startup and kept in kopf's memo."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.reconciles = Counter(
            "arkenos_operator_reconciles_total",
            "Reconciles run, by resource and result (ok, waiting, invalid, error).",
            ["resource", "result"],
            registry=self.registry,
        )
        self.errors = Counter(
            "arkenos_operator_reconcile_errors_total",
            "Reconciles that did not converge, by resource and reason.",
            ["resource", "reason"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "arkenos_operator_reconcile_duration_seconds",
            "Time one reconcile took, by resource.",
            ["resource"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.pool_decisions = Counter(
            "arkenos_operator_pool_decisions_total",
            "Worker pool scaling decisions, by pool and direction (up, down, hold).",
            ["pool", "direction"],
            registry=self.registry,
        )
        self.pool_replicas = Gauge(
            "arkenos_operator_pool_desired_replicas",
            "Replicas the pool scaler last asked for.",
            ["pool"],
            registry=self.registry,
        )
        self.state_entries = Gauge(
            "arkenos_operator_state_entries",
            "Entries the operator holds in memory per feature (and per-object locks): it "
            "follows the objects that exist, so a steady climb is a leak.",
            ["feature"],
            registry=self.registry,
        )
        self.pool_active_sessions = Gauge(
            "arkenos_operator_pool_active_sessions",
            "Active sessions the pool scaler last counted (unreachable workers count as full).",
            ["pool"],
            registry=self.registry,
        )
