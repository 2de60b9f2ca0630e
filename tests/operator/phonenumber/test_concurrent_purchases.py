"""Many lines bought at the same time from a small inventory: each spreads its choice over the
search results, a number taken by another line sends it to the next one (or a new search),
and every line ends Ready with a number of its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from arkenos_operator.kube import PHONE_NUMBERS
from tests.bench import kmock_speedup
from tests.doubles.twilio import TwilioDouble
from tests.operator.kube_api import condition_of
from tests.operator.phonenumber.conftest import AVAILABLE_415, WORKSPACE, Cluster, OperatorFactory
from tests.substrate.waiting import wait_until

# Forty lines share one process with the emulator and both doubles: slow on a busy machine.
pytestmark = [
    pytest.mark.k8s,
    pytest.mark.timeout(900),
]


@pytest.fixture(autouse=True)
def constant_time_matching() -> Iterator[None]:
    """Thousands of requests reach the emulator here: kmock's request matching, which scans
    every request it has served, would otherwise slow it (and the whole process) down
    quadratically until the operator's requests time out."""
    with kmock_speedup.installed():
        yield


LINES = 40
#: Barely more numbers than lines, and a search shows each line only 20 of them.
INVENTORY = [f"+1415555{n:04d}" for n in range(2000, 2000 + LINES + 5 - len(AVAILABLE_415))]


def test_forty_lines_bought_at_once_all_become_ready(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble
) -> None:
    twilio.state.seed_available("US", "Local", INVENTORY)
    cluster.create_agent("receptionist")
    names = [f"line-{i:02d}" for i in range(LINES)]
    for name in names:
        cluster.create_line(
            name,
            {
                "purchase": {"country": "US", "areaCode": "415"},
                "agentRef": {"name": "receptionist"},
                "outbound": False,
            },
        )

    def all_ready() -> list[dict[str, Any]] | None:
        try:
            lines = cluster.list(PHONE_NUMBERS, WORKSPACE)  # one request, not forty
        except httpx.TimeoutException:
            return None  # the emulator shares this process with forty busy reconciles
        ready = [
            line for line in lines if (condition_of(line, "Ready") or {}).get("status") == "True"
        ]
        return lines if len(ready) == LINES else None

    with run_operator():
        lines = wait_until(all_ready, within=800, interval=1, what=f"all {LINES} lines Ready")

    numbers = [line["status"]["phoneNumber"] for line in lines]
    assert len(set(numbers)) == LINES
    assert sorted(p[1] for p in twilio.state.purchases) == sorted(numbers)
    # The race was real: some purchases found their number taken (21422) and moved on.
    attempts = twilio.calls.count("IncomingPhoneNumbers.create")
    assert attempts > LINES, "no purchase collided: the test did not exercise the race"
    assert len(twilio.state.inventory) == len(AVAILABLE_415) + len(INVENTORY) - LINES
