"""Custom agent code end to end on the emulated cluster: the API's deploy writes the bundle
digest, the real operator builds it (Jobs and Deployments played by the auto controllers) and
rolls it out, the revision reads Serving, and a rollback to a revision whose build is cached
serves it again with no new build."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kopf.testing import KopfRunner
from pydantic import SecretStr

from arkenos_api.app import create_app
from arkenos_api.settings import Settings
from arkenos_crds.runtime import WORKLOAD_TOKEN_AUDIENCE
from arkenos_operator.features import FEATURES, build_registry
from tests.api.code._support import CUSTOM_SPEC, code_url, file_version, put_file, start_code
from tests.api.helpers import Api, Cluster, Person
from tests.doubles.server import serve_asgi
from tests.operator.auto_controllers import auto_controllers
from tests.operator.conftest import OPERATOR_NAMESPACE, kopf_args, make_settings
from tests.substrate.kubernetes import KUBECONFIG_TOKEN, RunningEmulator
from tests.substrate.s3 import S3Server
from tests.substrate.waiting import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.k8s, pytest.mark.slow]


@pytest.fixture
def settings(settings: Settings, s3_server: S3Server) -> Settings:
    return settings.model_copy(
        update={
            "s3_endpoint": s3_server.endpoint,
            "s3_bucket": s3_server.new_bucket("deploy"),
            "s3_access_key": SecretStr(s3_server.access_key),
            "s3_secret_key": SecretStr(s3_server.secret_key),
            "s3_secure": False,
        }
    )


@pytest.fixture
def operator(
    kubeconfig: Path, k8s: RunningEmulator, cluster: Cluster, settings: Settings, tmp_path: Path
) -> Iterator[KopfRunner]:
    """The whole operator, with the platform Secrets the chart would have installed, asking a
    served copy of the real API whether agents are ready, with its own ServiceAccount token."""
    del kubeconfig  # requested so the emulator's kubeconfig is what kopf logs in with
    token = cluster.authority.issue(
        OPERATOR_NAMESPACE, settings.operator_service_account, (WORKLOAD_TOKEN_AUDIENCE,)
    )
    token_file = tmp_path / "operator-token"
    token_file.write_text(token)
    with serve_asgi(create_app(settings)) as served_api:
        yield from _operator(k8s, served_api.url, token_file)


def _operator(k8s: RunningEmulator, api_url: str, token_file: Path) -> Iterator[KopfRunner]:
    settings = make_settings(api_url=api_url, api_token_file=str(token_file))
    headers = {"Authorization": f"Bearer {KUBECONFIG_TOKEN}"}
    for name, data in (
        (settings.livekit_secret_name, {"LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s"}),
    ):
        secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": OPERATOR_NAMESPACE},
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in data.items()},
        }
        url = f"{k8s.url}/api/v1/namespaces/{OPERATOR_NAMESPACE}/secrets"
        assert httpx.post(url, json=secret, headers=headers).status_code == 201
    registry = build_registry(settings, FEATURES)
    with KopfRunner(kopf_args(settings), registry=registry, timeout=30) as runner:
        yield runner
    assert runner.exception is None, runner.output


async def newest_revision(person: Person, ws: str, agent: str) -> dict[str, Any]:
    revisions = (await person.get(code_url(ws, agent, "/revisions"))).json()
    newest: dict[str, Any] = revisions[0]
    return newest


async def serving(person: Person, ws: str, agent: str, number: int) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        newest = await newest_revision(person, ws, agent)
        return newest if (newest["number"], newest["state"]) == (number, "Serving") else None

    return await eventually(probe, within=60, interval=0.2, what=f"revision {number} serving")


async def test_deploy_build_serve_and_rollback_without_rebuild(
    api: Api, cluster: Cluster, k8s: RunningEmulator, operator: KopfRunner
) -> None:
    admin = await api.admin()
    ws = await api.workspace(admin)
    # The agent's pipeline (the defaults: OpenAI) needs a key for it to be Ready.
    stored = await admin.put(f"/api/v1/workspaces/{ws}/keys/openai", json={"value": "sk-test-1"})
    assert stored.status_code == 200, stored.text
    await start_code(admin, ws, "shop")
    async with auto_controllers(k8s.url) as controllers:
        first = await admin.post(
            code_url(ws, "shop", "/deploy"), json={"message": "first", "spec": CUSTOM_SPEC}
        )
        assert first.status_code == 201, first.text
        await serving(admin, ws, "shop", 1)
        assert controllers.builds == 1

        base = await file_version(admin, ws, "shop", "agent.py")
        text = (await admin.get(code_url(ws, "shop", "/files/agent.py"))).json()["content"]
        await put_file(admin, ws, "shop", "agent.py", text + "\n# second\n", base)
        version = cluster.agent(ws, "shop")["metadata"]["resourceVersion"]  # type: ignore[index]
        second = await admin.post(
            code_url(ws, "shop", "/deploy"),
            json={"message": "second", "resourceVersion": version},
        )
        assert second.status_code == 201, second.text
        await serving(admin, ws, "shop", 2)
        assert controllers.builds == 2

        version = cluster.agent(ws, "shop")["metadata"]["resourceVersion"]  # type: ignore[index]
        rolled = await admin.post(
            code_url(ws, "shop", "/revisions/1/rollback"), json={"resourceVersion": version}
        )
        assert rolled.status_code == 201, rolled.text
        await serving(admin, ws, "shop", 3)
        agent = cluster.agent(ws, "shop")
        assert agent is not None
        assert agent["status"]["revision"] == first.json()["digest"]
        assert controllers.builds == 2, "the first revision's cached build was reused"
