"""An upgrade from an operator that copied platform credentials into each custom agent's
namespace (the bucket keys, earlier the LiveKit key too): the next reconcile deletes the copy
it made, leaves a Secret of that name it did not make, and gives the runner its own gateway
key pair."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from arkenos_operator.kube import DEPLOYMENTS, SECRETS, VOICE_AGENTS
from arkenos_operator.voiceagent import names
from tests.operator.conftest import WORKSPACE, RunOperator, secret
from tests.operator.custom_agents import IMAGE, custom_agent
from tests.operator.kube_api import KubeApi
from tests.substrate.waiting import wait_until

pytestmark = [pytest.mark.k8s, pytest.mark.usefixtures("platform_secrets")]

OLD_COPY = {
    "LIVEKIT_API_KEY": "APIkey1234",
    "LIVEKIT_API_SECRET": "livekit-secret-value",
    "ARKENOS_S3_ENDPOINT": "minio.arkenos-system:9000",
    "ARKENOS_S3_BUCKET": "arkenos",
    "ARKENOS_S3_ACCESS_KEY": "minio-access",
    "ARKENOS_S3_SECRET_KEY": "minio-secret",
}


def _old_operators_copy(agent: dict[str, Any]) -> dict[str, Any]:
    """The copy as an older operator made it: labelled as the agent's, owned by it."""
    name = agent["metadata"]["name"]
    body = secret(WORKSPACE, names.platform_secret_name(name), OLD_COPY)
    body["metadata"]["labels"] = names.agent_labels(name, names.COMPONENT_PLATFORM)
    body["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "arkenos.io/v1alpha1",
            "kind": "VoiceAgent",
            "name": name,
            "uid": agent["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    return body


def test_the_platform_copy_an_older_operator_left_is_deleted(
    api: KubeApi, run_operator: RunOperator
) -> None:
    orders = api.create(VOICE_AGENTS, custom_agent("orders", {"image": IMAGE}))
    api.create(SECRETS, _old_operators_copy(orders))
    # Someone else's Secret that happens to have the name: not the operator's to delete.
    api.create(VOICE_AGENTS, custom_agent("billing", {"image": IMAGE}))
    api.create(SECRETS, secret(WORKSPACE, names.platform_secret_name("billing"), {"K": "v"}))
    with run_operator():
        api.wait_for(DEPLOYMENTS, WORKSPACE, names.deployment_name("orders"))
        api.wait_for(DEPLOYMENTS, WORKSPACE, names.deployment_name("billing"))
        wait_until(
            lambda: api.get(SECRETS, WORKSPACE, names.platform_secret_name("orders")) is None,
            within=20,
            what="the old copy deleted",
        )
    assert api.get(SECRETS, WORKSPACE, names.platform_secret_name("billing")) is not None
    gateway_key = api.get(SECRETS, WORKSPACE, names.gateway_secret_name("orders"))
    assert gateway_key is not None
    values = {base64.b64decode(v).decode() for v in gateway_key["data"].values()}
    assert values.isdisjoint(OLD_COPY.values())
