"""Changing a line: re-pointing the agent, toggling outbound, the agent appearing and
becoming Ready, and the refused change of the number."""

from __future__ import annotations

import base64

import pytest

from arkenos_operator.kube import SECRETS
from tests.doubles.livekit import LiveKitDouble
from tests.doubles.twilio import TwilioDouble
from tests.operator.phonenumber.conftest import (
    ACCOUNT_SID,
    OWNED,
    WORKSPACE,
    Cluster,
    OperatorFactory,
)
from tests.substrate.waiting import wait_until

pytestmark = pytest.mark.k8s


def test_repointing_the_agent_changes_only_the_dispatch_rule(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    cluster.create_agent("receptionist")
    cluster.create_agent("sales", mode="Custom", dispatch_name="arkenos-custom-acme-sales")
    cluster.create_line("support", {"number": OWNED, "agentRef": {"name": "receptionist"}})
    with run_operator():
        cluster.wait_condition("support", "Ready", "True")
        before = cluster.status("support")
        calls_before = len(livekit.calls)
        cluster.patch_line("support", {"spec": {"agentRef": {"name": "sales"}}})
        wait_until(
            lambda: (
                cluster.status("support").get("agentDispatchName") == "arkenos-custom-acme-sales"
            ),
            within=20,
            what="the dispatch rule to name the new agent",
        )
        cluster.wait_condition("support", "Ready", "True")

    after = cluster.status("support")
    assert after["livekit"] == before["livekit"]
    assert after["twilio"] == before["twilio"]
    new_calls = livekit.calls.since(calls_before)
    assert [c for c in new_calls if not c.startswith("SIP/List")] == ["SIP/UpdateSIPDispatchRule"]
    [dispatch] = livekit.state.simulate_inbound_call(OWNED, "+15550001234").dispatches
    assert dispatch.agent_name == "arkenos-custom-acme-sales"
    assert '"agent": "sales"' in dispatch.metadata


def test_toggling_outbound_adds_and_removes_the_outbound_pieces(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    cluster.create_agent("receptionist")
    line = cluster.create_line("support", {"number": OWNED, "agentRef": {"name": "receptionist"}})
    uid = line["metadata"]["uid"]
    account = twilio.state.accounts[ACCOUNT_SID]
    with run_operator():
        cluster.wait_condition("support", "Ready", "True")
        assert livekit.state.outbound_trunks == {}
        cluster.patch_line("support", {"spec": {"outbound": True}})
        wait_until(
            lambda: cluster.status("support").get("livekit", {}).get("outboundTrunkId"),
            within=20,
            what="the outbound trunk",
        )
        cluster.wait_condition("support", "Ready", "True")
        status = cluster.status("support")
        secret = cluster.get(SECRETS, WORKSPACE, "support-outbound-sip")
        assert secret is not None
        assert secret["metadata"]["ownerReferences"][0]["uid"] == uid
        password = base64.b64decode(secret["data"]["password"]).decode()

        domain = f"arkenos-{uid}.pstn.twilio.com"
        assert status["twilio"]["terminationDomain"] == domain
        trunk = account.trunks[status["twilio"]["trunkSid"]]
        assert trunk.domain_name == domain
        credential_list = account.credential_lists[status["twilio"]["credentialListSid"]]
        assert trunk.credential_list_sids == [credential_list.sid]
        [credential] = credential_list.credentials.values()
        assert (credential.username, credential.password) == ("arkenos-livekit", password)
        outbound = livekit.state.outbound_trunks[status["livekit"]["outboundTrunkId"]]
        assert (outbound.address, list(outbound.numbers)) == (domain, [OWNED])
        assert (outbound.auth_username, outbound.auth_password) == ("arkenos-livekit", password)

        cluster.patch_line("support", {"spec": {"outbound": False}})
        wait_until(
            lambda: "outboundTrunkId" not in cluster.status("support").get("livekit", {}),
            within=20,
            what="the outbound trunk to go",
        )
        cluster.wait_condition("support", "Ready", "True")

    status = cluster.status("support")
    assert "credentialListSid" not in status["twilio"]
    assert "terminationDomain" not in status["twilio"]
    assert livekit.state.outbound_trunks == {}
    assert account.credential_lists == {}
    assert account.trunks[status["twilio"]["trunkSid"]].domain_name is None
    assert cluster.get(SECRETS, WORKSPACE, "support-outbound-sip") is None
    assert livekit.state.simulate_inbound_call(OWNED, "+15550001234").dispatches


def test_a_missing_agent_then_created_then_ready(
    cluster: Cluster, run_operator: OperatorFactory, livekit: LiveKitDouble
) -> None:
    cluster.create_line("support", {"number": OWNED, "agentRef": {"name": "receptionist"}})
    with run_operator():
        missing = cluster.wait_condition("support", "DispatchReady", "False", "AgentNotFound")
        assert "VoiceAgent receptionist does not exist" in missing["message"]
        assert cluster.condition("support", "Ready")["reason"] == "AgentNotFound"

        cluster.create_agent("receptionist", ready=False)
        not_ready = cluster.wait_condition("support", "Ready", "False", "AgentNotReady")
        assert not_ready["message"] == (
            "VoiceAgent receptionist is not Ready: the build is still running"
        )
        assert cluster.condition("support", "DispatchReady")["status"] == "True"

        # The reconcile the agent's change triggers meets an outage once, and retries.
        livekit.faults.add("SIP/ListSIPInboundTrunk", 503)
        cluster.set_agent_ready("receptionist", True)
        cluster.wait_condition("support", "Ready", "True")
    assert livekit.faults.fired("SIP/ListSIPInboundTrunk") == 1
    assert livekit.state.simulate_inbound_call(OWNED, "+15550001234").dispatches


def test_changing_the_number_is_refused(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble
) -> None:
    cluster.create_agent("receptionist")
    cluster.create_line("support", {"number": OWNED, "agentRef": {"name": "receptionist"}})
    with run_operator():
        cluster.wait_condition("support", "Ready", "True")
        before = cluster.status("support")
        cluster.patch_line("support", {"spec": {"number": "+14155550101"}})
        refused = cluster.wait_condition("support", "NumberReady", "False", "ImmutableFieldChanged")
        cluster.wait_condition("support", "Ready", "False", "ImmutableFieldChanged")

    assert "number is immutable" in refused["message"]
    after = cluster.status("support")
    assert (after["phoneNumber"], after["twilio"]) == (OWNED, before["twilio"])
    assert twilio.state.purchases == []


def test_turning_inbound_off_stops_routing_calls(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, livekit: LiveKitDouble
) -> None:
    cluster.create_agent("receptionist")
    cluster.create_line("support", {"number": OWNED, "agentRef": {"name": "receptionist"}})
    with run_operator():
        cluster.wait_condition("support", "Ready", "True")
        cluster.patch_line("support", {"spec": {"inbound": False}})
        wait_until(
            lambda: "inboundTrunkId" not in cluster.status("support").get("livekit", {}),
            within=20,
            what="the inbound trunk to go",
        )
        cluster.wait_condition("support", "Ready", "True")

    assert livekit.state.leaks() == []
    assert twilio.state.origination_for(OWNED) == []
    with pytest.raises(LookupError):
        livekit.state.simulate_inbound_call(OWNED, "+15550001234")
    status = cluster.status("support")
    trunk = twilio.state.accounts[ACCOUNT_SID].trunks[status["twilio"]["trunkSid"]]
    assert trunk.origination_urls == {}


def test_the_resync_timer_repairs_drift(
    cluster: Cluster,
    run_operator: OperatorFactory,
    twilio: TwilioDouble,
    livekit: LiveKitDouble,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARKENOS_PHONENUMBER_RESYNC_SECONDS", "0.5")
    cluster.create_agent("receptionist")
    cluster.create_line("support", {"number": OWNED, "agentRef": {"name": "receptionist"}})
    with run_operator():
        cluster.wait_condition("support", "Ready", "True")
        status = cluster.status("support")
        # Someone deletes the dispatch rule in LiveKit and the origination URL in Twilio.
        livekit.state.delete_dispatch_rule(status["livekit"]["dispatchRuleId"])
        trunk = twilio.state.accounts[ACCOUNT_SID].trunks[status["twilio"]["trunkSid"]]
        trunk.origination_urls.clear()
        wait_until(
            lambda: livekit.state.dispatch_rules and twilio.state.origination_for(OWNED),
            within=20,
            what="the timer to put the rule and the origination URL back",
        )

    assert livekit.state.simulate_inbound_call(OWNED, "+15550001234").dispatches
