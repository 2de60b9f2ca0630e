"""A call whose agent had no worker when its room was made (a custom agent at zero pods, woken
by the call): on the real livekit-server the room's dispatch is not taken by the worker that
registers afterwards (LiveKit launches a dispatch once, when the room is made, and drops it
while no worker of that name is registered). The API's Redispatcher dispatches it again once
the agent reports a ready pod, and the caller then hears the agent.

The worker here is the standard one and the agent's readiness is written into its status by
the test: what is under test is LiveKit's behaviour and the re-dispatch, not the operator."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from livekit import api as lkapi
from pydantic import SecretStr

from arkenos_api.calls.redispatch import Redispatcher, Waiting
from arkenos_api.core.livekit import create_livekit
from arkenos_api.settings import Settings
from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME
from arkenos_devstack.livekit import LiveKitStack
from tests.api.calls._support import patch_status
from tests.api.helpers import Api, Cluster
from tests.realcalls.support.caller import WebCaller
from tests.realcalls.support.platform import caller_token, create_dispatched_room
from tests.realcalls.support.worker import start_worker

pytestmark = [pytest.mark.livekit, pytest.mark.postgres, pytest.mark.k8s, pytest.mark.slow]

#: Long enough for livekit-server to have dispatched to the new worker, had it meant to.
AFTER_REGISTRATION_S = 4.0


async def dispatches(stack: LiveKitStack, room: str) -> list[lkapi.AgentDispatch]:
    """The room's dispatches to the standard agent's name."""
    keys = stack.keys
    async with lkapi.LiveKitAPI(stack.http_url, keys.api_key, keys.api_secret) as lk:
        found = await lk.agent_dispatch.list_dispatch(room)
    return [d for d in found if d.agent_name == STANDARD_DISPATCH_NAME]


async def test_a_worker_that_registers_after_the_room_gets_the_call_only_when_redispatched(
    livekit_stack: LiveKitStack,
    api: Api,
    cluster: Cluster,
    settings: Settings,
    workspace: str,
    api_url: str,
    pool_token_file: Path,
    tmp_path: Path,
) -> None:
    room = f"late-{uuid.uuid4().hex[:8]}"
    await create_dispatched_room(livekit_stack, room, workspace, "support")
    # The caller is in the room from the start (as livekit-sip holds a phone caller), so it
    # outlives the worker's start on a busy machine.
    caller = await WebCaller.join(livekit_stack.url, caller_token(livekit_stack, room))
    [dispatch] = await dispatches(livekit_stack, room)
    assert list(dispatch.state.jobs) == []  # nobody to take it

    worker = await asyncio.to_thread(
        start_worker, livekit_stack, api_url, pool_token_file, tmp_path / "worker.log"
    )
    livekit = create_livekit(
        settings.model_copy(
            update={
                "livekit_url": livekit_stack.http_url,
                "livekit_api_key": livekit_stack.keys.api_key,
                "livekit_api_secret": SecretStr(livekit_stack.keys.api_secret),
            }
        )
    )
    assert livekit is not None
    redispatcher = Redispatcher(api.app.state.kube, livekit, wait_seconds=60, poll_seconds=0.2)
    try:
        await asyncio.sleep(AFTER_REGISTRATION_S)
        # LiveKit did not hand the room's dispatch to the worker that registered since.
        [still] = await dispatches(livekit_stack, room)
        assert (still.id, list(still.state.jobs)) == (dispatch.id, [])
        assert caller.heard.stretches == []

        # The agent reports a ready pod: the waiting call is dispatched again and served.
        await patch_status(cluster, workspace, "voiceagents", "support", {"readyReplicas": 1})
        redispatcher.watch(
            Waiting(room, workspace, "support", STANDARD_DISPATCH_NAME, dispatch.metadata)
        )
        [task] = redispatcher.tasks.values()
        assert await asyncio.wait_for(task, 30) is True
        greeting = await caller.agent_speech_after(0.0, within=30)
        assert greeting.loud_frames >= 1
        [served] = await dispatches(livekit_stack, room)
        assert served.id != dispatch.id
        assert served.metadata == dispatch.metadata
        assert len(served.state.jobs) == 1
    finally:
        await caller.leave()
        await redispatcher.close()
        await livekit.close()
        await asyncio.to_thread(worker.stop)
