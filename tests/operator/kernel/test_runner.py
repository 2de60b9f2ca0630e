"""The reconcile kernel's runner: fetch → reconcile → status, status written only when it
changes, each reason's kind mapped to kopf in one place, bounded backoff, metrics, and
per-object locks that shrink back to nothing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import kopf
import pytest

from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.locks import ObjectLocks
from arkenos_operator.kernel.reasons import KIND, ErrorKind, Reason
from arkenos_operator.kernel.runner import Outcome, Runner, backoff_delay
from arkenos_operator.kube import VOICE_AGENTS, Kind
from arkenos_operator.metrics import OperatorMetrics

Body = dict[str, Any]


@dataclass
class FakeKube:
    """The two calls the runner makes, against objects held in memory."""

    objects: dict[tuple[str, str], Body]
    status_writes: list[Body] = field(default_factory=list)

    async def get_or_none(self, kind: Kind, namespace: str, name: str) -> Body | None:
        await asyncio.sleep(0)
        return self.objects.get((namespace, name))

    async def patch_status(self, kind: Kind, namespace: str, name: str, status: Body) -> Body:
        self.status_writes.append(status)
        obj = self.objects[(namespace, name)]
        obj["status"] = {**(obj.get("status") or {}), **status}
        return obj


@dataclass
class Scripted:
    """A reconciler that raises what it is told to and reports what it saw."""

    raise_in_fetch: ReconcileError | None = None
    raise_in_reconcile: ReconcileError | BaseException | None = None
    ready: str = "True"
    failed_with: list[tuple[Any, str]] = field(default_factory=list)
    running: dict[str, int] = field(default_factory=dict)
    overlaps: int = 0
    resource = "voiceagent"
    kind = VOICE_AGENTS

    async def fetch(self, obj: Body) -> str:
        if self.raise_in_fetch is not None:
            raise self.raise_in_fetch
        return "inputs"

    async def reconcile(self, obj: Body, inputs: str) -> Body:
        name = obj["metadata"]["name"]
        self.running[name] = self.running.get(name, 0) + 1
        self.overlaps += self.running[name] > 1
        await asyncio.sleep(0.01)
        self.running[name] -= 1
        if self.raise_in_reconcile is not None:
            raise self.raise_in_reconcile
        return {"conditions": [{"type": "Ready", "status": self.ready}]}

    def failed(self, obj: Body, inputs: str | None, error: ReconcileError) -> Body:
        self.failed_with.append((inputs, error.reason))
        return {"conditions": [{"type": "Ready", "status": "False", "reason": error.reason}]}


def make_runner(kube: FakeKube) -> Runner:
    return Runner(
        kube=kube,  # type: ignore[arg-type]
        metrics=OperatorMetrics(),
        locks=ObjectLocks(),
        backoff_base=1,
        backoff_max=30,
    )


def sample(runner: Runner, name: str, **labels: str) -> float:
    value = runner.metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def agent(name: str = "a") -> Body:
    return {"metadata": {"namespace": "ns", "name": name, "generation": 1}}


def test_backoff_doubles_and_is_bounded() -> None:
    assert [backoff_delay(retry, 1, 30) for retry in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff_delay(10_000, 0.5, 60) == 60


def test_every_reason_has_one_kind_and_a_missing_secret_is_waiting_everywhere() -> None:
    assert set(KIND) == set(Reason)
    for missing in (
        Reason.SECRET_NOT_FOUND,
        Reason.TWILIO_SECRET_NOT_FOUND,
        Reason.LIVEKIT_SECRET_NOT_FOUND,
        Reason.TOOL_SECRET_NOT_FOUND,
        Reason.PLATFORM_SECRET_MISSING,
    ):
        assert KIND[missing] is ErrorKind.WAITING, missing
    assert KIND[Reason.INVALID_SPEC] is ErrorKind.INVALID
    assert KIND[Reason.NUMBER_TAKEN] is ErrorKind.WAITING
    assert KIND[Reason.PROVIDER_KEY_MISSING] is ErrorKind.WAITING


async def test_status_is_written_once_and_not_again_when_unchanged() -> None:
    kube = FakeKube({("ns", "a"): agent()})
    runner, reconciler = make_runner(kube), Scripted()

    assert (await runner.run(reconciler, "ns", "a")).ok
    assert (await runner.run(reconciler, "ns", "a")).ok

    assert kube.status_writes == [{"conditions": [{"type": "Ready", "status": "True"}]}]
    assert sample(runner, "arkenos_operator_reconciles_total", resource="voiceagent", result="ok")


async def test_waiting_becomes_a_temporary_error_with_backoff_or_its_own_delay() -> None:
    kube = FakeKube({("ns", "a"): agent()})
    runner = make_runner(kube)
    waiting = Scripted(raise_in_reconcile=ReconcileError(Reason.SECRET_NOT_FOUND, "no keys"))

    with pytest.raises(kopf.TemporaryError) as backoff:
        await runner.handle(waiting, "ns", "a", retry=3)
    assert backoff.value.delay == 8
    assert waiting.failed_with == [("inputs", Reason.SECRET_NOT_FOUND)]
    assert kube.objects[("ns", "a")]["status"]["conditions"][0]["reason"] == "SecretNotFound"

    soon = Scripted(raise_in_reconcile=ReconcileError(Reason.NUMBER_TAKEN, "taken", delay=1.5))
    with pytest.raises(kopf.TemporaryError) as own:
        await runner.handle(soon, "ns", "a", retry=9)
    assert own.value.delay == 1.5
    assert (
        sample(runner, "arkenos_operator_reconciles_total", resource="voiceagent", result="waiting")
        == 2
    )


async def test_invalid_becomes_a_permanent_error_and_fetch_failures_get_no_inputs() -> None:
    kube = FakeKube({("ns", "a"): agent()})
    runner = make_runner(kube)
    invalid = Scripted(raise_in_fetch=ReconcileError(Reason.INVALID_SPEC, "spec.x: bad"))

    with pytest.raises(kopf.PermanentError, match=r"InvalidSpec: spec\.x: bad"):
        await runner.handle(invalid, "ns", "a", retry=0)

    assert invalid.failed_with == [(None, Reason.INVALID_SPEC)]
    assert (
        sample(
            runner,
            "arkenos_operator_reconcile_errors_total",
            resource="voiceagent",
            reason="InvalidSpec",
        )
        == 1
    )


async def test_a_finalizer_retries_even_what_a_person_must_fix() -> None:
    runner = make_runner(FakeKube({}))

    async def refused() -> Outcome:
        return Outcome(ReconcileError(Reason.TWILIO_REFUSED, "Twilio refused: no"))

    with pytest.raises(kopf.TemporaryError):
        await runner.guard("phonenumber", "ns", "l", 0, refused, always_retry=True)
    with pytest.raises(kopf.PermanentError):
        await runner.guard("phonenumber", "ns", "l", 0, refused)


async def test_unexpected_errors_retry_with_backoff_and_are_counted() -> None:
    kube = FakeKube({("ns", "standard"): agent("standard")})
    runner = make_runner(kube)
    broken = Scripted(raise_in_reconcile=RuntimeError("connection reset"))

    with pytest.raises(kopf.TemporaryError) as raised:
        await runner.handle(broken, "ns", "standard", retry=1)
    assert raised.value.delay == 2
    assert "connection reset" in str(raised.value)
    assert kube.status_writes == []
    assert (
        sample(runner, "arkenos_operator_reconciles_total", resource="voiceagent", result="error")
        == 1
    )


async def test_a_missing_or_deleting_object_is_left_alone() -> None:
    deleting = agent()
    deleting["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    kube = FakeKube({("ns", "a"): deleting})
    runner, reconciler = make_runner(kube), Scripted()

    assert (await runner.run(reconciler, "ns", "a")).ok
    assert (await runner.run(reconciler, "ns", "gone")).ok
    assert kube.status_writes == []


async def test_one_object_is_reconciled_by_one_caller_at_a_time_and_locks_shrink() -> None:
    kube = FakeKube({("ns", "a"): agent(), ("ns", "b"): agent("b")})
    runner, reconciler = make_runner(kube), Scripted()

    await asyncio.gather(*(runner.run(reconciler, "ns", name) for name in ["a"] * 5 + ["b"] * 5))

    assert reconciler.overlaps == 0
    assert len(runner.locks) == 0


async def test_locks_exclude_per_object_and_are_dropped_after_use() -> None:
    locks = ObjectLocks()
    order: list[str] = []

    async def use(tag: str) -> None:
        async with locks.hold(("voiceagent", "ns", "a")):
            order.append(f"{tag}+")
            await asyncio.sleep(0.01)
            order.append(f"{tag}-")

    await asyncio.gather(use("1"), use("2"))
    assert order == ["1+", "1-", "2+", "2-"]
    assert len(locks) == 0


@dataclass
class CountingKube(FakeKube):
    reads: int = 0

    async def get_or_none(self, kind: Kind, namespace: str, name: str) -> Body | None:
        self.reads += 1
        return await super().get_or_none(kind, namespace, name)


async def test_a_new_objects_event_body_saves_the_read_unless_it_may_be_stale() -> None:
    kube = CountingKube({("ns", "a"): agent(), ("ns", "b"): agent("b")})
    runner, reconciler = make_runner(kube), Scripted()

    # Never reconciled (no status) and nobody else on it: the trigger's copy is used.
    await runner.handle(reconciler, "ns", "a", retry=0, body=agent())
    assert kube.reads == 0
    assert kube.status_writes == [{"conditions": [{"type": "Ready", "status": "True"}]}]

    # A copy with a status may predate the last write: read afresh.
    stale = {**agent(), "status": {"conditions": [{"type": "Ready", "status": "False"}]}}
    await runner.handle(reconciler, "ns", "a", retry=0, body=stale)
    assert kube.reads == 1
    assert len(kube.status_writes) == 1  # the stored status already says Ready

    # Two triggers at once: the one that waited for the lock reads afresh.
    await asyncio.gather(
        runner.handle(reconciler, "ns", "b", retry=0, body=agent("b")),
        runner.handle(reconciler, "ns", "b", retry=0, body=agent("b")),
    )
    assert kube.reads == 2
    assert len(kube.status_writes) == 2
