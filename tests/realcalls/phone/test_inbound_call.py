"""An inbound phone call through livekit-sip: the LiveKit inbound trunk and dispatch rule a
PhoneNumber's reconciler creates (built by the operator's own builders, created with
livekit-api against the real server) route sipp's INVITE with a G.711 offer to the standard
agent; the agent's greeting and answer come back as RTP; the API stores an inbound session
with the caller's number."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from google.protobuf import json_format
from livekit import api as lkapi
from livekit.protocol import sip as proto_sip

from arkenos_crds.runtime import CallDirection, EndReason
from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME
from arkenos_devstack.livekit import LiveKitStack
from arkenos_operator.phonenumber import builders
from tests.api.helpers import Api
from tests.realcalls.support.agent import AGENT_ANSWERS, CALLER_SAYS, GREETING
from tests.realcalls.support.phone import open_rtp_endpoint, place_call, write_scenario
from tests.realcalls.support.platform import stored_call
from tests.realcalls.support.worker import WorkerProcess
from tests.substrate.waiting import eventually

pytestmark = [pytest.mark.livekit, pytest.mark.postgres, pytest.mark.k8s, pytest.mark.slow]

CALLER_NUMBER = "+15551230000"
LINE_NUMBER = "+15559870000"
AEC_WARMUP_S = 3.5
#: How long sipp keeps the call up before it hangs up: greeting, warm-up, question, answer.
HOLD_MS = 16_000


@pytest.fixture
async def phone_line(livekit_sip: LiveKitStack, workspace: str) -> AsyncIterator[str]:
    """The line's inbound trunk (only loopback may call it) and its dispatch rule; yield the
    rule's room prefix."""
    uid = str(uuid.uuid4())
    trunk = json_format.ParseDict(
        builders.inbound_trunk(workspace, "main-line", uid, LINE_NUMBER, ["127.0.0.1/32"]),
        proto_sip.SIPInboundTrunkInfo(),
    )
    keys = livekit_sip.keys
    async with lkapi.LiveKitAPI(livekit_sip.http_url, keys.api_key, keys.api_secret) as lk:
        created = await lk.sip.create_inbound_trunk(
            proto_sip.CreateSIPInboundTrunkRequest(trunk=trunk)
        )
        rule = json_format.ParseDict(
            builders.dispatch_rule(
                workspace,
                "main-line",
                uid,
                created.sip_trunk_id,
                "support",
                STANDARD_DISPATCH_NAME,
                LINE_NUMBER,
            ),
            proto_sip.SIPDispatchRuleInfo(),
        )
        made = await lk.sip.create_dispatch_rule(
            proto_sip.CreateSIPDispatchRuleRequest(dispatch_rule=rule)
        )
        try:
            yield builders.room_prefix(workspace, "main-line")
        finally:
            await lk.sip.delete_dispatch_rule(
                proto_sip.DeleteSIPDispatchRuleRequest(
                    sip_dispatch_rule_id=made.sip_dispatch_rule_id
                )
            )
            await lk.sip.delete_trunk(
                proto_sip.DeleteSIPTrunkRequest(sip_trunk_id=created.sip_trunk_id)
            )


async def test_phone_call_reaches_the_agent_and_is_stored_as_inbound(
    livekit_sip: LiveKitStack,
    phone_line: str,
    worker: WorkerProcess,
    api: Api,
    phone_speech: np.ndarray,
    tmp_path: Path,
) -> None:
    endpoint = await open_rtp_endpoint()
    scenario = write_scenario(
        tmp_path / "inbound.xml",
        caller=CALLER_NUMBER,
        callee=LINE_NUMBER,
        rtp_port=endpoint.port,
        hold_ms=HOLD_MS,
    )
    sipp = await place_call(scenario, livekit_sip.host, livekit_sip.sip_port, tmp_path)
    try:
        greeting_at = await endpoint.agent_speech_after(0.0, within=30)
        await asyncio.sleep(AEC_WARMUP_S)
        speech_ended = await endpoint.say(phone_speech)
        answer_at = await endpoint.agent_speech_after(speech_ended, within=20)
        exit_code = await asyncio.wait_for(sipp.wait(), timeout=60)
    finally:
        endpoint.close()
        if sipp.returncode is None:
            sipp.kill()
            await sipp.wait()
    assert exit_code == 0, (tmp_path / "sipp-errors.log").read_text(errors="replace")
    assert answer_at > speech_ended > greeting_at
    assert endpoint.packets > 100  # the agent's audio came back as RTP, 50 packets a second
    # Greeting and answer: 0.8 s of tone each, 20 ms a packet.
    assert endpoint.heard.loud_frames(before=speech_ended) >= 20
    assert endpoint.heard.loud_frames(after=speech_ended) >= 20

    stored = await eventually(
        lambda: stored_call(api, phone_line, prefix=True), within=30, interval=0.2
    )
    session = stored.session
    assert session.room.startswith(phone_line)
    assert session.direction == CallDirection.INBOUND
    assert (session.caller, session.callee) == (CALLER_NUMBER, LINE_NUMBER)
    assert session.end_reason == EndReason.CALLER_HUNG_UP
    spoken = [(segment.role, segment.text.strip()) for segment in stored.transcript]
    assert spoken == [("agent", GREETING), ("user", CALLER_SAYS), ("agent", AGENT_ANSWERS)]
