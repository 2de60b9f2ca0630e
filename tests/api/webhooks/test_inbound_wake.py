"""An inbound phone call to a custom agent at zero pods: Twilio hands it to livekit-sip, whose
dispatch rule makes the room and dispatches the agent, without the API. LiveKit's signed
webhook for the SIP participant joining is what the API sees: it reads the room's dispatches
(their metadata names workspace and agent) and marks the asleep agent of one no worker took,
so the operator starts a pod, and waits to dispatch the call again once a pod is ready (see
tests/api/calls/test_wake.py). Awake agents, served dispatches and dispatches that are not the
platform's are left alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from livekit.protocol import agent_dispatch as proto_dispatch

from arkenos_crds.runtime import CallDirection, DispatchMetadata
from tests.api.calls.conftest import LK_KEY, LK_SECRET
from tests.api.calls.test_wake import custom_agent_at, wake_mark
from tests.api.helpers import Api, Cluster, Person
from tests.doubles.livekit import LiveKitDouble, webhooks

CALLER, LINE = "+15550001234", "+14155550123"


def phone_call_room(
    double: LiveKitDouble, workspace: str, agent: str, dispatch: str, suffix: str = "a1b2c3d4e5f6"
) -> str:
    """The room a PhoneNumber's dispatch rule makes for an inbound call, as livekit-sip does:
    the caller joined, the agent dispatched with the rule's metadata."""
    metadata = DispatchMetadata(
        workspace=workspace, agent=agent, phone_number=LINE, direction=CallDirection.INBOUND
    )
    room = f"call-{workspace}-line_{CALLER}_{suffix}"
    double.state.add_participant(room, f"sip_{CALLER}", name=CALLER)
    double.state.dispatch(
        room,
        proto_dispatch.RoomAgentDispatch(
            agent_name=dispatch, metadata=json.dumps(metadata.to_wire(), sort_keys=True)
        ),
    )
    return room


async def caller_joined(api: Api, room: str) -> Any:
    participant = webhooks.sip_participant(f"sip_{CALLER}", call_status="active")
    delivery = webhooks.event("participant_joined", room, participant=participant)
    body, headers = webhooks.signed(delivery, LK_KEY, LK_SECRET)
    async with api.client() as client:
        return await client.post("/webhooks/livekit", content=body, headers=headers)


async def test_an_inbound_phone_call_wakes_the_agent_its_dispatch_waits_for(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    livekit: tuple[LiveKitDouble, str],
) -> None:
    _, workspace = owner
    double, _ = livekit
    dispatch = await custom_agent_at(cluster, workspace, "survey", ready_replicas=0)
    room = phone_call_room(double, workspace, "survey", dispatch)
    before = datetime.now(UTC).replace(microsecond=0)

    response = await caller_joined(api, room)

    assert response.status_code == 204, response.text
    mark = wake_mark(cluster, workspace, "survey")
    assert mark is not None
    woken = datetime.fromisoformat(mark.replace("Z", "+00:00"))
    assert before <= woken <= datetime.now(UTC) + timedelta(seconds=1)
    # The call waits for the agent's first pod, to be dispatched again then.
    assert (room, dispatch) in api.app.state.redispatcher.tasks


async def test_an_awake_agent_a_served_dispatch_and_a_foreign_one_are_left_alone(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    livekit: tuple[LiveKitDouble, str],
) -> None:
    _, workspace = owner
    double, _ = livekit
    awake = await custom_agent_at(cluster, workspace, "awake", ready_replicas=1)
    asleep = await custom_agent_at(cluster, workspace, "asleep", ready_replicas=0)

    awake_room = phone_call_room(double, workspace, "awake", awake, suffix="awake0000000")
    served_room = phone_call_room(double, workspace, "asleep", asleep, suffix="served000000")
    with double.state.lock:
        for dispatch in double.state.rooms[served_room].dispatches.values():
            dispatch.state.jobs.add(id="AJ_taken", agent_name=asleep)
    foreign_room = "someone-elses-room"
    double.state.add_participant(foreign_room, f"sip_{CALLER}")
    double.state.dispatch(
        foreign_room,
        proto_dispatch.RoomAgentDispatch(agent_name=asleep, metadata='{"not": "ours"}'),
    )

    for room in (awake_room, served_room, foreign_room):
        response = await caller_joined(api, room)
        assert response.status_code == 204, response.text

    assert wake_mark(cluster, workspace, "awake") is None
    assert wake_mark(cluster, workspace, "asleep") is None
    assert api.app.state.redispatcher.tasks == {}
