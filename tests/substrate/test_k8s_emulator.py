"""Tests for what the emulated API server does over plain HTTP, as a real API server would."""

import datetime
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.substrate.kubernetes import RunningEmulator

pytestmark = pytest.mark.k8s

VOICEAGENT = "arkenos.io/v1alpha1/voiceagents"
MERGE = {"Content-Type": "application/merge-patch+json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}


def agents_path(namespace: str = "team-a", name: str = "") -> str:
    base = f"/apis/arkenos.io/v1alpha1/namespaces/{namespace}/voiceagents"
    return f"{base}/{name}" if name else base


def agent(name: str = "support", **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {"name": name},
        "spec": {"mode": "standard", **spec},
    }


@pytest.fixture
def api(k8s: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=k8s.url) as client:
        yield client


def create(api: httpx.Client, body: dict[str, Any], namespace: str = "team-a") -> dict[str, Any]:
    response = api.post(agents_path(namespace), json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def patch(
    api: httpx.Client, path: str, body: Any, headers: dict[str, str] = MERGE
) -> httpx.Response:
    return api.patch(path, content=json.dumps(body), headers=headers)


def watch_events(api: httpx.Client, path: str, **params: str) -> list[dict[str, Any]]:
    response = api.get(path, params={"watch": "true", "timeoutSeconds": "0.2", **params})
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines() if line.strip()]


def test_create_fills_server_metadata(api: httpx.Client, k8s: RunningEmulator) -> None:
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    created = create(api, agent())
    metadata = created["metadata"]

    assert metadata["namespace"] == "team-a"
    assert metadata["generation"] == 1
    assert len(metadata["uid"]) == 36
    assert int(metadata["resourceVersion"]) == k8s.emulator.resource_version
    stamp = datetime.datetime.strptime(metadata["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ")
    assert stamp.replace(tzinfo=datetime.UTC) >= before
    assert api.get(agents_path(name="support")).json() == created
    assert k8s.get_object(VOICEAGENT, "team-a", "support") == created


def test_uids_differ_and_resource_versions_grow_across_objects(api: httpx.Client) -> None:
    first = create(api, agent("one"))
    second = create(api, agent("two"), namespace="team-b")
    assert first["metadata"]["uid"] != second["metadata"]["uid"]
    assert int(second["metadata"]["resourceVersion"]) > int(first["metadata"]["resourceVersion"])
    assert second["metadata"]["namespace"] == "team-b"


def test_generation_follows_spec_changes_only(api: httpx.Client) -> None:
    created = create(api, agent(instructions="Be brief."))
    versions = [int(created["metadata"]["resourceVersion"])]

    labelled = patch(api, agents_path(name="support"), {"metadata": {"labels": {"tier": "gold"}}})
    status = patch(api, agents_path(name="support") + "/status", {"status": {"ready": "True"}})
    changed = patch(api, agents_path(name="support"), {"spec": {"instructions": "Be kind."}})
    for response in (labelled, status, changed):
        assert response.status_code == 200, response.text
        versions.append(int(response.json()["metadata"]["resourceVersion"]))

    assert [r.json()["metadata"]["generation"] for r in (labelled, status, changed)] == [1, 1, 2]
    assert versions == sorted(set(versions))
    assert changed.json()["status"] == {"ready": "True"}
    assert changed.json()["metadata"]["labels"] == {"tier": "gold"}
    assert changed.json()["metadata"]["uid"] == created["metadata"]["uid"]


def test_noop_patch_changes_nothing(api: httpx.Client) -> None:
    created = create(api, agent(instructions="Same."))
    response = patch(api, agents_path(name="support"), {"spec": {"instructions": "Same."}})
    assert response.json() == created


def test_status_is_isolated_by_the_status_subresource(api: httpx.Client) -> None:
    create(api, {**agent(), "status": {"ready": "dropped on create"}})
    main = patch(api, agents_path(name="support"), {"status": {"ready": "ignored"}})
    sub = patch(
        api,
        agents_path(name="support") + "/status",
        {"status": {"ready": "True"}, "spec": {"mode": "custom"}},
    )
    assert "status" not in main.json()
    assert sub.json()["status"] == {"ready": "True"}
    assert sub.json()["spec"]["mode"] == "standard"


def test_stale_resource_version_gets_conflict(api: httpx.Client) -> None:
    created = create(api, agent())
    stale = created["metadata"]["resourceVersion"]
    fresh = patch(
        api, agents_path(name="support"), {"metadata": {"resourceVersion": stale}, "spec": {"a": 1}}
    )
    assert fresh.status_code == 200

    conflict = patch(
        api, agents_path(name="support"), {"metadata": {"resourceVersion": stale}, "spec": {"a": 2}}
    )
    assert conflict.status_code == 409
    assert conflict.json()["reason"] == "Conflict"
    assert "the object has been modified" in conflict.json()["message"]

    replaced = api.put(agents_path(name="support"), json={**created, "spec": {"mode": "custom"}})
    assert replaced.status_code == 409


def test_put_replaces_the_object_but_keeps_server_fields(api: httpx.Client) -> None:
    created = create(api, agent(instructions="Old."))
    body = {**created, "metadata": {**created["metadata"], "labels": {"new": "yes"}}}
    body["spec"] = {"mode": "custom"}
    response = api.put(agents_path(name="support"), json=body)
    assert response.status_code == 200, response.text
    replaced = response.json()
    assert replaced["spec"] == {"mode": "custom"}
    assert replaced["metadata"]["labels"] == {"new": "yes"}
    assert replaced["metadata"]["generation"] == 2
    assert replaced["metadata"]["creationTimestamp"] == created["metadata"]["creationTimestamp"]


def test_json_patch_and_its_failed_test_operation(api: httpx.Client) -> None:
    create(api, agent(language="en"))
    ops = [{"op": "replace", "path": "/spec/language", "value": "de"}]
    assert (
        patch(api, agents_path(name="support"), ops, JSON_PATCH).json()["spec"]["language"] == "de"
    )
    failing = [{"op": "test", "path": "/spec/language", "value": "fr"}]
    assert patch(api, agents_path(name="support"), failing, JSON_PATCH).status_code == 422


def test_merge_patch_null_removes_a_field(api: httpx.Client) -> None:
    create(api, agent(language="en", greeting={"text": "Hi"}))
    response = patch(api, agents_path(name="support"), {"spec": {"greeting": None}})
    assert response.json()["spec"] == {"mode": "standard", "language": "en"}


def test_create_conflicts_and_generated_names(api: httpx.Client) -> None:
    create(api, agent())
    duplicate = api.post(agents_path(), json=agent())
    assert duplicate.status_code == 409
    assert duplicate.json()["reason"] == "AlreadyExists"

    generated = create(api, {**agent(), "metadata": {"generateName": "support-"}})
    assert generated["metadata"]["name"].startswith("support-")
    assert len(generated["metadata"]["name"]) == len("support-") + 5


def test_namespace_in_the_body_must_match_the_path(api: httpx.Client) -> None:
    body = {**agent(), "metadata": {"name": "support", "namespace": "elsewhere"}}
    assert api.post(agents_path(), json=body).status_code == 400


def test_finalizers_hold_deletion_until_removed(api: httpx.Client, k8s: RunningEmulator) -> None:
    create(api, {**agent(), "metadata": {"name": "support", "finalizers": ["arkenos.io/cleanup"]}})
    deleting = api.delete(agents_path(name="support"))
    assert deleting.status_code == 200
    assert deleting.json()["metadata"]["deletionTimestamp"]
    assert k8s.get_object(VOICEAGENT, "team-a", "support") is not None

    released = patch(api, agents_path(name="support"), {"metadata": {"finalizers": None}})
    assert released.status_code == 200
    assert api.get(agents_path(name="support")).status_code == 404
    assert k8s.get_object(VOICEAGENT, "team-a", "support") is None


def test_delete_preconditions_and_missing_objects(api: httpx.Client) -> None:
    create(api, agent())
    wrong_uid = {"preconditions": {"uid": "not-the-uid"}}
    assert api.request("DELETE", agents_path(name="support"), json=wrong_uid).status_code == 409
    assert api.delete(agents_path(name="support")).status_code == 200
    missing = api.delete(agents_path(name="support"))
    assert missing.status_code == 404
    assert missing.json()["reason"] == "NotFound"


def test_lists_filter_by_namespace_and_selectors(api: httpx.Client) -> None:
    for name, namespace, tier in [("a", "team-a", "gold"), ("b", "team-a", "free"), ("c", "x", "")]:
        create(
            api, {**agent(name), "metadata": {"name": name, "labels": {"tier": tier}}}, namespace
        )

    def names(path: str, **params: str) -> list[str]:
        listing = api.get(path, params=params).json()
        return sorted(item["metadata"]["name"] for item in listing["items"])

    everywhere = "/apis/arkenos.io/v1alpha1/voiceagents"
    assert names(everywhere) == ["a", "b", "c"]
    assert names(agents_path()) == ["a", "b"]
    assert names(everywhere, labelSelector="tier in (gold,free)") == ["a", "b"]
    assert names(everywhere, labelSelector="tier!=gold") == ["b", "c"]
    assert names(everywhere, fieldSelector="metadata.namespace=x") == ["c"]
    assert api.get(everywhere, params={"labelSelector": "tier in (gold"}).status_code == 400
    listing = api.get(everywhere).json()
    assert listing["kind"] == "VoiceAgentList"
    assert int(listing["metadata"]["resourceVersion"]) >= 3


def test_watch_replays_events_after_a_resource_version(api: httpx.Client) -> None:
    created = create(api, agent())
    since = created["metadata"]["resourceVersion"]
    patch(api, agents_path(name="support"), {"spec": {"language": "de"}})
    create(api, agent("other"))

    everything = watch_events(api, agents_path())
    later = watch_events(api, agents_path(), resourceVersion=since)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in everything] == [
        ("ADDED", "support"),
        ("ADDED", "other"),
    ]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in later] == [
        ("MODIFIED", "support"),
        ("ADDED", "other"),
    ]
    assert later[0]["object"]["spec"]["language"] == "de"


def test_watch_streams_live_events_and_honours_selectors(api: httpx.Client) -> None:
    create(api, agent("quiet"))
    with httpx.Client(base_url=str(api.base_url), timeout=5) as watcher:
        params = {"watch": "true", "timeoutSeconds": "2", "labelSelector": "watched"}
        with watcher.stream("GET", agents_path(), params=params) as stream:
            create(api, {**agent("loud"), "metadata": {"name": "loud", "labels": {"watched": ""}}})
            first_line = next(stream.iter_lines())
    event = json.loads(first_line)
    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "loud")


def test_namespaces_are_objects_too(api: httpx.Client, k8s: RunningEmulator) -> None:
    created = api.post("/api/v1/namespaces", json={"metadata": {"name": "team-a"}})
    assert created.status_code == 201
    assert created.json()["status"] == {"phase": "Active"}
    assert "namespace" not in created.json()["metadata"]

    labelled = patch(api, "/api/v1/namespaces/team-a", {"metadata": {"labels": {"ws": "1"}}})
    assert labelled.json()["metadata"]["labels"] == {"ws": "1"}
    listing = api.get("/api/v1/namespaces", params={"labelSelector": "ws=1"}).json()
    assert [item["metadata"]["name"] for item in listing["items"]] == ["team-a"]
    assert k8s.get_object("v1/namespaces", None, "team-a") == labelled.json()
    assert api.delete("/api/v1/namespaces/team-a").status_code == 200
    assert api.get("/api/v1/namespaces/team-a").status_code == 404


def test_discovery_serves_the_platform_resources(api: httpx.Client) -> None:
    groups = {group["name"] for group in api.get("/apis").json()["groups"]}
    assert {"arkenos.io", "apps", "batch", "networking.k8s.io", "coordination.k8s.io"} <= groups

    arkenos = api.get("/apis/arkenos.io/v1alpha1").json()["resources"]
    kinds = {entry["name"]: entry for entry in arkenos}
    assert {
        name: kinds[name]["kind"] for name in ("voiceagents", "phonenumbers", "workerpools")
    } == {
        "voiceagents": "VoiceAgent",
        "phonenumbers": "PhoneNumber",
        "workerpools": "WorkerPool",
    }
    assert "voiceagents/status" in kinds
    assert kinds["voiceagents"]["shortNames"] == ["va"]
    assert kinds["voiceagents"]["namespaced"] is True

    core = {entry["name"] for entry in api.get("/api/v1").json()["resources"]}
    assert {"namespaces", "secrets", "serviceaccounts", "services", "configmaps"} <= core


def test_posting_a_crd_registers_its_resource(api: httpx.Client, k8s: RunningEmulator) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{"name": "v1", "served": True, "storage": True}],
        },
    }
    widgets = "/apis/example.com/v1/namespaces/default/widgets"
    assert api.post(widgets, json={"metadata": {"name": "w"}}).status_code == 404
    assert api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json=crd).is_success
    assert api.post(widgets, json={"metadata": {"name": "w"}}).status_code == 201
    assert k8s.get_object("example.com/v1/widgets", "default", "w") is not None


def test_reset_forgets_objects_but_not_the_resource_version(
    api: httpx.Client, k8s: RunningEmulator
) -> None:
    created = create(api, agent())
    k8s.reset()
    assert api.get(agents_path(name="support")).status_code == 404
    recreated = create(api, agent())
    old_version = int(created["metadata"]["resourceVersion"])
    assert int(recreated["metadata"]["resourceVersion"]) > old_version
    requests = k8s.call(lambda: list(k8s.emulator))  # kmock's log of requests since the reset
    assert [request.method for request in requests] == ["GET", "POST"]


def test_reset_removes_reactions_added_by_a_test(api: httpx.Client, k8s: RunningEmulator) -> None:
    def fail_creations() -> None:
        k8s.emulator["post", k8s.emulator.resource(VOICEAGENT)] << 503

    k8s.call(fail_creations)
    assert api.post(agents_path(), json=agent()).status_code == 503
    k8s.reset()
    assert api.post(agents_path(), json=agent()).status_code == 201
