"""Running one reconcile: serialised per object, timed, counted, and its failure turned into
kopf's retry with a bounded exponential backoff.

A feature's reconcile function raises :class:`Waiting` when it depends on something not there
yet (a Secret, a Job still running) and :class:`Invalid` when the spec cannot work as written.
Both carry a CamelCase reason and a message a person can act on; the feature writes them into
its conditions (``on_error``) and the runner maps them to kopf: ``Waiting`` is retried with
backoff, ``Invalid`` is not retried (the periodic resync, or a watched dependency changing,
brings the object back). Anything else is an unexpected error: counted, logged, retried.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import kopf
from pydantic import BaseModel, ValidationError

from arkenos_operator.logs import object_logger
from arkenos_operator.metrics import OperatorMetrics


class ReconcileError(Exception):
    """The reconcile could not converge; ``reason`` and ``message`` go into a condition."""

    def __init__(self, reason: str, message: str, delay: float | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.delay = delay


class Waiting(ReconcileError):
    """Something the object depends on is not there or not done yet; try again later."""


class Invalid(ReconcileError):
    """The spec cannot work as written (what the schema cannot check); a person must act."""


M = TypeVar("M", bound=BaseModel)


def parse_spec(model: type[M], obj: dict[str, Any]) -> M:
    """``obj``'s spec as ``model`` reads it, or :class:`Invalid` naming the first bad field.

    The API server validates specs too, but one written before a schema change (or to an API
    without validation) must become a condition, never a crash loop.
    """
    try:
        return model.model_validate(obj.get("spec") or {})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise Invalid(
            "InvalidSpec", f"spec.{where}: {first['msg']}" if where else first["msg"]
        ) from error


def backoff_delay(retry: int, base: float, cap: float) -> float:
    """Seconds before retry number ``retry`` (0 for the first): base·2^retry, at most cap."""
    return float(min(cap, base * (2 ** min(retry, 30))))


@dataclass
class ObjectLocks:
    """One lock per object, so a kopf handler and a reconcile triggered by a dependency
    (a Secret, a child's status) never act on the same object at once."""

    _locks: dict[tuple[str, str | None, str], asyncio.Lock] = field(default_factory=dict)

    def for_object(self, resource: str, namespace: str | None, name: str) -> asyncio.Lock:
        key = (resource, namespace, name)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    def forget(self, resource: str, namespace: str | None, name: str) -> None:
        self._locks.pop((resource, namespace, name), None)


@dataclass(frozen=True)
class Outcome:
    """How a reconcile ended: ``error`` is None when it converged."""

    error: ReconcileError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


ReconcileFn = Callable[[], Awaitable[None]]
ErrorFn = Callable[[ReconcileError], Awaitable[None]]


@dataclass(frozen=True)
class Runner:
    """Runs reconcile functions with locking, metrics and error mapping."""

    metrics: OperatorMetrics
    locks: ObjectLocks
    backoff_base: float
    backoff_max: float

    async def run(
        self,
        resource: str,
        namespace: str | None,
        name: str,
        reconcile: ReconcileFn,
        on_error: ErrorFn,
    ) -> Outcome:
        """Run ``reconcile`` once; write an expected failure with ``on_error``.

        Unexpected exceptions propagate (after being counted) so the caller's retry logic sees
        them; expected ones come back in the :class:`Outcome`.
        """
        started = time.perf_counter()
        result = "error"
        try:
            async with self.locks.for_object(resource, namespace, name):
                try:
                    await reconcile()
                except ReconcileError as error:
                    result = "waiting" if isinstance(error, Waiting) else "invalid"
                    self.metrics.errors.labels(resource, error.reason).inc()
                    log = object_logger(resource, namespace, name)
                    log.info("Not converged (%s): %s", error.reason, error.message)
                    await on_error(error)
                    return Outcome(error)
                result = "ok"
                return Outcome()
        except Exception as error:
            self.metrics.errors.labels(resource, type(error).__name__).inc()
            raise
        finally:
            self.metrics.reconciles.labels(resource, result).inc()
            self.metrics.duration.labels(resource).observe(time.perf_counter() - started)

    async def run_in_handler(
        self,
        resource: str,
        namespace: str | None,
        name: str,
        retry: int,
        reconcile: ReconcileFn,
        on_error: ErrorFn,
    ) -> None:
        """:meth:`run` from a kopf handler: map the outcome to kopf's retry semantics."""
        try:
            outcome = await self.run(resource, namespace, name, reconcile, on_error)
        except (kopf.TemporaryError, kopf.PermanentError):
            raise
        except Exception as error:
            backoff = backoff_delay(retry, self.backoff_base, self.backoff_max)
            raise kopf.TemporaryError(f"Unexpected error: {error!r}", delay=backoff) from error
        if outcome.error is None:
            return
        if isinstance(outcome.error, Invalid):
            raise kopf.PermanentError(f"{outcome.error.reason}: {outcome.error.message}")
        delay = outcome.error.delay
        if delay is None:
            delay = backoff_delay(retry, self.backoff_base, self.backoff_max)
        raise kopf.TemporaryError(f"{outcome.error.reason}: {outcome.error.message}", delay=delay)
