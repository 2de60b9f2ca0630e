"""Health (liveness, drain-aware readiness) and Prometheus metrics of a worker process."""
