"""A build Job removed after success (its ttlSecondsAfterFinished ran out) is not rebuilt
while the agent's status already serves that digest: the status is the cache then."""

from __future__ import annotations

from typing import Any

import pytest
from kopf.testing import KopfRunner

from arkenos_operator.kube import DEPLOYMENTS, JOBS, VOICE_AGENTS
from arkenos_operator.voiceagent import names
from tests.operator.conftest import WORKSPACE
from tests.operator.custom_agents import ARTIFACT_1, BUNDLE_1, job_name, serve_first_build
from tests.operator.kube_api import KubeApi
from tests.substrate.waiting import wait_until

pytestmark = [pytest.mark.k8s, pytest.mark.usefixtures("platform_secrets")]


def test_a_job_removed_after_success_is_not_rebuilt(api: KubeApi, operator: KopfRunner) -> None:
    agent = serve_first_build(api)
    assert agent["status"]["revision"] == BUNDLE_1
    assert agent["status"]["artifactDigest"] == ARTIFACT_1
    api.delete(JOBS, WORKSPACE, job_name("orders", BUNDLE_1))
    # A change that keeps the digest makes the operator look for the build again.
    api.patch(
        VOICE_AGENTS,
        WORKSPACE,
        "orders",
        {"spec": {"custom": {"resources": {"requests": {"memory": "640Mi"}}}}},
    )

    def redeployed() -> dict[str, Any] | None:
        deployment = api.get(DEPLOYMENTS, WORKSPACE, names.deployment_name("orders")) or {}
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        return deployment if container["resources"]["requests"]["memory"] == "640Mi" else None

    deployment = wait_until(redeployed, within=10, what="the new resources to roll out")
    # Served from the recorded artifact, and no new build Job appears.
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations[names.ANNOTATION_ARTIFACT] == ARTIFACT_1
    api.stays(lambda: api.list(JOBS, WORKSPACE) == [], seconds=2.0)
    agent = api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "orders", "Ready", "True")
    assert agent["status"]["artifactDigest"] == ARTIFACT_1
