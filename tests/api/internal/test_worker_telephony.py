"""A worker's hang-up and transfer of its own live calls through the API (a custom agent's pod
holds no LiveKit credential): only the workload that registered the session may act on it
(404 for another agent's or another workspace's workload), only while the call is live (409),
the transfer within the workspace's destination rules (422, nothing sent to LiveKit), and
LiveKit's requests recorded by its server-API double."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from arkenos_api.settings import Settings
from arkenos_crds.runtime import (
    SESSION_END_PATH,
    SESSION_HANGUP_PATH,
    SESSION_TRANSFER_PATH,
    SESSIONS_PATH,
    WORKLOAD_TOKEN_AUDIENCE,
)
from tests.api.calls.conftest import livekit, with_livekit
from tests.api.helpers import Api, Cluster, Person
from tests.api.internal._support import post
from tests.doubles.livekit import LiveKitDouble
from tests.doubles.livekit.state import Transfer

__all__ = ["livekit"]

AUDIENCES = (WORKLOAD_TOKEN_AUDIENCE,)
CALLER, LINE = "+14155550123", "+14155559000"
CALLER_IDENTITY = f"sip_{CALLER}"
CUSTOM: dict[str, Any] = {
    "mode": "Custom",
    "custom": {
        "source": {"image": "ghcr.example/acme/agent@sha256:" + "a" * 64},
        "entrypoint": "agent",
    },
}


@pytest.fixture
def settings(settings: Settings, livekit: tuple[LiveKitDouble, str]) -> Settings:
    return with_livekit(settings, livekit[1])


class World:
    def __init__(self, api: Api, cluster: Cluster, workspace: str, double: LiveKitDouble) -> None:
        self.api, self.cluster, self.workspace, self.double = api, cluster, workspace, double

    def token(self, agent: str, namespace: str | None = None) -> str:
        account = f"arkenos-agent-{agent}"
        return self.cluster.authority.issue(namespace or self.workspace, account, AUDIENCES)

    async def inbound_call(self, agent: str, direction: str = "Inbound") -> tuple[str, str]:
        """A phone call the agent's worker registered, its caller in the room: (session, room)."""
        room = f"call-{uuid.uuid4().hex}"
        self.double.state.add_participant(room, CALLER_IDENTITY, name=CALLER)
        phone = {"caller": CALLER, "callee": LINE} if direction != "Web" else {}
        start = {
            "workspace": self.workspace,
            "agent": agent,
            "room": room,
            "jobId": f"AJ_{uuid.uuid4().hex[:12]}",
            "direction": direction,
            "dispatchedAt": "2026-12-01T10:00:00Z",
            "startedAt": "2026-12-01T10:00:01Z",
            **phone,
        }
        registered = await post(self.api, SESSIONS_PATH, self.token(agent), start)
        assert registered.status_code == 201, registered.text
        return registered.json()["sessionId"], room

    def transfers(self) -> list[Transfer]:
        with self.double.state.lock:
            return list(self.double.state.transfers)

    def has_room(self, room: str) -> bool:
        with self.double.state.lock:
            return room in self.double.state.rooms


@pytest.fixture
async def world(
    api: Api, cluster: Cluster, owner: tuple[Person, str], livekit: tuple[LiveKitDouble, str]
) -> World:
    admin, workspace = owner
    for name in ("orders", "billing"):
        created = await admin.post(
            f"/api/v1/workspaces/{workspace}/agents", json={"name": name, "spec": CUSTOM}
        )
        assert created.status_code == 201, created.text
    return World(api, cluster, workspace, livekit[0])


def _hangup(session: str) -> str:
    return SESSION_HANGUP_PATH.format(session_id=session)


def _transfer(session: str) -> str:
    return SESSION_TRANSFER_PATH.format(session_id=session)


async def test_a_worker_hangs_up_its_own_live_call(world: World) -> None:
    session, room = await world.inbound_call("orders")

    hung_up = await post(world.api, _hangup(session), world.token("orders"), {})

    assert hung_up.status_code == 204, hung_up.text
    assert not world.has_room(room)


async def test_a_worker_transfers_its_own_phone_caller(world: World) -> None:
    named_session, named_room = await world.inbound_call("orders")
    found_session, found_room = await world.inbound_call("orders")
    token = world.token("orders")

    named = await post(
        world.api,
        _transfer(named_session),
        token,
        {"to": "+14155550199", "participantIdentity": CALLER_IDENTITY},
    )
    # Without an identity, the API finds the room's SIP participant itself.
    found = await post(world.api, _transfer(found_session), token, {"to": "+14155550198"})

    assert named.status_code == 204, named.text
    assert found.status_code == 204, found.text
    assert world.transfers() == [
        Transfer(named_room, CALLER_IDENTITY, "tel:+14155550199"),
        Transfer(found_room, CALLER_IDENTITY, "tel:+14155550198"),
    ]


async def test_the_workspaces_destination_rules_apply_and_nothing_is_sent(world: World) -> None:
    session, _ = await world.inbound_call("orders")
    token = world.token("orders")

    premium = await post(world.api, _transfer(session), token, {"to": "+19005550123"})
    invalid = await post(world.api, _transfer(session), token, {"to": "+10005550123"})
    not_e164 = await post(world.api, _transfer(session), token, {"to": "0800 123"})

    assert premium.status_code == 422
    assert premium.json()["code"] == "premium_destination"
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "invalid_destination"
    assert not_e164.status_code == 422
    assert world.transfers() == []


async def test_another_agents_or_workspaces_workload_finds_no_such_session(
    world: World, api: Api, owner: tuple[Person, str]
) -> None:
    session, room = await world.inbound_call("orders")
    other_workspace = await api.workspace(owner[0])
    strangers = (world.token("billing"), world.token("orders", namespace=other_workspace))

    answers: list[httpx.Response] = []
    for token in strangers:
        answers.append(await post(api, _hangup(session), token, {}))
        answers.append(await post(api, _transfer(session), token, {"to": "+14155550199"}))

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert world.has_room(room)
    assert world.transfers() == []


async def test_an_ended_call_is_refused_with_409(world: World) -> None:
    session, room = await world.inbound_call("orders")
    token = world.token("orders")
    end = {"endedAt": "2026-12-01T10:05:00Z", "reason": "CallerHungUp"}
    ended = await post(world.api, SESSION_END_PATH.format(session_id=session), token, end)
    assert ended.status_code == 204, ended.text

    hung_up = await post(world.api, _hangup(session), token, {})
    transferred = await post(world.api, _transfer(session), token, {"to": "+14155550199"})

    for answer in (hung_up, transferred):
        assert answer.status_code == 409
        assert answer.json()["code"] == "call_ended"
        assert "ended at" in answer.json()["message"]
    assert world.has_room(room)
    assert world.transfers() == []


async def test_a_browser_call_cannot_be_transferred(world: World) -> None:
    session, _ = await world.inbound_call("orders", direction="Web")

    refused = await post(
        world.api, _transfer(session), world.token("orders"), {"to": "+14155550199"}
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "not_a_phone_call"
    assert world.transfers() == []


async def test_without_a_workload_token_the_answer_is_401(world: World) -> None:
    session, room = await world.inbound_call("orders")

    async with world.api.client() as client:
        anonymous = await client.post(_hangup(session))
        forged = await client.post(
            _transfer(session),
            json={"to": "+14155550199"},
            headers={"Authorization": "Bearer not-a-token"},
        )

    assert anonymous.status_code == 401
    assert forged.status_code == 401
    assert world.has_room(room)
    assert world.transfers() == []
