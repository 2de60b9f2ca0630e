"""The PhoneNumber reconciler against the real livekit-server's SIP API (with Redis, as SIP
needs), not the Twirp double: the inbound trunk, the outbound trunk and the dispatch rule it
makes are read back from the server, with the line's number, the outbound SIP credential of
its Secret and the agent's dispatch; re-pointing the agent changes the rule in place, turning
outbound off removes the outbound trunk, and deleting the line leaves nothing in LiveKit.
Twilio stays the double. The server is the session's (tests.substrate.livekit_server), so each
test uses a number of its own."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from google.protobuf import json_format
from livekit import api as lkapi
from livekit.protocol import sip as proto_sip

from arkenos_devstack.livekit import LiveKitStack
from arkenos_operator.kube import SECRETS
from tests.doubles.twilio import TwilioDouble
from tests.operator.phonenumber.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    PLATFORM_NS,
    SIP_URI,
    WORKSPACE,
    Cluster,
    Doubles,
    OperatorFactory,
)
from tests.substrate.waiting import wait_until

pytestmark = [pytest.mark.k8s, pytest.mark.livekit, pytest.mark.slow]

T = TypeVar("T")
CUSTOM_DISPATCH = f"arkenos-custom-{WORKSPACE}-sales"


@dataclass
class RealSip:
    """The real server's SIP objects, read with livekit-api from the test's thread."""

    stack: LiveKitStack

    def _run(self, call: Callable[[lkapi.LiveKitAPI], Awaitable[T]]) -> T:
        async def go() -> T:
            keys = self.stack.keys
            async with lkapi.LiveKitAPI(self.stack.http_url, keys.api_key, keys.api_secret) as lk:
                return await call(lk)

        return asyncio.run(go())

    def inbound(self, number: str) -> list[proto_sip.SIPInboundTrunkInfo]:
        request = proto_sip.ListSIPInboundTrunkRequest(numbers=[number])
        return list(self._run(lambda lk: lk.sip.list_inbound_trunk(request)).items)

    def outbound(self, number: str) -> list[proto_sip.SIPOutboundTrunkInfo]:
        request = proto_sip.ListSIPOutboundTrunkRequest(numbers=[number])
        return list(self._run(lambda lk: lk.sip.list_outbound_trunk(request)).items)

    def rules(self, trunk_id: str) -> list[proto_sip.SIPDispatchRuleInfo]:
        request = proto_sip.ListSIPDispatchRuleRequest(trunk_ids=[trunk_id])
        return list(self._run(lambda lk: lk.sip.list_dispatch_rule(request)).items)

    def all_rule_ids(self) -> set[str]:
        request = proto_sip.ListSIPDispatchRuleRequest()
        items = self._run(lambda lk: lk.sip.list_dispatch_rule(request)).items
        return {r.sip_dispatch_rule_id for r in items}


@pytest.fixture
def sip(livekit_stack: LiveKitStack) -> RealSip:
    return RealSip(livekit_stack)


@pytest.fixture
def operator_env(
    monkeypatch: pytest.MonkeyPatch, cluster: Cluster, doubles: Doubles, livekit_stack: LiveKitStack
) -> None:
    """As the suite's, but the platform's LiveKit SIP Secret names the real server."""
    env = {
        "TWILIO_SECRET": f"{PLATFORM_NS}/arkenos-twilio",
        "LIVEKIT_SIP_SECRET": f"{PLATFORM_NS}/arkenos-livekit-sip",
        "LIVEKIT_SIP_URI": SIP_URI,
        "TWILIO_BASE_URL": doubles.twilio_url,
        "TWILIO_TIMEOUT_SECONDS": "2",
        "LIVEKIT_TIMEOUT_SECONDS": "5",
    }
    for key, value in env.items():
        monkeypatch.setenv(f"ARKENOS_{key}", value)
    cluster.secret(
        PLATFORM_NS, "arkenos-twilio", {"accountSid": ACCOUNT_SID, "authToken": AUTH_TOKEN}
    )
    keys = livekit_stack.keys
    cluster.secret(
        PLATFORM_NS,
        "arkenos-livekit-sip",
        {"url": livekit_stack.http_url, "apiKey": keys.api_key, "apiSecret": keys.api_secret},
    )


def own_number(twilio: TwilioDouble) -> str:
    """A number the Twilio account owns, unused by other tests on the session's server."""
    number = "+1415" + "".join(secrets.choice("0123456789") for _ in range(7))
    twilio.state.add_owned_number(ACCOUNT_SID, number, "Real LiveKit line")
    return number


def wire(message: Any) -> dict[str, Any]:
    return json_format.MessageToDict(message)


def the_rule(sip: RealSip, trunk_id: str) -> dict[str, Any]:
    [rule] = sip.rules(trunk_id)
    return wire(rule)


def test_a_line_on_the_real_server_is_made_changed_and_removed(
    cluster: Cluster, run_operator: OperatorFactory, twilio: TwilioDouble, sip: RealSip
) -> None:
    number = own_number(twilio)
    cluster.create_agent("receptionist")
    cluster.create_agent("sales", mode="Custom", dispatch_name=CUSTOM_DISPATCH)
    line = cluster.create_line(
        "support", {"number": number, "agentRef": {"name": "receptionist"}, "outbound": True}
    )
    uid = line["metadata"]["uid"]
    owner = json.dumps({"arkenos.io/phonenumber-uid": uid}, sort_keys=True)
    rules_before = sip.all_rule_ids()

    with run_operator() as runner:
        cluster.wait_condition("support", "Ready", "True", within=60)
        status = cluster.status("support")["livekit"]

        [inbound] = sip.inbound(number)
        assert inbound.sip_trunk_id == status["inboundTrunkId"]
        assert (list(inbound.numbers), inbound.name, inbound.metadata) == (
            [number],
            f"arkenos-{WORKSPACE}-support",
            owner,
        )
        [outbound] = sip.outbound(number)
        assert outbound.sip_trunk_id == status["outboundTrunkId"]
        secret = cluster.get(SECRETS, WORKSPACE, "support-outbound-sip")
        assert secret is not None
        password = base64.b64decode(secret["data"]["password"]).decode()
        assert (outbound.address, list(outbound.numbers)) == (
            f"arkenos-{uid}.pstn.twilio.com",
            [number],
        )
        assert (outbound.auth_username, outbound.metadata) == ("arkenos-livekit", owner)
        # The real server hands the password back to the key that set it: the line's own.
        assert outbound.auth_password == password

        rule = the_rule(sip, inbound.sip_trunk_id)
        assert rule["sipDispatchRuleId"] == status["dispatchRuleId"]
        assert rule["trunkIds"] == [inbound.sip_trunk_id]
        assert rule["rule"] == {
            "dispatchRuleIndividual": {"roomPrefix": f"call-{WORKSPACE}-support"}
        }
        [agent] = rule["roomConfig"]["agents"]
        assert agent["agentName"] == "arkenos-standard"
        assert json.loads(agent["metadata"]) == {
            "workspace": WORKSPACE,
            "agent": "receptionist",
            "phoneNumber": number,
            "direction": "Inbound",
            "variables": {},
        }

        # Re-pointing the agent changes the rule in place on the server.
        cluster.patch_line("support", {"spec": {"agentRef": {"name": "sales"}}})
        repointed = wait_until(
            lambda: (
                (r := the_rule(sip, inbound.sip_trunk_id))["roomConfig"]["agents"][0]["agentName"]
                == CUSTOM_DISPATCH
                and r
            ),
            within=30,
            what="the dispatch rule to name the sales agent",
        )
        assert repointed["sipDispatchRuleId"] == status["dispatchRuleId"]
        assert json.loads(repointed["roomConfig"]["agents"][0]["metadata"])["agent"] == "sales"
        assert [t.sip_trunk_id for t in sip.inbound(number)] == [inbound.sip_trunk_id]

        # Outbound off: the outbound trunk goes from the server; inbound stays.
        cluster.patch_line("support", {"spec": {"outbound": False}})
        wait_until(lambda: not sip.outbound(number), within=30, what="the outbound trunk to go")
        cluster.wait_condition("support", "Ready", "True", within=30)
        assert [t.sip_trunk_id for t in sip.inbound(number)] == [inbound.sip_trunk_id]

        cluster.delete_line("support")
        wait_until(lambda: cluster.line("support") is None, within=30, what="the finalizer")
    assert runner.exception is None

    assert sip.inbound(number) == []
    assert sip.outbound(number) == []
    assert sip.all_rule_ids() == rules_before
