"""Browser calls: a room with a unique name and an explicit dispatch to the agent's dispatch
name carrying the contract's metadata, a join token for that room only, the session
registered before the room exists and claimed by the worker; a not-Ready agent gets 409."""

from __future__ import annotations

import json

import jwt
from livekit.api.access_token import TokenVerifier
from sqlalchemy import select

from arkenos_api.internal.models import CallSession
from arkenos_api.workspaces.models import Workspace
from arkenos_crds.runtime import WORKLOAD_TOKEN_AUDIENCE, DispatchMetadata
from tests.api.calls._support import ready_agent, worker_registers
from tests.api.calls.conftest import LK_KEY, LK_SECRET
from tests.api.helpers import Api, Cluster, Person
from tests.doubles.livekit import LiveKitDouble


def _calls(workspace: str, agent: str) -> str:
    return f"/api/v1/workspaces/{workspace}/agents/{agent}/calls"


async def test_a_browser_call_dispatches_the_agent_and_hands_out_a_room_token(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    livekit: tuple[LiveKitDouble, str],
) -> None:
    admin, workspace = owner
    double, _ = livekit
    await ready_agent(admin, cluster, workspace, "front-desk")

    started = await admin.post(
        _calls(workspace, "front-desk"), json={"variables": {"customer_name": "Ada"}}
    )

    assert started.status_code == 201, started.text
    body = started.json()
    assert body["url"] == "wss://livekit.example.com"
    room = body["room"]
    with double.state.lock:
        dispatches = list(double.state.rooms[room].dispatches.values())
    assert [d.agent_name for d in dispatches] == ["arkenos-standard"]
    metadata = DispatchMetadata.model_validate_json(dispatches[0].metadata)
    assert metadata.workspace == workspace
    assert metadata.agent == "front-desk"
    assert metadata.direction == "Web"
    assert str(metadata.session_id) == body["sessionId"]
    assert metadata.variables == {"customer_name": "Ada"}

    claims = TokenVerifier(LK_KEY, LK_SECRET).verify(body["token"])
    assert claims.video is not None
    assert claims.video.room == room
    assert claims.video.room_join
    assert claims.video.can_publish_sources == ["microphone"]
    assert not claims.video.room_admin
    assert not claims.video.room_create
    raw = jwt.decode(body["token"], options={"verify_signature": False})
    assert raw["exp"] - raw["nbf"] <= 300

    again = await admin.post(_calls(workspace, "front-desk"), json={})
    assert again.json()["room"] != room


async def test_the_worker_claims_the_session_the_api_registered(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
) -> None:
    admin, workspace = owner
    await ready_agent(admin, cluster, workspace, "front-desk")
    body = (await admin.post(_calls(workspace, "front-desk"), json={})).json()
    pool = cluster.authority.issue("arkenos-system", "arkenos-worker", (WORKLOAD_TOKEN_AUDIENCE,))

    registered = await worker_registers(
        api, pool, workspace, "front-desk", body["room"], "AJ_job0001"
    )
    retried = await worker_registers(api, pool, workspace, "front-desk", body["room"], "AJ_job0001")

    assert registered.status_code == 201, registered.text
    assert registered.json()["sessionId"] == body["sessionId"]
    assert retried.status_code == 200
    assert retried.json()["sessionId"] == body["sessionId"]
    async with api.app.state.sessionmaker() as db:
        rows = (await db.scalars(select(CallSession).where(CallSession.room == body["room"]))).all()
    assert [(r.job_id, r.status) for r in rows] == [("AJ_job0001", "Active")]


async def test_an_agent_that_is_not_ready_gets_409_with_its_ready_message(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    livekit: tuple[LiveKitDouble, str],
) -> None:
    admin, workspace = owner
    double, _ = livekit
    message = "no openai key: add one in Keys or set credentials.secretRef"
    await ready_agent(admin, cluster, workspace, "broken", ready=False, message=message)

    refused = await admin.post(_calls(workspace, "broken"), json={})

    assert refused.status_code == 409
    assert message in refused.json()["message"]
    assert len(double.calls) == 0
    with double.state.lock:
        assert double.state.rooms == {}


async def test_livekit_refusing_the_room_fails_the_session_with_its_message(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
    livekit: tuple[LiveKitDouble, str],
) -> None:
    admin, workspace = owner
    double, _ = livekit
    await ready_agent(admin, cluster, workspace, "front-desk")
    double.faults.add("RoomService/CreateRoom", 503, message="node overloaded")

    failed = await admin.post(_calls(workspace, "front-desk"), json={})

    assert failed.status_code == 502
    assert "node overloaded" in failed.json()["message"]
    async with api.app.state.sessionmaker() as db:
        rows = (
            await db.scalars(
                select(CallSession)
                .join(Workspace, Workspace.id == CallSession.workspace_id)
                .where(Workspace.namespace == workspace)
            )
        ).all()
    assert [(r.status, r.end_reason) for r in rows] == [("Failed", "Error")]
    assert rows[0].error is not None
    assert "node overloaded" in rows[0].error


async def test_the_concurrent_call_limit_refuses_one_call_too_many(
    api: Api,
    owner: tuple[Person, str],
    cluster: Cluster,
) -> None:
    admin, workspace = owner
    await ready_agent(admin, cluster, workspace, "front-desk")
    api.app.state.settings = api.app.state.settings.model_copy(update={"max_concurrent_calls": 2})
    statuses = [
        (await admin.post(_calls(workspace, "front-desk"), json={})).status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_dispatch_metadata_is_the_contract_json() -> None:
    metadata = DispatchMetadata(workspace="acme", agent="a", variables={"x": "1"})
    assert json.loads(metadata.model_dump_json(by_alias=True, exclude_none=True)) == {
        "workspace": "acme",
        "agent": "a",
        "direction": "Web",
        "variables": {"x": "1"},
    }
