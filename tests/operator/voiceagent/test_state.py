"""The VoiceAgent feature's memory follows the agents that exist: everything remembered about
an agent (parsed spec, applied children's fingerprints, own writes), its lock, its place in the
custom agents' sweep and kopf's record of its last handled state go when the agent goes,
whether 10,000 agents come and go or a few run through the whole operator."""

from __future__ import annotations

from typing import Any

import pytest

from arkenos_crds.runtime import AGENT_LABEL
from arkenos_devstack.process import free_port
from arkenos_operator.kernel.locks import ObjectLocks
from arkenos_operator.kube import DEPLOYMENTS, JOBS, SERVICE_ACCOUNTS, VOICE_AGENTS, Kind
from arkenos_operator.voiceagent.agent import cached_spec
from arkenos_operator.voiceagent.custom import apply_cached, is_own_write, remember_own_write
from arkenos_operator.voiceagent.state import VoiceAgentState
from tests.operator.conftest import RunOperator, make_settings
from tests.operator.custom_agents import custom_agent
from tests.operator.kube_api import KubeApi
from tests.operator.operator_metrics import state_entries
from tests.substrate.waiting import wait_until

Body = dict[str, Any]
AGENTS = 10_000
IMAGE = "ghcr.io/acme/shop@sha256:" + "c" * 64


class AppliedKube:
    """The one call apply_cached makes."""

    async def apply(self, kind: Kind, body: Body, likely_missing: bool = False) -> Body:
        return body


class Ctx:
    kube = AppliedKube()


def agent(i: int) -> Body:
    return {
        "metadata": {
            "namespace": f"ns-{i % 7}",
            "name": f"a-{i}",
            "uid": f"u-{i}",
            "generation": 1,
        },
        "spec": {"mode": "Standard", "instructions": "Help."},
    }


def child(i: int, name: str, version: str) -> Body:
    meta = {"namespace": f"ns-{i % 7}", "name": name, "resourceVersion": version}
    return {"metadata": {**meta, "labels": {AGENT_LABEL: f"a-{i}"}}}


async def test_ten_thousand_agents_created_and_deleted_leave_nothing_behind() -> None:
    state, locks = VoiceAgentState(), ObjectLocks()
    start = state.size(), len(locks)
    for i in range(AGENTS):
        body = agent(i)
        async with locks.hold(("voiceagent", body["metadata"]["namespace"], f"a-{i}")):
            cached_spec(state, body)
            await apply_cached(Ctx(), state, SERVICE_ACCOUNTS, child(i, f"sa-{i}", "1"), False)  # type: ignore[arg-type]
            remember_own_write(state, DEPLOYMENTS, child(i, f"arkenos-agent-a-{i}", "7"))
            remember_own_write(state, JOBS, child(i, f"a-{i}-build", "9"))
    assert state.size() == 4 * AGENTS
    assert is_own_write(state, DEPLOYMENTS, child(42, "arkenos-agent-a-42", "7"))

    for i in range(AGENTS):
        state.forget(f"ns-{i % 7}", f"a-{i}")

    assert (state.size(), len(locks)) == start == (0, 0)
    assert not is_own_write(state, DEPLOYMENTS, child(42, "arkenos-agent-a-42", "7"))


@pytest.mark.k8s
def test_agents_deleted_through_the_operator_are_forgotten(
    api: KubeApi, run_operator: RunOperator, platform_secrets: None
) -> None:
    port = free_port()
    metrics = f"http://127.0.0.1:{port}/metrics"
    names = [f"shop-{i}" for i in range(5)]
    with run_operator(settings=make_settings(metrics_port=str(port))):
        baseline = wait_until(lambda: state_entries(metrics) or None, within=20, what="metrics")
        for name in names:
            api.create(VOICE_AGENTS, custom_agent(name, {"image": IMAGE}))
        wait_until(
            lambda: (
                (e := state_entries(metrics))["voiceagent"] >= baseline["voiceagent"] + 5 * 4
                and e["handled"] == baseline["handled"] + 5
                and e["sweep"] == baseline["sweep"] + 5
            ),
            within=60,
            what="the agents' children applied and remembered, the agents handled and swept",
        )
        for name in names:
            api.delete(VOICE_AGENTS, "team-a", name)
        back = wait_until(
            lambda: (e := state_entries(metrics)) == baseline and e,
            within=60,
            what="the state back to its starting size",
        )
    assert back == {"voiceagent": 0.0, "locks": 0.0, "handled": 0.0, "sweep": 0.0}
