"""Tests that real Kubernetes clients work against the emulator fixtures: the kubeconfig,
kubernetes_asyncio, and a kopf operator run end to end with ``kopf.testing.KopfRunner``.
"""

import base64
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from kopf.testing import KopfRunner
from kubernetes_asyncio import client, config
from kubernetes_asyncio.client.exceptions import ApiException

from tests.substrate.k8s_resources import load_crd_manifests
from tests.substrate.kopf_status_operator import build_registry
from tests.substrate.kubernetes import KUBECONFIG_TOKEN, RunningEmulator
from tests.substrate.waiting import wait_until

pytestmark = pytest.mark.k8s

VOICEAGENT = ("arkenos.io", "v1alpha1", "voiceagents")


@pytest.fixture
async def api_client(kubeconfig: Path) -> AsyncIterator[client.ApiClient]:
    api_client = await config.new_client_from_config(config_file=os.environ["KUBECONFIG"])
    async with api_client:
        yield api_client


def voice_agent(name: str, greeting: str) -> dict[str, Any]:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {"name": name},
        "spec": {"mode": "standard", "greeting": {"text": greeting}},
    }


def test_kubeconfig_points_at_the_emulator(kubeconfig: Path, k8s: RunningEmulator) -> None:
    assert os.environ["KUBECONFIG"] == str(kubeconfig)
    loaded = yaml.safe_load(kubeconfig.read_text())
    assert loaded["clusters"][0]["cluster"]["server"] == k8s.url
    assert loaded["users"][0]["user"]["token"] == KUBECONFIG_TOKEN
    assert httpx.get(f"{k8s.url}/version").json()["major"] == "1"


def test_project_crds_are_found() -> None:
    plurals = {crd["spec"]["names"]["plural"] for crd in load_crd_manifests()}
    assert {"voiceagents", "phonenumbers", "workerpools"} <= plurals


async def test_core_objects_through_kubernetes_asyncio(api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    secret = client.V1Secret(
        metadata=client.V1ObjectMeta(name="provider-keys", labels={"app": "arkenos"}),
        string_data={"OPENAI_API_KEY": "sk-test"},
    )
    created = await core.create_namespaced_secret("team-a", secret)
    await core.create_namespaced_secret(
        "team-a", client.V1Secret(metadata=client.V1ObjectMeta(name="unrelated"))
    )
    listed = await core.list_namespaced_secret("team-a", label_selector="app=arkenos")

    assert created.metadata.uid
    assert created.metadata.namespace == "team-a"
    assert [item.metadata.name for item in listed.items] == ["provider-keys"]
    assert base64.b64decode(listed.items[0].data["OPENAI_API_KEY"]) == b"sk-test"


async def test_custom_objects_through_kubernetes_asyncio(api_client: client.ApiClient) -> None:
    custom = client.CustomObjectsApi(api_client)
    created = await custom.create_namespaced_custom_object(
        *VOICEAGENT[:2], "team-a", VOICEAGENT[2], voice_agent("support", "Hello")
    )
    replaced = await custom.replace_namespaced_custom_object(
        *VOICEAGENT[:2], "team-a", VOICEAGENT[2], "support", {**created, "spec": {"mode": "custom"}}
    )
    with pytest.raises(ApiException) as stale:
        await custom.replace_namespaced_custom_object(
            *VOICEAGENT[:2], "team-a", VOICEAGENT[2], "support", created
        )

    assert replaced["metadata"]["generation"] == 2
    assert stale.value.status == 409
    fetched = await custom.get_namespaced_custom_object(
        *VOICEAGENT[:2], "team-a", VOICEAGENT[2], "support"
    )
    assert fetched == replaced


def test_kopf_operator_writes_status_through_the_emulator(
    k8s: RunningEmulator, kubeconfig: Path
) -> None:
    args = ["run", "--standalone", "--all-namespaces", "--verbose"]
    with KopfRunner(args, registry=build_registry(), timeout=10) as runner:
        response = httpx.post(
            f"{k8s.url}/apis/arkenos.io/v1alpha1/namespaces/team-a/voiceagents",
            json=voice_agent("support", "Hello, caller"),
        )
        assert response.status_code == 201
        status = wait_until(
            lambda: (k8s.get_object("/".join(VOICEAGENT), "team-a", "support") or {}).get("status"),
            within=10,
            what="the operator to write the status",
        )

    assert runner.exception is None
    assert runner.exit_code == 0
    assert status == {"greetingSeen": "Hello, caller"}
    assert "Handler 'greet' succeeded" in runner.output
