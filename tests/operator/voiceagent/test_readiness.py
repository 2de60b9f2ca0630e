"""Ready means a call would be served now: the operator asks the API (with its own token)
whether the agent's runtime config resolves, reports NotAWorkspace / ProviderKeyMissing in
words, and re-checks on a short timer, so storing the key makes the agent Ready without a
restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from kopf.testing import KopfRunner

from arkenos_crds.runtime import Provider
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.reasons import Reason
from arkenos_operator.kube import VOICE_AGENTS
from arkenos_operator.voiceagent.agent import AgentReconciler
from arkenos_operator.voiceagent.inputs import Inputs
from arkenos_operator.voiceagent.readiness import ReadinessClient
from arkenos_operator.voiceagent.state import VoiceAgentState
from tests.operator.conftest import OPERATOR_TOKEN, WORKSPACE, ServedAPI
from tests.operator.kube_api import KubeApi, condition_of
from tests.operator.test_standard_agents import ready_pool, standard_agent

pytestmark = pytest.mark.k8s


def test_an_agent_outside_a_workspace_is_not_ready(
    api: KubeApi, arkenos_api: ServedAPI, operator: KopfRunner
) -> None:
    arkenos_api.double.workspaces = {WORKSPACE}
    ready_pool(api)
    stray = standard_agent("stray")
    stray["metadata"]["namespace"] = "default"
    api.create(VOICE_AGENTS, stray)

    agent = api.wait_for_condition(
        VOICE_AGENTS, "default", "stray", "Ready", "False", reason="NotAWorkspace"
    )
    assert (
        'Namespace "default" is not an Arkenos workspace' in condition_of(agent, "Ready")["message"]
    )


def test_storing_the_missing_key_makes_the_agent_ready_without_a_restart(
    api: KubeApi, arkenos_api: ServedAPI, operator: KopfRunner
) -> None:
    arkenos_api.double.stored_keys = {WORKSPACE: {Provider.DEEPGRAM, Provider.CARTESIA}}
    ready_pool(api)
    api.create(VOICE_AGENTS, standard_agent("support"))

    missing = api.wait_for_condition(
        VOICE_AGENTS, WORKSPACE, "support", "Ready", "False", reason="ProviderKeyMissing"
    )
    assert "openai" in condition_of(missing, "Ready")["message"]

    arkenos_api.double.stored_keys[WORKSPACE] = set(Provider)  # the dashboard stores the key
    api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "support", "Ready", "True", within=20)
    asked = [r for r in arkenos_api.double.requests if "/readiness/" in r]
    assert len(asked) >= 2  # asked, refused, asked again after the short re-check delay
    assert set(asked) == {f"GET /internal/v1/readiness/{WORKSPACE}/support"}


async def test_the_api_refusing_the_operator_is_reported_as_unavailable(
    arkenos_api: ServedAPI, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong-token"
    wrong.write_text("not-the-operator")
    async with aiohttp.ClientSession() as session:
        good = ReadinessClient(arkenos_api.served.url, arkenos_api.token_file, session, 2, 0.5)
        await good.check(WORKSPACE, "anything")  # no such agent: nothing to refuse
        bad = ReadinessClient(arkenos_api.served.url, wrong, session, 2, 0.5)
        with pytest.raises(ReconcileError) as refused:
            await bad.check(WORKSPACE, "anything")
        down = ReadinessClient("http://127.0.0.1:9", arkenos_api.token_file, session, 2, 0.5)
        with pytest.raises(ReconcileError) as unreachable:
            await down.check(WORKSPACE, "anything")

    assert refused.value.reason is Reason.API_UNAVAILABLE
    assert "answered 401" in refused.value.message
    assert refused.value.waiting
    assert unreachable.value.reason is Reason.API_UNAVAILABLE
    assert OPERATOR_TOKEN not in refused.value.message


class CountingReadiness:
    """The API's answer without the API: servable until told otherwise, each ask counted."""

    recheck_seconds = 30.0

    def __init__(self) -> None:
        self.asked = 0
        self.answer: ReconcileError | None = None

    async def check(self, namespace: str, name: str) -> None:
        self.asked += 1
        if self.answer is not None:
            raise self.answer


def custom_reconciler(readiness: CountingReadiness, state: VoiceAgentState, force: bool) -> Any:
    inputs = Inputs({}, {}, {}, {}, {}, force=force)
    return AgentReconciler(None, state, readiness, inputs)  # type: ignore[arg-type]


async def test_a_recent_yes_serves_the_reconciles_children_trigger_and_a_no_is_asked_again() -> (
    None
):
    readiness, state = CountingReadiness(), VoiceAgentState()
    agent = {"metadata": {"namespace": WORKSPACE, "name": "shop"}}

    await custom_reconciler(readiness, state, force=True).check_servable(agent)
    # A build ending, pods becoming ready: the API's recent "yes" stands.
    await custom_reconciler(readiness, state, force=False).check_servable(agent)
    assert readiness.asked == 1
    # A change of the agent itself (or its resync) asks again.
    await custom_reconciler(readiness, state, force=True).check_servable(agent)
    assert readiness.asked == 2

    readiness.answer = ReconcileError(Reason.PROVIDER_KEY_MISSING, "no key for openai")
    with pytest.raises(ReconcileError):
        await custom_reconciler(readiness, state, force=True).check_servable(agent)
    # After a "no", every trigger asks.
    with pytest.raises(ReconcileError):
        await custom_reconciler(readiness, state, force=False).check_servable(agent)
    assert readiness.asked == 4

    state.forget(WORKSPACE, "shop")
    assert state.size() == 0
