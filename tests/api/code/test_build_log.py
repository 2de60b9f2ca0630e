"""The build log route against the emulated cluster: the build Job of the bundle the agent
names is found by its labels and annotation, and its pod's log tail is read through the pod
log subresource (served here as a kubelet would, since the emulator has no kubelet)."""

from __future__ import annotations

from typing import Any

import kmock
import pytest

from arkenos_api.core.roles import Role
from tests.api.code._support import CUSTOM_SPEC, code_url
from tests.api.helpers import Api, Cluster, Person

pytestmark = pytest.mark.postgres

OLD = "sha256:" + "1" * 64
NEW = "sha256:" + "2" * 64
LOG = [f"step {n}" for n in range(1, 31)]


def custom_spec(digest: str) -> dict[str, Any]:
    return {**CUSTOM_SPEC, "custom": {"source": {"bundle": {"digest": digest}}}}


async def add_job(cluster: Cluster, ns: str, agent: str, job: str, digest: str) -> None:
    manifest = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": job,
            "namespace": ns,
            "labels": {"arkenos.io/agent": agent, "app.kubernetes.io/component": "build"},
            "annotations": {"arkenos.io/bundle-digest": digest},
        },
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": []}}},
    }
    created = await cluster.request("POST", f"/apis/batch/v1/namespaces/{ns}/jobs", json=manifest)
    assert created.status_code == 201, created.text


async def add_pod(cluster: Cluster, ns: str, job: str, pod: str) -> None:
    manifest = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": pod, "namespace": ns, "labels": {"arkenos.io/build": job}},
        "spec": {"containers": [{"name": "build", "image": "runtime"}]},
    }
    created = await cluster.request("POST", f"/api/v1/namespaces/{ns}/pods", json=manifest)
    assert created.status_code == 201, created.text


def serve_log(
    cluster: Cluster, ns: str, pod: str, lines: list[str], waiting: bool = False
) -> list[dict[str, str]]:
    """Answer the pod's log subresource as a kubelet would: the tail asked for, or 400 while
    the container waits to start. Returns the queries seen."""
    seen: list[dict[str, str]] = []

    def respond(request: kmock.Request) -> kmock.Response | bytes:
        seen.append(dict(request.params))
        if waiting or request.params.get("container") != "build":
            message = f'container "build" in pod "{pod}" is waiting to start: ContainerCreating'
            status = {"kind": "Status", "status": "Failure", "message": message, "code": 400}
            return kmock.Response(status=400, payload=status)
        tail = int(request.params.get("tailLines", len(lines)))
        return "".join(f"{line}\n" for line in lines[-tail:]).encode()

    def add_reaction() -> None:
        cluster.k8s.emulator[f"get /api/v1/namespaces/{ns}/pods/{pod}/log"] << respond

    cluster.k8s.call(add_reaction)
    return seen


async def test_reads_the_tail_of_the_current_bundles_build(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    person, ws = owner
    assert (await cluster.apply_agent(ws, "shop", custom_spec(NEW))).status_code == 201
    await add_job(cluster, ws, "shop", "shop-build-old", OLD)
    await add_job(cluster, ws, "shop", "shop-build-new", NEW)
    await add_pod(cluster, ws, "shop-build-new", "shop-build-new-abcde")
    await add_pod(cluster, ws, "shop-build-old", "shop-build-old-abcde")
    seen = serve_log(cluster, ws, "shop-build-new-abcde", LOG)

    response = await person.get(code_url(ws, "shop", "/build/log"), params={"tailLines": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["job"] == "shop-build-new"
    assert body["pod"] == "shop-build-new-abcde"
    assert body["digest"] == NEW
    assert body["current"] is True
    assert body["state"] == "Running"
    assert body["lines"] == LOG[-5:]
    assert seen == [{"container": "build", "tailLines": "5"}]


async def test_falls_back_to_the_newest_earlier_build(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    person, ws = owner
    assert (await cluster.apply_agent(ws, "shop", custom_spec(NEW))).status_code == 201
    await add_job(cluster, ws, "shop", "shop-build-old", OLD)
    await add_pod(cluster, ws, "shop-build-old", "shop-build-old-abcde")
    serve_log(cluster, ws, "shop-build-old-abcde", ["old build"])
    body = (await person.get(code_url(ws, "shop", "/build/log"))).json()
    assert (body["job"], body["current"], body["lines"]) == ("shop-build-old", False, ["old build"])


async def test_missing_builds_and_pods_say_why(owner: tuple[Person, str], cluster: Cluster) -> None:
    person, ws = owner
    missing_agent = await person.get(code_url(ws, "ghost", "/build/log"))
    assert missing_agent.status_code == 404
    assert "agent ghost" in missing_agent.json()["message"]

    assert (await cluster.apply_agent(ws, "shop", custom_spec(NEW))).status_code == 201
    no_build = await person.get(code_url(ws, "shop", "/build/log"))
    assert no_build.status_code == 404
    assert no_build.json()["code"] == "no_build"
    assert "has no build" in no_build.json()["message"]

    await add_job(cluster, ws, "shop", "shop-build-new", NEW)
    no_pod = await person.get(code_url(ws, "shop", "/build/log"))
    assert no_pod.status_code == 409
    assert no_pod.json()["message"] == "build shop-build-new has no pod yet"

    await add_pod(cluster, ws, "shop-build-new", "shop-build-new-abcde")
    serve_log(cluster, ws, "shop-build-new-abcde", [], waiting=True)
    unreadable = await person.get(code_url(ws, "shop", "/build/log"))
    assert unreadable.status_code == 409
    assert "cannot be read yet" in unreadable.json()["message"]

    too_many = await person.get(code_url(ws, "shop", "/build/log"), params={"tailLines": 10**6})
    assert too_many.status_code == 422


async def test_standard_agents_have_no_build_log(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    person, ws = owner
    standard = {"mode": "Standard", "instructions": "Be brief."}
    assert (await cluster.apply_agent(ws, "plain", standard)).status_code == 201
    response = await person.get(code_url(ws, "plain", "/build/log"))
    assert response.status_code == 409
    assert response.json()["code"] == "not_custom"


async def test_viewers_may_not_read_build_logs(api: Api, owner: tuple[Person, str]) -> None:
    admin, ws = owner
    viewer = await api.member(admin, ws, Role.VIEWER)
    response = await viewer.get(code_url(ws, "shop", "/build/log"))
    assert response.status_code == 403
