"""Lines as PhoneNumber resources through the API: buy (pinned to the chosen number; the
operator makes the purchase), adopt an owned number, list with the operator's Ready, re-assign
the agent with optimistic concurrency, and release."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import Cluster, Person
from tests.api.phone_numbers.conftest import (
    PHONENUMBERS,
    PLATFORM_OWNED,
    Twilio,
    buy_body,
    lines,
    with_agent,
)


def _resource(cluster: Cluster, workspace: str, name: str) -> dict[str, Any] | None:
    return cluster.k8s.get_object(PHONENUMBERS, workspace, name)


async def test_buy_creates_a_line_pinned_to_the_number(
    workspace: tuple[Person, str], cluster: Cluster, twilio: Twilio
) -> None:
    admin, ns = workspace
    bought = await admin.post(lines(ns), json=buy_body(outbound=True))
    assert bought.status_code == 201, bought.text
    body = bought.json()
    assert body["phoneNumber"] == "+14155550102"
    assert body["agent"] == "desk"
    assert body["credentials"] == "Platform"
    assert body["ready"]["status"] == "Unknown"
    stored = _resource(cluster, ns, "front")
    assert stored is not None
    assert stored["spec"]["purchase"] == {
        "country": "US",
        "numberType": "Local",
        "phoneNumber": "+14155550102",
    }
    assert "number" not in stored["spec"]
    assert stored["spec"]["agentRef"] == {"name": "desk"}
    assert (stored["spec"]["inbound"], stored["spec"]["outbound"]) == (True, True)
    assert "credentials" not in stored["spec"]  # the operator's platform default Secret
    assert twilio.double.state.purchases == []  # the operator buys, not the API

    again = await admin.post(lines(ns), json=buy_body())
    assert (again.status_code, again.json()["code"]) == (409, "phone_number_exists")


async def test_buying_a_number_twilio_no_longer_sells_is_refused(
    workspace: tuple[Person, str], cluster: Cluster, twilio: Twilio
) -> None:
    admin, ns = workspace
    twilio.double.state.buy("AC" + "1" * 32, "+14155550102", None, "someone else")
    gone = await admin.post(lines(ns), json=buy_body())
    assert gone.status_code == 409
    assert gone.json()["code"] == "number_not_available"
    assert "no longer offers +14155550102" in gone.json()["message"]
    assert _resource(cluster, ns, "front") is None


async def test_a_line_needs_an_existing_agent_and_a_valid_body(
    workspace: tuple[Person, str], cluster: Cluster
) -> None:
    admin, ns = workspace
    missing = await admin.post(lines(ns), json=buy_body(agent="nobody"))
    assert (missing.status_code, missing.json()["field"]) == (422, "agent")
    for bad in (buy_body(number="4155550102"), buy_body(name="Front"), buy_body(country="usa")):
        refused = await admin.post(lines(ns), json=bad)
        assert refused.status_code == 422, bad
    assert cluster.k8s.list_objects(PHONENUMBERS, ns) == []


async def test_adopt_uses_an_owned_number(
    workspace: tuple[Person, str], cluster: Cluster, twilio: Twilio
) -> None:
    admin, ns = workspace
    adopted = await admin.post(
        f"{lines(ns)}/adopt",
        json={"name": "support", "phoneNumber": PLATFORM_OWNED, "agent": "desk"},
    )
    assert adopted.status_code == 201, adopted.text
    assert adopted.json()["phoneNumber"] == PLATFORM_OWNED
    stored = _resource(cluster, ns, "support")
    assert stored is not None
    assert stored["spec"]["number"] == PLATFORM_OWNED
    assert "purchase" not in stored["spec"]

    stranger = await admin.post(
        f"{lines(ns)}/adopt",
        json={"name": "stranger", "phoneNumber": "+14155550999", "agent": "desk"},
    )
    assert stranger.status_code == 422
    assert stranger.json()["code"] == "number_not_owned"
    assert "does not own +14155550999" in stranger.json()["message"]
    assert _resource(cluster, ns, "stranger") is None
    assert twilio.double.state.purchases == []


async def test_list_shows_ready_from_the_status(
    workspace: tuple[Person, str], cluster: Cluster
) -> None:
    admin, ns = workspace
    assert (await admin.post(lines(ns), json=buy_body())).status_code == 201
    status = {
        "status": {
            "observedGeneration": 1,
            "phoneNumber": "+14155550102",
            "twilio": {"numberSid": "PN" + "a" * 32},
            "conditions": [
                {
                    "type": "NumberReady",
                    "status": "True",
                    "reason": "Ready",
                    "message": "bought",
                    "lastTransitionTime": "2026-01-01T00:00:00Z",
                },
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "AgentNotReady",
                    "message": "VoiceAgent desk is not Ready: no key for openai.",
                    "lastTransitionTime": "2026-01-01T00:00:00Z",
                },
            ],
        }
    }
    patched = await cluster.request(
        "PATCH",
        f"/apis/arkenos.io/v1alpha1/namespaces/{ns}/phonenumbers/front/status",
        json=status,
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    listed = await admin.get(lines(ns))
    assert listed.status_code == 200
    [line] = listed.json()
    assert line["name"] == "front"
    assert line["ready"] == {
        "status": "False",
        "reason": "AgentNotReady",
        "message": "VoiceAgent desk is not Ready: no key for openai.",
    }
    assert line["status"]["twilio"]["numberSid"] == "PN" + "a" * 32
    one = await admin.get(f"{lines(ns)}/front")
    assert one.json()["ready"]["reason"] == "AgentNotReady"
    assert (await admin.get(f"{lines(ns)}/nothing")).status_code == 404


async def test_assign_and_reassign_with_optimistic_concurrency(
    workspace: tuple[Person, str], cluster: Cluster
) -> None:
    admin, ns = workspace
    await with_agent(cluster, ns, "after-hours")
    created = (await admin.post(lines(ns), json=buy_body())).json()
    first = created["resourceVersion"]
    moved = await admin.put(
        f"{lines(ns)}/front/agent", json={"agent": "after-hours", "resourceVersion": first}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["agent"] == "after-hours"
    stored = _resource(cluster, ns, "front")
    assert stored is not None
    assert stored["spec"]["agentRef"] == {"name": "after-hours"}
    assert stored["spec"]["purchase"]["phoneNumber"] == "+14155550102"

    stale = await admin.put(
        f"{lines(ns)}/front/agent", json={"agent": "desk", "resourceVersion": first}
    )
    assert stale.status_code == 409
    assert stale.json()["field"] == "resourceVersion"
    stored = _resource(cluster, ns, "front")
    assert stored is not None
    assert stored["spec"]["agentRef"] == {"name": "after-hours"}

    back = await admin.put(
        f"{lines(ns)}/front/agent",
        json={"agent": "desk", "resourceVersion": moved.json()["resourceVersion"]},
    )
    assert back.status_code == 200
    assert back.json()["agent"] == "desk"
    nobody = await admin.put(
        f"{lines(ns)}/front/agent",
        json={"agent": "nobody", "resourceVersion": back.json()["resourceVersion"]},
    )
    assert (nobody.status_code, nobody.json()["code"]) == (422, "agent_not_found")


async def test_release_deletes_with_the_release_policy(
    workspace: tuple[Person, str], cluster: Cluster
) -> None:
    admin, ns = workspace
    assert (await admin.post(lines(ns), json=buy_body())).status_code == 201
    # The operator's finalizer keeps the resource until the number is given back.
    finalized = await cluster.request(
        "PATCH",
        f"/apis/arkenos.io/v1alpha1/namespaces/{ns}/phonenumbers/front",
        json={"metadata": {"finalizers": ["arkenos.io/phonenumber"]}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert finalized.status_code == 200, finalized.text
    stale = await admin.delete(f"{lines(ns)}/front", params={"resourceVersion": "1"})
    assert stale.status_code == 409
    stored = _resource(cluster, ns, "front")
    assert stored is not None
    assert stored["spec"].get("releasePolicy") == "Retain"

    released = await admin.delete(f"{lines(ns)}/front")
    assert released.status_code == 204, released.text
    stored = _resource(cluster, ns, "front")
    assert stored is not None
    assert stored["spec"]["releasePolicy"] == "Release"
    assert stored["metadata"]["deletionTimestamp"]
    assert (await admin.delete(f"{lines(ns)}/nothing")).status_code == 404
