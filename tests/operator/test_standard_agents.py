"""Standard agents end to end through KopfRunner: validation of what the schema cannot check,
Ready tracking the pool and the agent's Secrets without an operator restart."""

from __future__ import annotations

from typing import Any

import pytest
from kopf.testing import KopfRunner

from arkenos_crds.voiceagent import STANDARD_DISPATCH_NAME
from arkenos_operator.kube import SECRETS, VOICE_AGENTS, WORKER_POOLS
from tests.operator import fake_controllers
from tests.operator.conftest import OPERATOR_NAMESPACE, WORKSPACE, secret
from tests.operator.kube_api import KubeApi, condition_of

pytestmark = pytest.mark.k8s


def standard_agent(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {"name": name, "namespace": WORKSPACE},
        "spec": {"mode": "Standard", "instructions": "Help the caller.", **spec},
    }


def worker_pool(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "WorkerPool",
        "metadata": {"name": "standard", "namespace": OPERATOR_NAMESPACE},
        "spec": spec,
    }


def ready_pool(api: KubeApi) -> None:
    """A pool whose workers the fake Deployment controller reports available."""
    api.create(WORKER_POOLS, worker_pool(replicas={"min": 1, "max": 3}))
    api.wait_for(fake_controllers.DEPLOYMENTS, OPERATOR_NAMESPACE, "arkenos-worker")
    fake_controllers.make_available(api, OPERATOR_NAMESPACE, "arkenos-worker")
    api.wait_for_condition(WORKER_POOLS, OPERATOR_NAMESPACE, "standard", "Ready", "True")


def test_agent_is_ready_once_the_pool_has_a_worker(api: KubeApi, operator: KopfRunner) -> None:
    api.create(VOICE_AGENTS, standard_agent("support"))
    waiting = api.wait_for_condition(
        VOICE_AGENTS, WORKSPACE, "support", "Ready", "False", reason="PoolNotFound"
    )
    assert "arkenos-system/standard" in condition_of(waiting, "Ready")["message"]

    ready_pool(api)
    agent = api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "support", "Ready", "True")
    status = agent["status"]
    assert status["dispatchName"] == STANDARD_DISPATCH_NAME
    assert status["observedGeneration"] == agent["metadata"]["generation"]
    assert [c["type"] for c in status["conditions"]] == ["Ready"]
    assert condition_of(agent, "Ready")["message"] == "Served by the shared worker pool."


def test_bad_secret_is_reported_and_fixing_it_makes_the_agent_ready(
    api: KubeApi, operator: KopfRunner
) -> None:
    ready_pool(api)
    api.create(
        VOICE_AGENTS,
        standard_agent(
            "sales",
            credentials={"secretRef": {"name": "sales-keys"}},
            tts={"provider": "Cartesia", "voice": "f786b574-daa5-4673-aa0c-cbe3e8534c02"},
        ),
    )
    missing = api.wait_for_condition(
        VOICE_AGENTS, WORKSPACE, "sales", "Ready", "False", reason="SecretNotFound"
    )
    assert condition_of(missing, "Ready")["message"] == (
        'Secret "sales-keys" named in credentials.secretRef does not exist in this namespace.'
    )

    # The Secret appears, but without the Cartesia key the TTS needs: a different message.
    api.create(SECRETS, secret(WORKSPACE, "sales-keys", {"OPENAI_API_KEY": "sk-test-1234"}))
    incomplete = api.wait_for_condition(
        VOICE_AGENTS, WORKSPACE, "sales", "Ready", "False", reason="SecretMissingKeys"
    )
    assert "CARTESIA_API_KEY" in condition_of(incomplete, "Ready")["message"]
    assert "sk-test" not in str(incomplete["status"])  # no value ever reaches the status

    # Fixing the Secret flips Ready without a restart: the Secret is watched.
    api.patch(SECRETS, WORKSPACE, "sales-keys", {"stringData": {"CARTESIA_API_KEY": "ck-1"}})
    fixed = secret(WORKSPACE, "sales-keys", {"OPENAI_API_KEY": "sk-1", "CARTESIA_API_KEY": "ck-1"})
    api.patch(SECRETS, WORKSPACE, "sales-keys", {"data": fixed["data"]})
    api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "sales", "Ready", "True", within=5)


def test_tools_are_checked_beyond_the_schema(api: KubeApi, operator: KopfRunner) -> None:
    ready_pool(api)
    lookup = {
        "name": "lookup_order",
        "type": "HTTP",
        "http": {
            "url": "https://orders.example.com/lookup",
            "parameters": {
                "type": "object",
                "properties": {"id": {"type": "integer", "minimum": "one"}},
            },
            "headers": [
                {"name": "Authorization", "valueFrom": {"name": "orders-api", "key": "token"}}
            ],
        },
    }
    api.create(VOICE_AGENTS, standard_agent("orders", tools=[lookup]))
    bad_schema = api.wait_for_condition(
        VOICE_AGENTS, WORKSPACE, "orders", "Ready", "False", reason="InvalidTool"
    )
    message = condition_of(bad_schema, "Ready")["message"]
    assert message.startswith('Tool "lookup_order": parameters is not a valid JSON Schema at ')
    assert "properties/id/minimum" in message

    lookup["http"]["parameters"] = {"type": "object", "properties": {"id": {"type": "integer"}}}
    api.patch(VOICE_AGENTS, WORKSPACE, "orders", {"spec": {"tools": [lookup]}})
    no_header_secret = api.wait_for_condition(
        VOICE_AGENTS, WORKSPACE, "orders", "Ready", "False", reason="ToolSecretNotFound"
    )
    assert condition_of(no_header_secret, "Ready")["message"] == (
        'Tool "lookup_order": header Authorization reads Secret "orders-api", which does not exist.'
    )
    assert no_header_secret["status"]["observedGeneration"] == 2

    api.create(SECRETS, secret(WORKSPACE, "orders-api", {"token": "Bearer abc"}))
    api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "orders", "Ready", "True", within=5)


def test_an_agent_without_a_secret_ref_uses_workspace_keys(
    api: KubeApi, operator: KopfRunner
) -> None:
    # Keys stored in the workspace are resolved by the API per call: not the operator's check.
    ready_pool(api)
    api.create(
        VOICE_AGENTS,
        standard_agent("plain", stt={"provider": "Deepgram", "model": "nova-3"}),
    )
    api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "plain", "Ready", "True")


def test_losing_every_worker_makes_agents_unready(api: KubeApi, operator: KopfRunner) -> None:
    ready_pool(api)
    api.create(VOICE_AGENTS, standard_agent("support"))
    api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "support", "Ready", "True")

    status = {"replicas": 1, "readyReplicas": 0, "availableReplicas": 0}
    api.patch(
        fake_controllers.DEPLOYMENTS,
        OPERATOR_NAMESPACE,
        "arkenos-worker",
        {"status": status},
        "status",
    )
    unready = api.wait_for_condition(
        VOICE_AGENTS, WORKSPACE, "support", "Ready", "False", reason="PoolUnavailable"
    )
    assert condition_of(unready, "Ready")["message"] == (
        "No worker of WorkerPool arkenos-system/standard is ready to take calls."
    )


def test_a_spec_the_schema_would_refuse_is_reported_not_crashed_on(
    api: KubeApi, operator: KopfRunner
) -> None:
    # The emulated API does not validate, like an API server that predates a schema change.
    ready_pool(api)
    api.create(VOICE_AGENTS, standard_agent("broken", llm={"provider": "Gemini"}))
    broken = api.wait_for_condition(
        VOICE_AGENTS, WORKSPACE, "broken", "Ready", "False", reason="InvalidSpec"
    )
    assert condition_of(broken, "Ready")["message"] == "spec.llm.provider: Input should be 'OpenAI'"

    api.patch(VOICE_AGENTS, WORKSPACE, "broken", {"spec": {"llm": {"provider": "OpenAI"}}})
    fixed = api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "broken", "Ready", "True")
    assert fixed["status"]["observedGeneration"] == 2
