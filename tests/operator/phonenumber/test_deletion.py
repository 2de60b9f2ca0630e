"""Deleting a line: everything it made is removed, the number is released only under
releasePolicy Release, and a failing cleanup keeps the finalizer until it succeeds."""

from __future__ import annotations

from typing import Any

import pytest

from arkenos_operator.kube import SECRETS
from tests.doubles.livekit import LiveKitDouble
from tests.doubles.twilio import TwilioDouble
from tests.operator.phonenumber.conftest import (
    ACCOUNT_SID,
    WORKSPACE,
    Cluster,
    OperatorFactory,
)
from tests.substrate.waiting import wait_until

pytestmark = pytest.mark.k8s

BUY = {"purchase": {"country": "US", "areaCode": "415"}, "agentRef": {"name": "receptionist"}}


def _assert_nothing_left(twilio: TwilioDouble, livekit: LiveKitDouble, cluster: Cluster) -> None:
    account = twilio.state.accounts[ACCOUNT_SID]
    assert account.trunks == {}
    assert account.credential_lists == {}
    assert all(n.trunk_sid is None for n in account.numbers.values())
    assert livekit.state.leaks() == []
    assert cluster.get(SECRETS, WORKSPACE, "line-outbound-sip") is None


def _provision_and_delete(
    cluster: Cluster, run_operator: OperatorFactory, spec: dict[str, Any]
) -> str:
    cluster.create_agent("receptionist")
    cluster.create_line("line", spec)
    with run_operator():
        cluster.wait_condition("line", "Ready", "True")
        number = str(cluster.status("line")["phoneNumber"])
        cluster.delete_line("line")
        wait_until(lambda: cluster.line("line") is None, within=20, what="the finalizer to go")
    return number


def test_delete_under_retain_keeps_the_number(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    number = _provision_and_delete(cluster, run_operator, {**BUY, "outbound": True})

    _assert_nothing_left(twilio, livekit, cluster)
    owned = [n.phone_number for n in twilio.state.accounts[ACCOUNT_SID].numbers.values()]
    assert number in owned
    assert twilio.state.released == []


def test_delete_under_release_gives_the_number_back(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    spec = {**BUY, "outbound": True, "releasePolicy": "Release"}
    number = _provision_and_delete(cluster, run_operator, spec)

    _assert_nothing_left(twilio, livekit, cluster)
    owned = [n.phone_number for n in twilio.state.accounts[ACCOUNT_SID].numbers.values()]
    assert number not in owned
    assert twilio.state.released == [number]


def test_a_failing_cleanup_is_retried_and_the_finalizer_waits(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    cluster.create_agent("receptionist")
    cluster.create_line("line", {**BUY, "releasePolicy": "Release"})
    with run_operator():
        cluster.wait_condition("line", "Ready", "True")
        twilio.faults.add("Trunks.delete", 500, times=1000)
        livekit.faults.add("SIP/DeleteSIPDispatchRule", 503)
        cluster.delete_line("line")
        wait_until(
            lambda: twilio.faults.fired("Trunks.delete") >= 3,
            within=20,
            what="the trunk deletion to fail three times",
        )
        held = cluster.line("line")
        assert held is not None
        assert held["metadata"]["deletionTimestamp"]
        assert held["metadata"]["finalizers"] == ["arkenos.io/operator"]
        twilio.faults.clear()
        wait_until(lambda: cluster.line("line") is None, within=20, what="the finalizer to go")

    assert livekit.faults.fired("SIP/DeleteSIPDispatchRule") == 1
    _assert_nothing_left(twilio, livekit, cluster)
    assert len(twilio.state.released) == 1
