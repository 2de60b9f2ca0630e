"""The reconcile runner: one reconcile per object at a time, read afresh under its lock
(or, for a never-reconciled object, the body of the event that triggered it), inputs fetched,
reconciled, status written (only when it changed), timed and counted, and the outcome mapped
to kopf in one place.

A resource plugs in a :class:`Reconciler`; it never writes its own status, locks, or decides
how kopf retries: it raises :class:`ReconcileError` and says, in :meth:`Reconciler.failed`,
what status the error means.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import kopf

from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.locks import ObjectLocks
from arkenos_operator.kube import Kind, KubeClient
from arkenos_operator.logs import object_logger
from arkenos_operator.metrics import OperatorMetrics

Body = dict[str, Any]
InputsT = TypeVar("InputsT")


class Reconciler(Protocol[InputsT]):
    """How one kind of resource converges: fetch inputs → reconcile → status."""

    #: Label of the resource in metrics and logs (``voiceagent``).
    resource: str
    #: Where its objects live in the API.
    kind: Kind

    async def fetch(self, obj: Body) -> InputsT:
        """Everything the reconcile reads besides the object (may raise ReconcileError)."""
        ...

    async def reconcile(self, obj: Body, inputs: InputsT) -> Body | None:
        """Drive children toward the spec; return the status to write (None: none)."""
        ...

    def failed(self, obj: Body, inputs: InputsT | None, error: ReconcileError) -> Body | None:
        """The status that says why the object did not converge (``inputs`` is None when
        fetching them failed)."""
        ...


@dataclass(frozen=True)
class Outcome:
    """How a reconcile ended: ``error`` is None when it converged."""

    error: ReconcileError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def backoff_delay(retry: int, base: float, cap: float) -> float:
    """Seconds before retry number ``retry`` (0 for the first): base·2^retry, at most cap."""
    return float(min(cap, base * (2 ** min(retry, 30))))


def status_changed(current: Body | None, patch: Body) -> bool:
    """Whether merging ``patch`` into ``current`` changes it (None removes a field)."""
    current = current or {}
    return any(current.get(key) != value for key, value in patch.items())


@dataclass(frozen=True)
class Runner:
    kube: KubeClient
    metrics: OperatorMetrics
    locks: ObjectLocks
    backoff_base: float
    backoff_max: float

    async def run(
        self, reconciler: Reconciler[Any], namespace: str, name: str, body: Body | None = None
    ) -> Outcome:
        """Reconcile once for a trigger that is not a kopf handler (a dependency changed, a
        timer): failures are in the status and the returned outcome, not retried here.
        ``body`` is the object as the trigger saw it, if it has it (see :meth:`_read`)."""
        return await self._timed(
            reconciler.resource,
            namespace,
            name,
            lambda alone: self._once(reconciler, namespace, name, body if alone else None),
        )

    async def handle(
        self,
        reconciler: Reconciler[Any],
        namespace: str,
        name: str,
        retry: int,
        body: Body | None = None,
    ) -> None:
        """Reconcile from a kopf handler: waiting becomes a TemporaryError (kopf retries after
        the delay), invalid a PermanentError."""
        await self._guarded(
            reconciler.resource,
            namespace,
            name,
            retry,
            lambda alone: self._once(reconciler, namespace, name, body if alone else None),
        )

    async def guard(
        self,
        resource: str,
        namespace: str,
        name: str,
        retry: int,
        step: Callable[[], Awaitable[Outcome]],
        always_retry: bool = False,
    ) -> None:
        """Run ``step`` (which reports expected failures in its outcome) from a kopf handler,
        with the same metrics and the same mapping to kopf as every reconcile.

        ``always_retry`` is for finalizers: a deletion that stopped on something a person must
        fix still retries, since giving up would leave the finalizer (and the object) behind.
        """
        await self._guarded(resource, namespace, name, retry, lambda _: step(), always_retry)

    async def _guarded(
        self,
        resource: str,
        namespace: str,
        name: str,
        retry: int,
        step: Callable[[bool], Awaitable[Outcome]],
        always_retry: bool = False,
    ) -> None:
        """:meth:`guard` of a ``step`` told whether the object's lock was free on arrival."""
        try:
            outcome = await self._timed(resource, namespace, name, step)
        except Exception as error:
            delay = backoff_delay(retry, self.backoff_base, self.backoff_max)
            raise kopf.TemporaryError(f"Unexpected error: {error!r}", delay=delay) from error
        failure = outcome.error
        if failure is None:
            return
        if not failure.waiting and not always_retry:
            raise kopf.PermanentError(str(failure))
        wait = failure.delay
        if wait is None:
            wait = backoff_delay(retry, self.backoff_base, self.backoff_max)
        raise kopf.TemporaryError(str(failure), delay=wait)

    async def _timed(
        self,
        resource: str,
        namespace: str,
        name: str,
        step: Callable[[bool], Awaitable[Outcome]],
    ) -> Outcome:
        started = time.perf_counter()
        result = "error"
        try:
            async with self.locks.hold((resource, namespace, name)) as alone:
                outcome = await step(alone)
            if outcome.error is None:
                result = "ok"
            else:
                result = outcome.error.kind.lower()
                self.metrics.errors.labels(resource, outcome.error.reason).inc()
                log = object_logger(resource, namespace, name)
                log.info("Not converged (%s): %s", outcome.error.reason, outcome.error.message)
            return outcome
        except Exception as error:
            self.metrics.errors.labels(resource, type(error).__name__).inc()
            raise
        finally:
            self.metrics.reconciles.labels(resource, result).inc()
            self.metrics.duration.labels(resource).observe(time.perf_counter() - started)

    async def _read(
        self, reconciler: Reconciler[Any], namespace: str, name: str, body: Body | None
    ) -> Body | None:
        """The object to reconcile. Read afresh under the lock: triggers queue up, and a copy
        taken before the lock may predate the status the previous reconcile wrote. A trigger's
        own copy is used instead (one request less per new object) when it has no status yet
        (nothing had reconciled the object when it was taken) and the lock was free (nobody
        reconciles it now or waits to: the caller passes ``body`` only then). What it could
        miss is a reconcile that both started and ended since it was taken; the status written
        then is rebuilt from inputs read now, so only its history (transition times) is lost."""
        if body is not None and not body.get("status"):
            return body
        return await self.kube.get_or_none(reconciler.kind, namespace, name)

    async def _once(
        self, reconciler: Reconciler[Any], namespace: str, name: str, body: Body | None = None
    ) -> Outcome:
        obj = await self._read(reconciler, namespace, name, body)
        if obj is None or obj["metadata"].get("deletionTimestamp"):
            return Outcome()
        inputs = None
        try:
            inputs = await reconciler.fetch(obj)
            status = await reconciler.reconcile(obj, inputs)
            outcome = Outcome()
        except ReconcileError as error:
            status = reconciler.failed(obj, inputs, error)
            outcome = Outcome(error)
        if status is not None and status_changed(obj.get("status"), status):
            await self.kube.patch_status(reconciler.kind, namespace, name, status)
        return outcome
