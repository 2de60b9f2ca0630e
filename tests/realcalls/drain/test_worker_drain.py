"""Draining a standard worker during a live call (SIGTERM, as Kubernetes does on scale-down
or rollout): the worker reports itself not ready, takes no new job, lets the live call run to
its end, and then exits; the call ends normally."""

from __future__ import annotations

import asyncio
import signal
import uuid

import numpy as np
import pytest
from livekit import api as lkapi

from arkenos_crds.runtime import EndReason
from arkenos_devstack.livekit import LiveKitStack
from tests.api.helpers import Api
from tests.realcalls.support.agent import AGENT_ANSWERS
from tests.realcalls.support.caller import WebCaller
from tests.realcalls.support.platform import caller_token, create_dispatched_room, stored_call
from tests.realcalls.support.worker import WorkerProcess
from tests.substrate.waiting import eventually

pytestmark = [pytest.mark.livekit, pytest.mark.postgres, pytest.mark.k8s, pytest.mark.slow]

AEC_WARMUP_S = 3.5
#: How long a new call waits for a job while the only worker drains.
UNSERVED_WAIT_S = 8.0


async def participants(stack: LiveKitStack, room: str) -> list[str]:
    keys = stack.keys
    async with lkapi.LiveKitAPI(stack.http_url, keys.api_key, keys.api_secret) as lk:
        listed = await lk.room.list_participants(lkapi.ListParticipantsRequest(room=room))
    return [participant.identity for participant in listed.participants]


async def test_sigterm_lets_the_live_call_finish_and_takes_no_new_call(
    livekit_stack: LiveKitStack,
    worker: WorkerProcess,
    api: Api,
    workspace: str,
    speech: np.ndarray,
) -> None:
    live = f"drain-live-{uuid.uuid4().hex[:8]}"
    await create_dispatched_room(livekit_stack, live, workspace, "support")
    caller = await WebCaller.join(livekit_stack.url, caller_token(livekit_stack, live))
    try:
        await caller.agent_speech_after(0.0, within=30)
        worker.process.signal(signal.SIGTERM)
        status = await eventually(
            lambda: _not_ready(worker), within=10, interval=0.1, what="the worker to drain"
        )
        assert status == (503, "draining")

        # A call that arrives now is not taken by the draining worker.
        late = f"drain-late-{uuid.uuid4().hex[:8]}"
        await create_dispatched_room(livekit_stack, late, workspace, "support")

        # The live call goes on: the caller is heard and answered.
        await caller.agent_quiet(within=10)
        await asyncio.sleep(AEC_WARMUP_S)
        speech_ended = await caller.say(speech)
        await caller.agent_speech_after(speech_ended, within=20)
        await caller.agent_quiet(within=10)
        assert caller.heard.loud_frames(after=speech_ended) >= 40
        await asyncio.sleep(max(0.0, UNSERVED_WAIT_S - AEC_WARMUP_S))
        assert await participants(livekit_stack, late) == []
        assert worker.process.running  # still serving the live call
    finally:
        await caller.leave()

    exit_code = await asyncio.to_thread(worker.wait_exit, 60)
    assert exit_code == 0
    stored = await eventually(lambda: stored_call(api, live), within=30, interval=0.2)
    assert stored.session.end_reason == EndReason.CALLER_HUNG_UP
    assert stored.transcript[-1].text.strip() == AGENT_ANSWERS
    assert await stored_call(api, late) is None


async def _not_ready(worker: WorkerProcess) -> tuple[int, str] | None:
    status = await asyncio.to_thread(worker.readiness)
    return status if status[0] != 200 else None
