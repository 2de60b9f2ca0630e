"""Calls to a custom agent scaled to zero: the operator reports it Ready (a call is served
after a cold start), so the API lets the call through, dispatches it to the agent's own name,
and marks the agent so the operator starts a pod. LiveKit drops a dispatch no worker could
take, so once the agent reports a ready pod the API replaces the job-less dispatch with the
same one, until a job has taken it. An agent with a ready pod is not marked."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from arkenos_api.calls.wake import needs_wake
from arkenos_crds.runtime import WAKE_ANNOTATION
from arkenos_crds.voiceagent import AgentMode, dispatch_name_for
from tests.api.calls._support import condition, patch_status
from tests.api.helpers import Api, Cluster, Person
from tests.doubles.livekit import LiveKitDouble
from tests.substrate.waiting import eventually

IMAGE = "ghcr.example/acme/survey@sha256:" + "c" * 64


async def custom_agent_at(
    cluster: Cluster, workspace: str, name: str, *, ready_replicas: int
) -> str:
    """A min-0 custom agent as the operator leaves it; returns its dispatch name."""
    spec = {
        "mode": "Custom",
        "custom": {"source": {"image": IMAGE}, "replicas": {"min": 0, "max": 2}},
    }
    created = await cluster.apply_agent(workspace, name, spec)
    assert created.status_code == 201, created.text
    dispatch = dispatch_name_for(workspace, name, AgentMode.CUSTOM)
    asleep = ready_replicas == 0
    ready = (
        condition("True", "ScaledToZero", "Scaled to zero; the next call starts a pod.")
        if asleep
        else condition("True", "Ready", "Serving.")
    )
    status = {
        "observedGeneration": 1,
        "dispatchName": dispatch,
        "replicas": ready_replicas,
        "readyReplicas": ready_replicas,
        "conditions": [ready],
    }
    await patch_status(cluster, workspace, "voiceagents", name, status)
    return dispatch


def wake_mark(cluster: Cluster, workspace: str, name: str) -> str | None:
    agent = cluster.agent(workspace, name) or {"metadata": {}}
    return (agent["metadata"].get("annotations") or {}).get(WAKE_ANNOTATION)


async def test_a_call_to_an_agent_at_zero_goes_through_and_wakes_it(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    livekit: tuple[LiveKitDouble, str],
) -> None:
    admin, workspace = owner
    double, _ = livekit
    dispatch = await custom_agent_at(cluster, workspace, "survey", ready_replicas=0)
    before = datetime.now(UTC).replace(microsecond=0)

    started = await admin.post(f"/api/v1/workspaces/{workspace}/agents/survey/calls", json={})

    assert started.status_code == 201, started.text
    room = started.json()["room"]
    with double.state.lock:
        dispatches = list(double.state.rooms[room].dispatches.values())
    assert [d.agent_name for d in dispatches] == [dispatch]
    mark = wake_mark(cluster, workspace, "survey")
    assert mark is not None
    assert mark.endswith("Z")
    woken = datetime.fromisoformat(mark.replace("Z", "+00:00"))
    assert before <= woken <= datetime.now(UTC) + timedelta(seconds=1)


async def test_an_agent_with_a_ready_pod_is_not_marked(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    livekit: tuple[LiveKitDouble, str],
) -> None:
    admin, workspace = owner
    await custom_agent_at(cluster, workspace, "survey", ready_replicas=1)

    started = await admin.post(f"/api/v1/workspaces/{workspace}/agents/survey/calls", json={})

    assert started.status_code == 201, started.text
    assert wake_mark(cluster, workspace, "survey") is None


async def ended(redispatcher: Any, room: str, dispatch_name: str) -> bool:
    return (room, dispatch_name) not in redispatcher.tasks


async def agent_gets_a_pod(cluster: Cluster, workspace: str, name: str) -> None:
    await patch_status(cluster, workspace, "voiceagents", name, {"readyReplicas": 1})


async def redispatched(double: LiveKitDouble, room: str, stale: str) -> Any:
    """Wait until ``room``'s only dispatch is a new one (``stale`` gone); return it."""

    async def fresh() -> Any:
        with double.state.lock:
            current = list(double.state.rooms[room].dispatches.values())
        return current[0] if len(current) == 1 and current[0].id != stale else None

    return await eventually(fresh, within=10, interval=0.02, what="the dispatch made again")


async def test_once_a_pod_is_ready_the_waiting_call_is_dispatched_again_until_taken(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    livekit: tuple[LiveKitDouble, str],
) -> None:
    admin, workspace = owner
    double, _ = livekit
    dispatch_name = await custom_agent_at(cluster, workspace, "survey", ready_replicas=0)
    redispatcher = api.app.state.redispatcher
    redispatcher.poll_seconds, redispatcher.take_grace_seconds = 0.05, 0.3

    started = await admin.post(f"/api/v1/workspaces/{workspace}/agents/survey/calls", json={})
    assert started.status_code == 201, started.text
    room = started.json()["room"]
    with double.state.lock:
        [first] = double.state.rooms[room].dispatches.values()
    assert (room, dispatch_name) in redispatcher.tasks
    await asyncio.sleep(0.3)  # no pod yet: the dispatch is left as it is
    with double.state.lock:
        assert list(double.state.rooms[room].dispatches) == [first.id]

    await agent_gets_a_pod(cluster, workspace, "survey")
    again = await redispatched(double, room, first.id)
    assert (again.agent_name, again.metadata) == (dispatch_name, first.metadata)
    # Not taken within the grace period: made once more; then a worker takes it.
    third = await redispatched(double, room, again.id)
    with double.state.lock:
        third.state.jobs.add(id="AJ_taken", agent_name=dispatch_name)
        double.state.rooms[room].dispatches[third.id].CopyFrom(third)

    await eventually(lambda: ended(redispatcher, room, dispatch_name), within=5, what="its end")
    with double.state.lock:
        assert list(double.state.rooms[room].dispatches) == [third.id]


async def test_a_call_that_ends_while_waiting_stops_the_wait(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    livekit: tuple[LiveKitDouble, str],
) -> None:
    admin, workspace = owner
    double, _ = livekit
    dispatch_name = await custom_agent_at(cluster, workspace, "survey", ready_replicas=0)
    redispatcher = api.app.state.redispatcher
    redispatcher.poll_seconds = 0.05
    started = await admin.post(f"/api/v1/workspaces/{workspace}/agents/survey/calls", json={})
    room = started.json()["room"]
    assert (room, dispatch_name) in redispatcher.tasks

    double.state.delete_room(room)

    await eventually(lambda: ended(redispatcher, room, dispatch_name), within=5, what="its end")


def test_only_custom_agents_without_a_ready_pod_need_waking() -> None:
    def agent(mode: str, ready: int | None) -> dict[str, Any]:
        status = {} if ready is None else {"readyReplicas": ready}
        return {"spec": {"mode": mode}, "status": status}

    assert needs_wake(agent("Custom", 0))
    assert needs_wake(agent("Custom", None))  # cold-starting: no pod has reported ready
    assert not needs_wake(agent("Custom", 2))
    assert not needs_wake(agent("Standard", 0))  # the shared pool has its own floor
