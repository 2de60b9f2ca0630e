"""Deploy, revisions, diff and rollback through the API, against the emulated cluster: the
VoiceAgent's bundle digest is what the deploy wrote, and each revision's state is read from
the resource's status."""

from __future__ import annotations

import hashlib
import io
import tarfile
from typing import Any

import pytest

from arkenos_api.code.bundle import freeze
from tests.api.code._support import CUSTOM_SPEC, code_url, file_version, put_file, start_code
from tests.api.helpers import Api, Cluster, Person
from tests.substrate.s3 import S3Server

pytestmark = pytest.mark.postgres


async def deploy(person: Person, ws: str, agent: str, **body: Any) -> Any:
    return await person.post(code_url(ws, agent, "/deploy"), json={"message": "ship it", **body})


def bundle_files(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def test_bundles_are_deterministic() -> None:
    files = {"b.py": b"b = 1\n", "a/x.py": b"x = 2\n", "agent.py": b"pass\n"}
    first = freeze(files)
    assert first == freeze(dict(reversed(list(files.items()))))
    assert first != freeze({**files, "b.py": b"b = 2\n"})
    with tarfile.open(fileobj=io.BytesIO(first), mode="r:gz") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == sorted(files)
    assert {(m.mtime, m.mode, m.uid, m.gid, m.uname) for m in members} == {(0, 0o644, 0, 0, "")}


async def test_first_deploy_creates_the_agent_with_the_bundle_digest(
    owner: tuple[Person, str], cluster: Cluster, s3_server: S3Server, settings: Any
) -> None:
    person, ws = owner
    await start_code(person, ws, "shop")
    missing = await deploy(person, ws, "shop")
    assert missing.status_code == 404
    assert missing.json()["field"] == "spec"
    created = await deploy(person, ws, "shop", spec=CUSTOM_SPEC)
    assert created.status_code == 201, created.text
    revision = created.json()
    assert revision["number"] == 1
    assert revision["author"] == person.email
    agent = cluster.agent(ws, "shop")
    assert agent is not None
    assert agent["spec"]["custom"]["source"] == {"bundle": {"digest": revision["digest"]}}
    stored = s3_server.client().get_object(
        settings.s3_bucket, f"bundles/{revision['digest'].removeprefix('sha256:')}.tar.gz"
    )
    data = stored.read()
    assert "sha256:" + hashlib.sha256(data).hexdigest() == revision["digest"]
    tree = (await person.get(code_url(ws, "shop"))).json()
    assert sorted(bundle_files(data)) == sorted(f["path"] for f in tree["files"])


async def test_deploy_needs_the_current_resource_version(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    person, ws = owner
    await start_code(person, ws, "occ")
    assert (await deploy(person, ws, "occ", spec=CUSTOM_SPEC)).status_code == 201
    agent = cluster.agent(ws, "occ")
    assert agent is not None
    version = agent["metadata"]["resourceVersion"]
    without = await deploy(person, ws, "occ")
    assert without.status_code == 422
    assert without.json()["field"] == "resourceVersion"
    base = await file_version(person, ws, "occ", "agent.py")
    changed = (await person.get(code_url(ws, "occ", "/files/agent.py"))).json()["content"]
    await put_file(person, ws, "occ", "agent.py", changed + "\n# v2\n", base)
    ok = await deploy(person, ws, "occ", resourceVersion=version)
    assert ok.status_code == 201, ok.text
    stale = await deploy(person, ws, "occ", resourceVersion=version)
    assert stale.status_code == 409
    revisions = (await person.get(code_url(ws, "occ", "/revisions"))).json()
    assert [r["number"] for r in revisions] == [2, 1], "the refused deploy recorded nothing"


async def test_deploy_refuses_broken_code_naming_file_and_line(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    person, ws = owner
    await start_code(person, ws, "broken", "blank")
    base = await file_version(person, ws, "broken", "agent.py")
    await put_file(person, ws, "broken", "agent.py", "def entrypoint(ctx):\n    return (\n", base)
    await put_file(
        person,
        ws,
        "broken",
        "requirements.txt",
        "requests==2.32.3\n-e ./local\n",
        await file_version(person, ws, "broken", "requirements.txt"),
    )
    checked = (await person.post(code_url(ws, "broken", "/validate"))).json()
    assert checked["ok"] is False
    assert {(i["path"], i["line"]) for i in checked["issues"]} == {
        ("agent.py", 2),
        ("requirements.txt", 2),
    }
    refused = await deploy(person, ws, "broken", spec=CUSTOM_SPEC)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {"agent.py:2", "requirements.txt:2"}
    assert cluster.agent(ws, "broken") is None


async def test_a_missing_entrypoint_is_refused(owner: tuple[Person, str]) -> None:
    person, ws = owner
    await start_code(person, ws, "noentry", "blank")
    spec = {**CUSTOM_SPEC, "custom": {**CUSTOM_SPEC["custom"], "entrypoint": "bot.main"}}
    refused = await deploy(person, ws, "noentry", spec=spec)
    assert refused.status_code == 422
    assert "bot/main.py" in refused.json()["errors"][0]["message"]


async def test_standard_agents_do_not_deploy_code(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    person, ws = owner
    await cluster.apply_agent(ws, "std", {"mode": "Standard"})
    await start_code(person, ws, "std")
    version = cluster.agent(ws, "std")["metadata"]["resourceVersion"]  # type: ignore[index]
    refused = await deploy(person, ws, "std", resourceVersion=version)
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_custom"


async def test_revisions_report_build_and_rollout_from_the_status(
    owner: tuple[Person, str], cluster: Cluster
) -> None:
    person, ws = owner
    await start_code(person, ws, "states")
    first = (await deploy(person, ws, "states", spec=CUSTOM_SPEC)).json()

    async def state() -> tuple[str, str | None]:
        newest = (await person.get(code_url(ws, "states", "/revisions"))).json()[0]
        return newest["state"], newest["stateMessage"]

    assert (await state())[0] == "Building"
    agent = cluster.agent(ws, "states")
    assert agent is not None

    async def report(status: dict[str, Any]) -> None:
        path = f"/apis/arkenos.io/v1alpha1/namespaces/{ws}/voiceagents/states/status"
        body = {"status": {"observedGeneration": agent["metadata"]["generation"], **status}}
        response = await cluster.request(
            "PATCH", path, json=body, headers={"Content-Type": "application/merge-patch+json"}
        )
        assert response.status_code == 200, response.text

    await report({"conditions": [cond("Built", "False", "BuildFailed", "pip could not install")]})
    assert await state() == ("BuildFailed", "pip could not install")
    await report(
        {
            "revision": first["digest"],
            "conditions": [
                cond("Built", "True", "Succeeded", "built"),
                cond("Available", "True", "MinimumReplicasAvailable", "1 of 1 pods available."),
            ],
        }
    )
    assert await state() == ("Serving", "1 of 1 pods available.")


def cond(kind: str, status: str, reason: str, message: str) -> dict[str, str]:
    return {
        "type": kind,
        "status": status,
        "reason": reason,
        "message": message,
        "lastTransitionTime": "2026-12-01T00:00:00Z",
    }


async def test_diff_and_rollback(owner: tuple[Person, str], cluster: Cluster) -> None:
    person, ws = owner
    await start_code(person, ws, "rb")
    first = (await deploy(person, ws, "rb", spec=CUSTOM_SPEC)).json()
    base = await file_version(person, ws, "rb", "agent.py")
    content = (await person.get(code_url(ws, "rb", "/files/agent.py"))).json()["content"]
    edited = content.replace('"%H:%M UTC"', '"%H:%M utc"')
    await put_file(person, ws, "rb", "agent.py", edited, base)
    await put_file(person, ws, "rb", "notes.py", "NOTE = 1\n")
    version = cluster.agent(ws, "rb")["metadata"]["resourceVersion"]  # type: ignore[index]
    second = (await deploy(person, ws, "rb", resourceVersion=version)).json()
    assert second["digest"] != first["digest"]
    diff = (await person.get(code_url(ws, "rb", "/revisions/2/diff"), params={"against": 1})).json()
    changes = {f["path"]: f["change"] for f in diff["files"]}
    assert changes == {"agent.py": "Modified", "notes.py": "Added"}
    agent_diff = next(f["diff"] for f in diff["files"] if f["path"] == "agent.py")
    assert "-    def" not in agent_diff
    assert '+        return datetime.now(UTC).strftime("%H:%M utc")' in agent_diff
    version = cluster.agent(ws, "rb")["metadata"]["resourceVersion"]  # type: ignore[index]
    rolled = await person.post(
        code_url(ws, "rb", "/revisions/1/rollback"), json={"resourceVersion": version}
    )
    assert rolled.status_code == 201, rolled.text
    assert rolled.json()["digest"] == first["digest"]
    assert rolled.json()["rollbackOf"] == 1
    agent = cluster.agent(ws, "rb")
    assert agent["spec"]["custom"]["source"]["bundle"]["digest"] == first["digest"]  # type: ignore[index]
    revisions = (await person.get(code_url(ws, "rb", "/revisions"))).json()
    assert [(r["number"], r["state"]) for r in revisions] == [
        (3, "Building"),
        (2, "Superseded"),
        (1, "Superseded"),
    ]
    draft = await person.get(code_url(ws, "rb", "/files/notes.py"))
    assert draft.status_code == 200, "a rollback leaves the draft as it is"


async def test_viewers_read_revisions_but_do_not_deploy(
    api: Api, owner: tuple[Person, str]
) -> None:
    from arkenos_api.core.roles import Role

    person, ws = owner
    await start_code(person, ws, "roles")
    viewer = await api.member(person, ws, Role.VIEWER)
    assert (await viewer.get(code_url(ws, "roles", "/revisions"))).status_code == 200
    assert (await viewer.get(code_url(ws, "roles", "/files/agent.py"))).status_code == 200
    refused = await deploy(viewer, ws, "roles", spec=CUSTOM_SPEC)
    assert refused.status_code == 403
    write = await put_file(viewer, ws, "roles", "x.py", "x = 1\n")
    assert write.status_code == 403
