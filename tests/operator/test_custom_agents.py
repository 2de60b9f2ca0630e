"""Custom agents end to end through KopfRunner: build Job, isolated Deployment (whole shape,
ownerReferences, labels), rollout only after a successful build, the build cache by digest,
and image sources without a build."""

from __future__ import annotations

from typing import Any

import pytest
from kopf.testing import KopfRunner

from arkenos_crds.voiceagent import VoiceAgentSpec
from arkenos_operator.kube import (
    DEPLOYMENTS,
    JOBS,
    NETWORK_POLICIES,
    SECRETS,
    SERVICE_ACCOUNTS,
    VOICE_AGENTS,
)
from arkenos_operator.settings import OperatorSettings
from arkenos_operator.voiceagent import names
from arkenos_operator.voiceagent.build import build_job
from arkenos_operator.voiceagent.builders import build_agent_deployment, build_gateway_secret
from arkenos_operator.voiceagent.network import build_network_policy
from tests.operator import fake_controllers
from tests.operator.conftest import OPERATOR_NAMESPACE, WORKSPACE
from tests.operator.custom_agents import (
    ARTIFACT_1,
    BUNDLE_1,
    BUNDLE_2,
    ENTRYPOINT,
    IMAGE,
    custom_agent,
    job_name,
    owned_by,
    serve_first_build,
    without_server_fields,
)
from tests.operator.kube_api import KubeApi, condition_of
from tests.substrate.waiting import wait_until

pytestmark = [pytest.mark.k8s, pytest.mark.usefixtures("platform_secrets")]


def test_bundle_agent_is_built_then_served_in_isolation(
    api: KubeApi, operator: KopfRunner, operator_settings: OperatorSettings
) -> None:
    manifest = custom_agent(
        "orders",
        {"bundle": {"digest": BUNDLE_1}},
        resources={"limits": {"cpu": "2", "memory": "2Gi"}},
        isolation={
            "runtimeClassName": "gvisor",
            "egress": [{"name": "orders-api", "cidr": "203.0.113.0/24", "ports": [443]}],
        },
        drainTimeoutSeconds=900,
    )
    api.create(VOICE_AGENTS, manifest)
    job = api.wait_for(JOBS, WORKSPACE, job_name("orders", BUNDLE_1))
    building = api.wait_for_condition(
        VOICE_AGENTS, WORKSPACE, "orders", "Built", "Unknown", reason="Building"
    )
    assert condition_of(building, "Ready")["status"] == "Unknown"
    assert api.get(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders") is None  # nothing to run yet

    agent = api.get(VOICE_AGENTS, WORKSPACE, "orders")
    assert agent is not None
    spec = VoiceAgentSpec.model_validate(agent["spec"])
    assert spec.custom is not None
    assert without_server_fields(job) == build_job(agent, spec.custom, operator_settings)
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["command"][:6] == [
        "arkenos-build",
        "build",
        "--digest",
        BUNDLE_1,
        "--entrypoint",
        ENTRYPOINT,
    ]
    assert container["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert owned_by(job, agent)

    fake_controllers.succeed_build(api, WORKSPACE, job["metadata"]["name"], ARTIFACT_1)
    built = api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "orders", "Built", "True")
    assert condition_of(built, "Built")["message"] == f"Built artifact {ARTIFACT_1}."
    deployment = api.wait_for(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders")
    assert without_server_fields(deployment) == build_agent_deployment(
        agent, spec, operator_settings, ARTIFACT_1, replicas=1
    )
    pod = deployment["spec"]["template"]
    assert pod["metadata"]["annotations"] == {
        names.ANNOTATION_REVISION: BUNDLE_1,
        names.ANNOTATION_ARTIFACT: ARTIFACT_1,
        names.ANNOTATION_ARTIFACT_STORE: names.ARTIFACT_STORE,
    }
    assert pod["spec"]["initContainers"][0]["command"] == [
        "arkenos-build",
        "fetch",
        "--artifact-digest",
        ARTIFACT_1,
        "--dest",
        "/artifact",
    ]
    assert pod["spec"]["runtimeClassName"] == "gvisor"
    assert pod["spec"]["terminationGracePeriodSeconds"] == 900
    assert pod["spec"]["automountServiceAccountToken"] is False
    assert pod["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "2", "memory": "2Gi"}
    assert pod["spec"]["containers"][0]["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }

    policy = api.get(NETWORK_POLICIES, WORKSPACE, "arkenos-agent-orders")
    assert policy is not None
    assert without_server_fields(policy) == build_network_policy(
        agent, spec.custom, operator_settings
    )
    assert policy["spec"]["ingress"] == []
    assert policy["spec"]["egress"][-1] == {
        "to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}],
        "ports": [{"protocol": "TCP", "port": 443}],
    }
    account = api.get(SERVICE_ACCOUNTS, WORKSPACE, "arkenos-agent-orders")
    assert account is not None
    assert account["automountServiceAccountToken"] is False
    # No copy of the bucket keys: the build and fetch containers go through the API.
    assert api.get(SECRETS, WORKSPACE, "arkenos-agent-orders-platform") is None
    # The runner's LiveKit credentials are the agent's own gateway key pair, not the platform's.
    gateway_key = api.get(SECRETS, WORKSPACE, "arkenos-agent-orders-gateway")
    assert gateway_key is not None
    assert without_server_fields(gateway_key) == build_gateway_secret(
        agent, api.get(SECRETS, OPERATOR_NAMESPACE, operator_settings.livekit_secret_name) or {}
    )
    for child in (deployment, policy, account, gateway_key):
        assert owned_by(child, agent)
        assert child["metadata"]["labels"]["arkenos.io/agent"] == "orders"
        assert child["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "arkenos-operator"

    fake_controllers.make_available(api, WORKSPACE, "arkenos-agent-orders")
    ready = api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "orders", "Ready", "True")
    assert condition_of(ready, "Available")["message"] == "1 of 1 pods available."
    status = ready["status"]
    assert status["dispatchName"] == f"arkenos-custom-{WORKSPACE}-orders"
    assert (status["revision"], status["artifactDigest"]) == (BUNDLE_1, ARTIFACT_1)
    assert (status["replicas"], status["readyReplicas"]) == (1, 1)
    assert status["observedGeneration"] == 1


def test_failed_build_keeps_the_previous_revision_serving(
    api: KubeApi, operator: KopfRunner
) -> None:
    serve_first_build(api)
    before = api.get(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders")
    assert before is not None

    api.patch(
        VOICE_AGENTS,
        WORKSPACE,
        "orders",
        {"spec": {"custom": {"source": {"bundle": {"digest": BUNDLE_2}}}}},
    )
    api.wait_for(JOBS, WORKSPACE, job_name("orders", BUNDLE_2))
    api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "orders", "Built", "Unknown", reason="Building")
    error = "File \"agent.py\", line 3: SyntaxError: expected ':' after def entrypoint(ctx)"

    fake_controllers.fail_build(api, WORKSPACE, job_name("orders", BUNDLE_2), error)

    failed = api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "orders", "Built", "False")
    built = condition_of(failed, "Built")
    assert (built["reason"], built["message"]) == ("BackoffLimitExceeded", error)
    ready = condition_of(failed, "Ready")
    assert ready["status"] == "False"
    assert ready["message"].endswith(f"The previous revision {BUNDLE_1} keeps serving.")
    assert condition_of(failed, "Available")["status"] == "True"
    assert (failed["status"]["revision"], failed["status"]["artifactDigest"]) == (
        BUNDLE_1,
        ARTIFACT_1,
    )
    after = api.get(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders")
    assert after is not None
    assert after["spec"] == before["spec"]
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


def test_a_spec_change_keeping_the_digest_does_not_rebuild(
    api: KubeApi, operator: KopfRunner
) -> None:
    serve_first_build(api)
    api.patch(
        VOICE_AGENTS,
        WORKSPACE,
        "orders",
        {"spec": {"custom": {"resources": {"requests": {"memory": "768Mi"}}}}},
    )

    def redeployed() -> dict[str, Any] | None:
        deployment = api.get(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders") or {}
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        return deployment if container["resources"]["requests"]["memory"] == "768Mi" else None

    deployment = wait_until(redeployed, within=10, what="the new resources to roll out")
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations[names.ANNOTATION_ARTIFACT] == ARTIFACT_1
    assert [j["metadata"]["name"] for j in api.list(JOBS, WORKSPACE)] == [
        job_name("orders", BUNDLE_1)
    ]
    api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "orders", "Ready", "True")


def test_image_agent_runs_the_image_without_a_build(
    api: KubeApi, operator: KopfRunner, operator_settings: OperatorSettings
) -> None:
    api.create(
        VOICE_AGENTS, custom_agent("survey", {"image": IMAGE}, replicas={"min": 2, "max": 4})
    )
    deployment = api.wait_for(DEPLOYMENTS, WORKSPACE, "arkenos-agent-survey")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == IMAGE
    assert "command" not in pod["containers"][0]  # the image's own entrypoint runs
    assert pod["initContainers"] == []
    assert deployment["spec"]["replicas"] == 2
    fake_controllers.make_available(api, WORKSPACE, "arkenos-agent-survey")
    agent = api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "survey", "Ready", "True")
    assert [c["type"] for c in agent["status"]["conditions"]] == ["Available", "Ready"]
    assert agent["status"]["revision"] == IMAGE
    assert "artifactDigest" not in agent["status"]
    assert api.list(JOBS, WORKSPACE) == []
