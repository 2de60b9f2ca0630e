"""kopf's pause rule as the sweep's gate applies it to a peering object's status: a live peer
of higher priority, or a second live entry of our own priority (a tie: kopf pauses everyone),
pauses this replica; expired entries and lower priorities do not. The gate answers from the
peering objects, waits while a mandatory one is missing, and keeps its last answer when the
API cannot be read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kubernetes_asyncio.client.exceptions import ApiException

from arkenos_operator.kernel.peering import (
    CLUSTER_PEERINGS,
    NAMESPACED_PEERINGS,
    PeeringGate,
    outranked,
)
from arkenos_operator.kube import Kind

NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
OURS = 100


def entry(priority: int, seen_ago_s: float = 1, lifetime: int = 60) -> dict[str, Any]:
    seen = NOW - timedelta(seconds=seen_ago_s)
    return {"priority": priority, "lifetime": lifetime, "lastseen": seen.isoformat()}


@pytest.mark.parametrize(
    ("status", "paused"),
    [
        ({}, False),
        ({"us": entry(OURS)}, False),
        ({"us": entry(OURS), "low": entry(50)}, False),
        ({"us": entry(OURS), "high": entry(200)}, True),
        ({"high": entry(200)}, True),  # before our own first keepalive
        ({"us": entry(OURS), "high": entry(200, seen_ago_s=61)}, False),  # expired
        ({"us": entry(OURS), "high": entry(200, seen_ago_s=61, lifetime=120)}, True),
        ({"us": entry(OURS), "twin": entry(OURS)}, True),  # a tie pauses everyone
        ({"us": entry(OURS), "twin": entry(OURS, seen_ago_s=90)}, False),
        ({"us": entry(OURS), "odd": {"priority": 900}}, False),  # no lastseen: not counted
        ({"us": entry(OURS), "odd": {"priority": 900, "lastseen": "yesterday"}}, False),
    ],
)
def test_the_rule(status: dict[str, Any], paused: bool) -> None:
    assert outranked(status, OURS, NOW) is paused


class Peerings:
    """What ``get_or_none`` answers per (kind, namespace); ``failing`` raises instead."""

    def __init__(self, objects: dict[tuple[Kind, str | None], dict[str, Any]]) -> None:
        self.objects = objects
        self.failing = False
        self.asked: list[tuple[str, str | None, str]] = []

    async def get_or_none(self, kind: Kind, namespace: str | None, name: str) -> Any:
        self.asked.append((kind.plural, namespace, name))
        if self.failing:
            raise ApiException(status=503, reason="etcd is unavailable")
        return self.objects.get((kind, namespace))


def peering(*entries: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"status": dict(entries)}


def live(priority: int) -> dict[str, Any]:
    return {"priority": priority, "lifetime": 60, "lastseen": datetime.now(UTC).isoformat()}


async def test_cluster_wide_the_one_cluster_peering_decides() -> None:
    kube = Peerings({(CLUSTER_PEERINGS, None): peering(("us", live(OURS)))})
    gate = PeeringGate(kube, "arkenos-operator", OURS, recheck_seconds=0)  # type: ignore[arg-type]
    assert await gate.check()
    assert kube.asked == [("clusterkopfpeerings", None, "arkenos-operator")]

    kube.objects[CLUSTER_PEERINGS, None]["status"]["high"] = live(OURS + 1)
    assert not await gate.check()


async def test_with_namespaces_any_namespace_s_peering_pauses() -> None:
    kube = Peerings(
        {
            (NAMESPACED_PEERINGS, "team-a"): peering(("us", live(OURS))),
            (NAMESPACED_PEERINGS, "team-b"): peering(("us", live(OURS)), ("high", live(500))),
        }
    )
    gate = PeeringGate(kube, "arkenos-operator", OURS, ("team-a", "team-b"), recheck_seconds=0)  # type: ignore[arg-type]
    assert not await gate.check()
    assert [namespace for _, namespace, _ in kube.asked] == ["team-a", "team-b"]


async def test_a_missing_peering_object_means_wait() -> None:
    gate = PeeringGate(Peerings({}), "arkenos-operator", OURS, recheck_seconds=0)  # type: ignore[arg-type]
    assert not await gate.check()


async def test_an_unreadable_api_keeps_the_last_answer() -> None:
    kube = Peerings({(CLUSTER_PEERINGS, None): peering(("us", live(OURS)))})
    gate = PeeringGate(kube, "arkenos-operator", OURS, recheck_seconds=0)  # type: ignore[arg-type]
    kube.failing = True
    assert not await gate.check()  # nothing read yet: do not act
    kube.failing = False
    assert await gate.check()
    kube.failing = True
    assert await gate.check()


async def test_the_objects_are_read_at_most_once_per_recheck_period() -> None:
    kube = Peerings({(CLUSTER_PEERINGS, None): peering(("us", live(OURS)))})
    gate = PeeringGate(kube, "arkenos-operator", OURS, recheck_seconds=60)  # type: ignore[arg-type]
    assert [await gate.check() for _ in range(5)] == [True] * 5
    assert len(kube.asked) == 1
