"""Buying and adopting a number and wiring it to an agent, end to end through kopf, the
emulated Kubernetes API and the Twilio and LiveKit doubles."""

from __future__ import annotations

import json

import pytest

from tests.doubles.livekit import LiveKitDouble
from tests.doubles.twilio import TwilioDouble
from tests.operator.phonenumber.conftest import (
    ACCOUNT_SID,
    AVAILABLE_415,
    OWNED,
    SIP_URI,
    WORKSPACE,
    Cluster,
    OperatorFactory,
)
from tests.substrate.waiting import wait_until

pytestmark = pytest.mark.k8s


def test_buy_wires_a_new_number_to_the_agent(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    cluster.create_agent("receptionist")
    line = cluster.create_line(
        "front-desk",
        {"purchase": {"country": "US", "areaCode": "415"}, "agentRef": {"name": "receptionist"}},
    )
    with run_operator() as runner:
        ready = cluster.wait_condition("front-desk", "Ready", "True")
    assert runner.exception is None

    status = cluster.status("front-desk")
    number = status["phoneNumber"]
    assert [p[1] for p in twilio.state.purchases] == [number]
    account = twilio.state.accounts[ACCOUNT_SID]
    bought = account.numbers[status["twilio"]["numberSid"]]
    assert bought.friendly_name == f"arkenos:{line['metadata']['uid']}"
    assert bought.trunk_sid == status["twilio"]["trunkSid"]
    assert twilio.state.origination_for(number) == [SIP_URI]
    assert status["livekit"].keys() == {"inboundTrunkId", "dispatchRuleId"}
    assert status["agentDispatchName"] == "arkenos-standard"
    assert status["observedGeneration"] == line["metadata"]["generation"]
    assert ready["message"] == f"{number} is answered by VoiceAgent receptionist."
    assert {c["type"]: c["status"] for c in status["conditions"]} == {
        "NumberReady": "True",
        "TrunkReady": "True",
        "DispatchReady": "True",
        "Ready": "True",
    }

    call = livekit.state.simulate_inbound_call(number, "+15550001234")
    assert call.room_name.startswith(f"call-{WORKSPACE}-front-desk_+15550001234_")
    [dispatch] = call.dispatches
    assert dispatch.agent_name == "arkenos-standard"
    assert json.loads(dispatch.metadata) == {
        "workspace": WORKSPACE,
        "agent": "receptionist",
        "phoneNumber": number,
        "direction": "Inbound",
        "variables": {},
    }


def test_adopt_uses_the_owned_number_without_buying(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    cluster.create_agent("receptionist")
    cluster.create_line("support", {"number": OWNED, "agentRef": {"name": "receptionist"}})
    with run_operator():
        cluster.wait_condition("support", "Ready", "True")

    assert twilio.state.purchases == []
    status = cluster.status("support")
    assert status["phoneNumber"] == OWNED
    adopted = twilio.state.accounts[ACCOUNT_SID].numbers[status["twilio"]["numberSid"]]
    assert adopted.friendly_name == "Support line"
    assert twilio.state.origination_for(OWNED) == [SIP_URI]
    assert livekit.state.simulate_inbound_call(OWNED, "+15550001234").dispatches


def test_a_pinned_purchase_buys_exactly_that_number(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    cluster.create_agent("receptionist")
    chosen = AVAILABLE_415[-1]
    cluster.create_line(
        "chosen",
        {
            "purchase": {"country": "US", "phoneNumber": chosen},
            "agentRef": {"name": "receptionist"},
        },
    )
    twilio.state.buy(ACCOUNT_SID, AVAILABLE_415[0], None, "someone else")
    cluster.create_line(
        "taken",
        {
            "purchase": {"country": "US", "phoneNumber": AVAILABLE_415[0]},
            "agentRef": {"name": "receptionist"},
        },
    )
    with run_operator():
        cluster.wait_condition("chosen", "Ready", "True")
        taken = cluster.wait_condition("taken", "NumberReady", "False", "NumberTaken")

    assert cluster.status("chosen")["phoneNumber"] == chosen
    assert [p[1] for p in twilio.state.purchases] == [AVAILABLE_415[0], chosen]
    assert taken["message"].startswith(f"Twilio no longer sells {AVAILABLE_415[0]} (PhoneNumber")
    assert "choose another number" in taken["message"]


def test_adopting_a_number_the_account_does_not_own_says_so(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    cluster.create_agent("receptionist")
    cluster.create_line(
        "stranger", {"number": "+14155550999", "agentRef": {"name": "receptionist"}}
    )
    with run_operator():
        number = cluster.wait_condition("stranger", "NumberReady", "False", "NotOwned")
        ready = cluster.wait_condition("stranger", "Ready", "False", "NotOwned")

    assert "does not own +14155550999" in number["message"]
    assert ready["message"] == number["message"]
    assert cluster.condition("stranger", "TrunkReady")["status"] == "Unknown"
    assert twilio.state.accounts[ACCOUNT_SID].trunks == {}
    assert livekit.state.leaks() == []


def test_inbound_calls_are_restricted_to_the_configured_addresses(
    cluster: Cluster,
    run_operator: OperatorFactory,
    livekit: LiveKitDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cluster.create_agent("receptionist")
    cluster.create_line("support", {"number": OWNED, "agentRef": {"name": "receptionist"}})
    with run_operator():
        cluster.wait_condition("support", "Ready", "True")
    [trunk_id] = livekit.state.inbound_trunks
    assert list(livekit.state.inbound_trunks[trunk_id].allowed_addresses) == []

    # The platform restricts inbound SIP to Twilio's ranges: the trunk is updated in place.
    monkeypatch.setenv("ARKENOS_LIVEKIT_INBOUND_ALLOWED_ADDRESSES", '["54.172.60.0/30"]')
    with run_operator():
        wait_until(
            lambda: list(livekit.state.inbound_trunks[trunk_id].allowed_addresses),
            within=20,
            what="the inbound trunk to be restricted",
        )
    assert list(livekit.state.inbound_trunks) == [trunk_id]
    assert livekit.calls.count("SIP/UpdateSIPInboundTrunk") == 1
