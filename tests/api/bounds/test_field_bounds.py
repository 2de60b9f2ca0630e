"""Every request field is bounded to what its column and Kubernetes accept: values past an
integer column's range, instants that leave the calendar in UTC, emails that grow when
lower-cased, unbounded or non-text names and labels are a 422 naming the field, never a 5xx
(and never stored to break later reads)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from arkenos_crds.meta import INT32_MAX, INT64_MAX
from arkenos_crds.runtime import SESSION_EVENTS_PATH, SESSIONS_PATH
from tests.api.bounds._support import JSON, NOW, Workers, make_workers, session_start
from tests.api.helpers import Api, Cluster, Person

OVERFLOWING_INSTANTS = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59"]


@pytest.fixture
async def workers(api: Api, cluster: Cluster) -> Workers:
    return await make_workers(api, cluster)


async def _session(workers: Workers) -> str:
    started = await workers.post(SESSIONS_PATH, session_start(workers.workspace, uuid.uuid4().hex))
    assert started.status_code == 201, started.text
    return str(started.json()["sessionId"])


def _turn(seq: int = 0, turn: int = 0, **changes: Any) -> dict[str, Any]:
    return {"seq": seq, "turn": turn, "endToEndMs": 500, "at": NOW, **changes}


def _usage(seq: int = 0, quantity: int = 1) -> dict[str, Any]:
    return {
        "seq": seq,
        "provider": "openai",
        "model": "gpt-4o-mini",
        "metric": "llm_input_tokens",
        "quantity": quantity,
        "at": NOW,
    }


@pytest.mark.parametrize(
    ("batch", "field"),
    [
        ({"turns": [_turn(turn=INT32_MAX + 1)]}, "turns.0.turn"),
        ({"turns": [_turn(endToEndMs=INT32_MAX + 1)]}, "turns.0.endToEndMs"),
        ({"turns": [_turn(seq=INT64_MAX + 1)]}, "turns.0.seq"),
        ({"usage": [_usage(quantity=INT64_MAX + 1)]}, "usage.0.quantity"),
        ({"usage": [{**_usage(), "at": OVERFLOWING_INSTANTS[0]}]}, "usage.0.at"),
        ({"turns": [_turn(at=OVERFLOWING_INSTANTS[1])]}, "turns.0.at"),
    ],
)
async def test_event_values_past_their_columns_are_refused(
    workers: Workers, batch: dict[str, Any], field: str
) -> None:
    session_id = await _session(workers)
    response = await workers.post(SESSION_EVENTS_PATH.format(session_id=session_id), batch)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field


async def test_the_largest_values_the_columns_hold_are_stored(workers: Workers) -> None:
    session_id = await _session(workers)
    batch = {
        "turns": [_turn(seq=INT64_MAX, turn=INT32_MAX, endToEndMs=INT32_MAX)],
        "usage": [_usage(seq=INT64_MAX - 1, quantity=INT64_MAX)],
    }
    response = await workers.post(SESSION_EVENTS_PATH.format(session_id=session_id), batch)
    assert response.status_code == 200, response.text
    assert response.json() == {"stored": 2, "duplicates": 0}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dispatchedAt": OVERFLOWING_INSTANTS[0]}, "dispatchedAt"),
        ({"startedAt": OVERFLOWING_INSTANTS[1]}, "startedAt"),
        ({"workspace": "a" * 100_000}, "workspace"),
        ({"workspace": "\ud800"}, None),
        ({"agent": "Not A Name"}, "agent"),
        ({"caller": "+0123456789"}, "caller"),
    ],
)
async def test_session_start_fields_are_bounded(
    workers: Workers, changes: dict[str, Any], field: str | None
) -> None:
    body = {**session_start(workers.workspace, uuid.uuid4().hex), **changes}
    response = await workers.post(SESSIONS_PATH, body)
    assert response.status_code == 422, response.text
    if field is not None:
        assert response.json()["field"] == field


@pytest.mark.parametrize("instant", OVERFLOWING_INSTANTS)
async def test_token_expiry_must_be_a_storable_instant(
    owner: tuple[Person, str], instant: str
) -> None:
    admin, workspace = owner
    response = await admin.post(
        f"/api/v1/workspaces/{workspace}/tokens",
        json={"name": "ci", "role": "viewer", "expiresAt": instant},
    )
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "expiresAt"


async def test_an_email_that_grows_when_lower_cased_is_refused(api: Api) -> None:
    email = "İ" * 300 + "@example.com"  # 312 characters; 612 once lower-cased
    assert len(email) <= 320 < len(email.lower())
    signed = await api.sign_up(email)
    assert signed.status_code == 422, signed.text
    assert signed.json()["field"] == "email"
    async with api.client() as client:
        login = await client.post("/api/v1/auth/login", json={"email": email, "password": "x"})
    assert login.status_code == 422


@pytest.mark.parametrize(
    "labels",
    [
        {"bad key": "x"},
        {"a/b/c": "x"},
        {"Example.com/name": "x"},  # the prefix is a lower-case DNS subdomain
        {"app": "v" * 64},
        {"app": "-leading-dash"},
        {"app": "\ud800"},
        {"x" * 64: "v"},
        {f"{'p' * 254}/name": "v"},
        {f"label-{n}": "v" for n in range(65)},
    ],
)
async def test_labels_are_validated_as_kubernetes_validates_them(
    owner: tuple[Person, str], labels: dict[str, str]
) -> None:
    admin, workspace = owner
    agents = f"/api/v1/workspaces/{workspace}/agents"
    body = {"name": f"a-{uuid.uuid4().hex[:8]}", "labels": labels, "spec": {}}
    # ASCII-escaped by json.dumps, so a lone surrogate travels as "\ud800" (httpx refuses it).
    headers = {**admin.headers(), **JSON}
    response = await admin.client.post(agents, content=json.dumps(body), headers=headers)
    assert response.status_code == 422, response.text
    # Nothing was stored, so the workspace's agents still list.
    assert (await admin.get(agents)).status_code == 200


async def test_valid_labels_are_kept(owner: tuple[Person, str]) -> None:
    admin, workspace = owner
    labels = {"app.kubernetes.io/name": "front-desk", "tier": "", "team_a.b-c": "X.y_z-1"}
    created = await admin.post(
        f"/api/v1/workspaces/{workspace}/agents",
        json={"name": "labelled", "labels": labels, "spec": {}},
    )
    assert created.status_code == 201, created.text
    assert created.json()["labels"] == labels
    listed = await admin.get(f"/api/v1/workspaces/{workspace}/agents")
    assert listed.status_code == 200
