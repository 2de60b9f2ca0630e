"""The reconcile runner: bounded exponential backoff, error mapping, metrics, per-object locks."""

import asyncio

import kopf
import pytest

from arkenos_operator.metrics import OperatorMetrics
from arkenos_operator.reconcile import (
    Invalid,
    ObjectLocks,
    ReconcileError,
    Runner,
    Waiting,
    backoff_delay,
)


def make_runner() -> Runner:
    return Runner(metrics=OperatorMetrics(), locks=ObjectLocks(), backoff_base=1, backoff_max=30)


def sample(runner: Runner, name: str, **labels: str) -> float:
    value = runner.metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def test_backoff_doubles_and_is_bounded() -> None:
    assert [backoff_delay(retry, 1, 30) for retry in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff_delay(10_000, 0.5, 60) == 60


async def test_expected_errors_are_written_and_mapped_to_kopf() -> None:
    runner = make_runner()
    written: list[ReconcileError] = []

    async def on_error(error: ReconcileError) -> None:
        written.append(error)

    async def waiting() -> None:
        raise Waiting("SecretNotFound", 'Secret "keys" does not exist.')

    with pytest.raises(kopf.TemporaryError) as temporary:
        await runner.run_in_handler("voiceagent", "ns", "a", 3, waiting, on_error)
    assert temporary.value.delay == 8

    async def invalid() -> None:
        raise Invalid("InvalidTool", "Tool lookup: parameters is not a JSON Schema object.")

    with pytest.raises(kopf.PermanentError):
        await runner.run_in_handler("voiceagent", "ns", "a", 0, invalid, on_error)

    assert [e.reason for e in written] == ["SecretNotFound", "InvalidTool"]
    assert (
        sample(runner, "arkenos_operator_reconciles_total", resource="voiceagent", result="waiting")
        == 1
    )
    assert (
        sample(runner, "arkenos_operator_reconciles_total", resource="voiceagent", result="invalid")
        == 1
    )
    assert (
        sample(
            runner,
            "arkenos_operator_reconcile_errors_total",
            resource="voiceagent",
            reason="SecretNotFound",
        )
        == 1
    )


async def test_unexpected_errors_retry_with_backoff_and_are_counted() -> None:
    runner = make_runner()

    async def broken() -> None:
        raise RuntimeError("connection reset")

    async def on_error(error: ReconcileError) -> None:
        raise AssertionError("unexpected errors are not condition material")

    with pytest.raises(kopf.TemporaryError) as raised:
        await runner.run_in_handler("workerpool", "ns", "standard", 1, broken, on_error)
    assert raised.value.delay == 2
    assert "connection reset" in str(raised.value)
    assert (
        sample(runner, "arkenos_operator_reconciles_total", resource="workerpool", result="error")
        == 1
    )
    assert (
        sample(runner, "arkenos_operator_reconcile_duration_seconds_count", resource="workerpool")
        == 1
    )


async def test_one_object_is_reconciled_by_one_caller_at_a_time() -> None:
    runner = make_runner()
    running = 0
    overlaps = 0

    async def reconcile() -> None:
        nonlocal running, overlaps
        running += 1
        overlaps += running > 1
        await asyncio.sleep(0.01)
        running -= 1

    async def on_error(error: ReconcileError) -> None:
        raise AssertionError(error)

    await asyncio.gather(
        *(runner.run("voiceagent", "ns", "a", reconcile, on_error) for _ in range(5))
    )
    assert overlaps == 0
    assert (
        sample(runner, "arkenos_operator_reconciles_total", resource="voiceagent", result="ok") == 5
    )
