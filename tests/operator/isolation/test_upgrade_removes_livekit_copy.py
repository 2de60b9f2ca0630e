"""An upgrade from an operator that copied the LiveKit key into each custom agent's namespace:
the next reconcile removes that copy from the agent's Secret and gives the runner its own
gateway key pair instead."""

from __future__ import annotations

import base64

import pytest
from kopf.testing import KopfRunner

from arkenos_operator.kube import DEPLOYMENTS, SECRETS, VOICE_AGENTS
from tests.operator.conftest import WORKSPACE, secret
from tests.operator.custom_agents import IMAGE, custom_agent
from tests.operator.kube_api import KubeApi
from tests.substrate.waiting import wait_until

pytestmark = [pytest.mark.k8s, pytest.mark.usefixtures("platform_secrets")]

OLD_COPY = {
    "LIVEKIT_API_KEY": "APIkey1234",
    "LIVEKIT_API_SECRET": "livekit-secret-value",
    "ARKENOS_S3_BUCKET": "arkenos",
}


def test_the_livekit_copy_an_older_operator_left_is_removed(
    api: KubeApi, operator: KopfRunner
) -> None:
    api.create(SECRETS, secret(WORKSPACE, "arkenos-agent-orders-platform", OLD_COPY))
    api.create(VOICE_AGENTS, custom_agent("orders", {"image": IMAGE}))
    api.wait_for(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders")

    def copy_without_livekit() -> dict[str, str] | None:
        copy = api.get(SECRETS, WORKSPACE, "arkenos-agent-orders-platform") or {}
        data: dict[str, str] = copy.get("data") or {}
        return data if not {"LIVEKIT_API_KEY", "LIVEKIT_API_SECRET"} & set(data) else None

    data = wait_until(copy_without_livekit, within=20, what="the LiveKit keys removed")
    assert "ARKENOS_S3_ENDPOINT" in data
    gateway_key = api.get(SECRETS, WORKSPACE, "arkenos-agent-orders-gateway")
    assert gateway_key is not None
    values = {base64.b64decode(v).decode() for v in gateway_key["data"].values()}
    assert values.isdisjoint(OLD_COPY.values())
