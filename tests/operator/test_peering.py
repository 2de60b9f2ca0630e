"""Two operator replicas never both act: with kopf peering (operator/deploy/peering.yaml) the
replica with the lower priority pauses while the other one is alive."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml

from arkenos_operator.kube import VOICE_AGENTS, Kind
from tests.operator.conftest import WORKSPACE, RunOperator, make_settings
from tests.operator.kube_api import KubeApi
from tests.operator.test_standard_agents import ready_pool, standard_agent
from tests.substrate.ports import free_port
from tests.substrate.waiting import wait_until

pytestmark = pytest.mark.k8s

PEERING_YAML = Path(__file__).resolve().parents[2] / "operator" / "deploy" / "peering.yaml"
CRDS = Kind("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition")
CLUSTER_PEERINGS = Kind("kopf.dev", "v1", "clusterkopfpeerings", "ClusterKopfPeering")


def reconciles(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith('arkenos_operator_reconciles_total{resource="voiceagent"')
    )


def test_the_lower_priority_replica_pauses(api: KubeApi, run_operator: RunOperator) -> None:
    for document in yaml.safe_load_all(PEERING_YAML.read_text()):
        api.create(
            CRDS if document["kind"] == "CustomResourceDefinition" else CLUSTER_PEERINGS, document
        )
    leader_port, follower_port = free_port(), free_port()
    leader = make_settings(standalone="false", priority="200", metrics_port=str(leader_port))
    follower = make_settings(standalone="false", priority="100", metrics_port=str(follower_port))

    with run_operator(settings=leader):
        peering = wait_until(
            lambda: (api.get(CLUSTER_PEERINGS, None, "arkenos-operator") or {}).get("status"),
            within=10,
            what="the leader to register in the peering object",
        )
        assert [p["priority"] for p in peering.values()] == [200]
        with run_operator(settings=follower):
            wait_until(
                lambda: (
                    len((api.get(CLUSTER_PEERINGS, None, "arkenos-operator") or {})["status"]) == 2
                ),
                within=10,
                what="the follower to register",
            )
            ready_pool(api)
            for index in range(5):
                api.create(VOICE_AGENTS, standard_agent(f"agent-{index}"))
            for index in range(5):
                api.wait_for_condition(VOICE_AGENTS, WORKSPACE, f"agent-{index}", "Ready", "True")
            assert reconciles(leader_port) >= 5
            assert reconciles(follower_port) == 0
