"""Failures: every Twilio and LiveKit call failing once, an operator killed between a
purchase and its status write, a missing credentials Secret, and 4xx answers carried into
the conditions in the service's own words."""

from __future__ import annotations

import pytest
from livekit.protocol import sip as proto_sip

from arkenos_crds.meta import ConditionStatus
from tests.doubles.livekit import LiveKitDouble
from tests.doubles.twilio import TwilioDouble
from tests.operator.phonenumber.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    OWNED,
    WORKSPACE,
    Cluster,
    OperatorFactory,
)
from tests.substrate.waiting import wait_until

pytestmark = pytest.mark.k8s

BUY = {"purchase": {"country": "US", "areaCode": "415"}, "agentRef": {"name": "receptionist"}}

TWILIO_CALLS = (
    "IncomingPhoneNumbers.list",
    "AvailablePhoneNumbers.list",
    "IncomingPhoneNumbers.create",
    "IncomingPhoneNumbers.fetch",
    "Trunks.list",
    "Trunks.create",
    "Trunks.fetch",
    "OriginationUrls.list",
    "OriginationUrls.create",
    "TrunkPhoneNumbers.create",
    "Trunks.update",
    "CredentialLists.list",
    "CredentialLists.create",
    "Credentials.list",
    "Credentials.create",
    "TrunkCredentialLists.list",
    "TrunkCredentialLists.create",
)
LIVEKIT_CALLS = (
    "SIP/ListSIPInboundTrunk",
    "SIP/CreateSIPInboundTrunk",
    "SIP/ListSIPOutboundTrunk",
    "SIP/CreateSIPOutboundTrunk",
    "SIP/ListSIPDispatchRule",
    "SIP/CreateSIPDispatchRule",
)


def _assert_exactly_one_of_each(twilio: TwilioDouble, livekit: LiveKitDouble) -> None:
    account = twilio.state.accounts[ACCOUNT_SID]
    assert len(twilio.state.purchases) == 1
    assert len(account.trunks) == 1
    [trunk] = account.trunks.values()
    assert len(trunk.origination_urls) == 1
    assert len(account.credential_lists) == 1
    assert [len(c.credentials) for c in account.credential_lists.values()] == [1]
    assert len(livekit.state.inbound_trunks) == 1
    assert len(livekit.state.outbound_trunks) == 1
    assert len(livekit.state.dispatch_rules) == 1


@pytest.mark.parametrize("status", [429, 500])
def test_every_call_failing_once_still_converges(
    status: int,
    cluster: Cluster,
    run_operator: OperatorFactory,
    twilio: TwilioDouble,
    livekit: LiveKitDouble,
) -> None:
    for operation in TWILIO_CALLS:
        twilio.faults.add(operation, status)
    for operation in LIVEKIT_CALLS:
        livekit.faults.add(operation, status)
    cluster.create_agent("receptionist")
    cluster.create_line("line", {**BUY, "outbound": True})
    with run_operator():
        # Some twenty failed calls, each a kopf retry: room for a loaded machine.
        cluster.wait_condition("line", "Ready", "True", within=120)

    assert {op: twilio.faults.fired(op) for op in TWILIO_CALLS} == dict.fromkeys(TWILIO_CALLS, 1)
    assert {op: livekit.faults.fired(op) for op in LIVEKIT_CALLS} == dict.fromkeys(LIVEKIT_CALLS, 1)
    _assert_exactly_one_of_each(twilio, livekit)


def test_a_lost_purchase_answer_does_not_buy_twice(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    twilio.faults.add("IncomingPhoneNumbers.create", 500, after=True)
    cluster.create_agent("receptionist")
    cluster.create_line("line", BUY)
    with run_operator():
        cluster.wait_condition("line", "Ready", "True")

    assert twilio.faults.fired("IncomingPhoneNumbers.create") == 1
    [(_, number, sid)] = twilio.state.purchases
    assert cluster.status("line")["twilio"]["numberSid"] == sid
    assert cluster.status("line")["phoneNumber"] == number


def test_operator_killed_between_purchase_and_status_write_buys_once(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    # The purchase happens, then the answer hangs past the client's timeout (2 s) while the
    # operator is stopped: the first process never learns the number's SID.
    twilio.faults.add("IncomingPhoneNumbers.create", None, delay=4, after=True)
    cluster.create_agent("receptionist")
    cluster.create_line("line", BUY)
    with run_operator():
        wait_until(lambda: twilio.state.purchases, within=20, what="the purchase")
    assert "numberSid" not in cluster.status("line").get("twilio", {})

    with run_operator():
        cluster.wait_condition("line", "Ready", "True")

    [(_, number, sid)] = twilio.state.purchases
    assert cluster.status("line")["twilio"]["numberSid"] == sid
    assert livekit.state.simulate_inbound_call(number, "+15550001234").dispatches


def test_a_missing_secret_is_a_condition_until_it_appears(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble
) -> None:
    cluster.create_agent("receptionist")
    spec = {
        "number": OWNED,
        "agentRef": {"name": "receptionist"},
        "credentials": {"twilio": {"secretRef": {"name": "acme-twilio"}}},
    }
    cluster.create_line("line", spec)
    with run_operator():
        missing = cluster.wait_condition("line", "NumberReady", "False", "TwilioSecretNotFound")
        assert missing["message"] == (
            f"Secret {WORKSPACE}/acme-twilio with the Twilio credentials does not exist."
        )
        cluster.secret(
            WORKSPACE, "acme-twilio", {"accountSid": ACCOUNT_SID, "authToken": AUTH_TOKEN}
        )
        cluster.wait_condition("line", "Ready", "True")


def test_refusals_carry_the_services_own_message(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    livekit.state.create_inbound_trunk(
        proto_sip.SIPInboundTrunkInfo(name="someone-else", numbers=[OWNED])
    )
    # Refused for as long as the fault is armed: any reconcile (the line's own, or one the
    # agent's events trigger) meets it.
    twilio.faults.add(
        "Trunks.create", 400, times=1000, message="Trunk limit reached for this account."
    )
    cluster.create_agent("receptionist")
    cluster.create_line("line", {"number": OWNED, "agentRef": {"name": "receptionist"}})
    with run_operator():
        trunk = cluster.wait_condition("line", "TrunkReady", "False", "TwilioRefused")
        assert trunk["message"] == "Twilio refused: Trunk limit reached for this account."
        # The account is fixed and the spec touched: this time LiveKit refuses.
        twilio.faults.clear()
        cluster.patch_line("line", {"spec": {"inbound": True}})
        dispatch = cluster.wait_condition("line", "DispatchReady", "False", "LiveKitRefused")

    assert dispatch["message"].startswith("LiveKit refused: Conflicting inbound SIP Trunks")
    ready = cluster.condition("line", "Ready")
    assert (ready["status"], ready["reason"]) == (ConditionStatus.FALSE, "LiveKitRefused")


def test_a_spec_the_schema_would_refuse_is_reported_not_acted_on(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble
) -> None:
    # The API server's CEL rule refuses this; the emulator does not, so the handler must.
    cluster.create_agent("receptionist")
    cluster.create_line("line", {**BUY, "number": OWNED})
    with run_operator():
        refused = cluster.wait_condition("line", "Ready", "False", "InvalidSpec")

    assert "exactly one of number (adopt) and purchase (buy) must be set" in refused["message"]
    assert twilio.state.purchases == []
    assert twilio.state.accounts[ACCOUNT_SID].trunks == {}
