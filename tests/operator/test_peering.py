"""Two operator replicas never both act: with kopf peering (operator/deploy/peering.yaml) the
replica with the lower priority pauses while the other one is alive, and so does the
operator's own sweep of custom agents, which kopf does not run (kernel/peering.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import yaml

from arkenos_devstack.process import free_port
from arkenos_operator.kube import VOICE_AGENTS, Kind
from tests.operator.conftest import WORKSPACE, RunOperator, make_settings
from tests.operator.custom_agents import IMAGE, custom_agent
from tests.operator.kube_api import KubeApi
from tests.operator.operator_metrics import state_entries
from tests.operator.test_standard_agents import ready_pool, standard_agent
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


def create_peering(api: KubeApi) -> None:
    for document in yaml.safe_load_all(PEERING_YAML.read_text()):
        api.create(
            CRDS if document["kind"] == "CustomResourceDefinition" else CLUSTER_PEERINGS, document
        )


def test_the_lower_priority_replica_pauses(api: KubeApi, run_operator: RunOperator) -> None:
    create_peering(api)
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


@pytest.mark.usefixtures("platform_secrets")
def test_a_replica_that_acted_stops_sweeping_when_a_higher_peer_appears(
    api: KubeApi, run_operator: RunOperator
) -> None:
    create_peering(api)
    port = free_port()
    # A full visit (the drift resync, always a reconcile) every second: the count keeps rising
    # while the sweep runs.
    settings = make_settings(
        standalone="false", priority="100", metrics_port=str(port), resync_seconds="1"
    )
    api.create(VOICE_AGENTS, custom_agent("survey", {"image": IMAGE}))
    with run_operator(settings=settings):
        metrics = f"http://127.0.0.1:{port}/metrics"
        wait_until(lambda: state_entries(metrics), within=30, what="the operator's metrics")
        first = wait_until(lambda: reconciles(port), within=30, what="the first reconcile")
        wait_until(lambda: reconciles(port) >= first + 3, within=15, what="the sweep's resyncs")

        # Another replica, alive and of higher priority: kopf pauses this one, and the sweep
        # must stop with it (it would go on resyncing from indexes that no longer change).
        peer = {"priority": 200, "lifetime": 60, "lastseen": datetime.now(UTC).isoformat()}
        api.patch(CLUSTER_PEERINGS, None, "arkenos-operator", {"status": {"peer-b": peer}})
        counts: list[float] = []

        def settled() -> bool:
            counts.append(reconciles(port))
            return len(counts) > 15 and counts[-1] == counts[-16]  # flat for 1.5 s

        wait_until(settled, within=15, interval=0.1, what="the reconciles to stop")
        paused_at = counts[-1]
        api.stays(lambda: reconciles(port) == paused_at, seconds=3)

        # The peer goes (kopf drops its entry): this replica acts again, the sweep included.
        api.patch(CLUSTER_PEERINGS, None, "arkenos-operator", {"status": {"peer-b": None}})
        wait_until(lambda: reconciles(port) >= paused_at + 2, within=15, what="the sweep to resume")
