"""Custom agents over time: only the operator's children are watched, hand edits are undone,
a missing platform Secret is reported, a restart converges without duplicate Jobs, and deletion
is never blocked (custom agents have no kopf timer, so no finalizer; one left by an older
operator, whose timers needed it, is taken off).

kmock has no garbage collector, so "deleting the agent removes its children" is shown by the
ownerReferences every child carries, which a real API server's garbage collector follows.
"""

from __future__ import annotations

import pytest
from kopf.testing import KopfRunner

from arkenos_operator.kube import (
    DEPLOYMENTS,
    JOBS,
    SECRETS,
    VOICE_AGENTS,
)
from arkenos_operator.settings import OperatorSettings
from arkenos_operator.startup import FINALIZER
from tests.operator import fake_controllers
from tests.operator.conftest import WORKSPACE, RunOperator, make_settings
from tests.operator.custom_agents import (
    ARTIFACT_1,
    BUNDLE_1,
    IMAGE,
    custom_agent,
    job_name,
    owned_by,
    serve_first_build,
)
from tests.operator.kube_api import KubeApi, condition_of
from tests.substrate.kubernetes import RunningEmulator
from tests.substrate.waiting import wait_until

pytestmark = [pytest.mark.k8s, pytest.mark.usefixtures("platform_secrets")]


def test_only_the_operators_children_are_watched(
    api: KubeApi, operator: KopfRunner, k8s: RunningEmulator
) -> None:
    serve_first_build(api)

    def watched_selectors() -> set[tuple[str, str]]:
        return {
            (r.url.path, r.params.get("labelSelector", ""))
            for r in k8s.emulator._requests
            if r.params.get("watch") == "true"
        }

    watches = k8s.call(watched_selectors)
    selector = "app.kubernetes.io/managed-by=arkenos-operator"
    for path in ("/api/v1/pods", "/apis/batch/v1/jobs", "/apis/apps/v1/deployments"):
        assert {s for p, s in watches if p == path} == {selector}


def test_hand_edits_of_the_deployment_are_corrected(
    api: KubeApi, run_operator: RunOperator
) -> None:
    with run_operator(settings=make_settings(resync_seconds="1")):
        correct_hand_edits(api)


def correct_hand_edits(api: KubeApi) -> None:
    serve_first_build(api)
    deployment = api.get(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders")
    assert deployment is not None
    wanted = deployment["spec"]
    tampered = {
        "spec": {
            "replicas": 7,
            "template": {
                "spec": {"automountServiceAccountToken": True, "runtimeClassName": "runc"}
            },
        }
    }
    api.patch(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders", tampered)
    wait_until(
        lambda: (
            (api.get(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders") or {}).get("spec") == wanted
        ),
        within=10,
        what="the periodic reconcile to undo the hand edit",
    )


def test_missing_platform_secret_is_reported(
    api: KubeApi, operator: KopfRunner, operator_settings: OperatorSettings
) -> None:
    api.delete(SECRETS, "arkenos-system", operator_settings.livekit_secret_name)
    api.create(VOICE_AGENTS, custom_agent("orders", {"bundle": {"digest": BUNDLE_1}}))
    agent = api.wait_for_condition(
        VOICE_AGENTS, WORKSPACE, "orders", "Ready", "False", reason="PlatformSecretMissing"
    )
    assert '"arkenos-system/arkenos-livekit"' in condition_of(agent, "Ready")["message"]


def test_operator_restarted_mid_build_converges_without_duplicate_jobs(
    api: KubeApi, run_operator: RunOperator
) -> None:
    with run_operator():
        api.create(VOICE_AGENTS, custom_agent("orders", {"bundle": {"digest": BUNDLE_1}}))
        api.wait_for(JOBS, WORKSPACE, job_name("orders", BUNDLE_1))
    # While no operator runs, the build finishes.
    fake_controllers.succeed_build(api, WORKSPACE, job_name("orders", BUNDLE_1), ARTIFACT_1)

    with run_operator():
        api.wait_for(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders")
        fake_controllers.make_available(api, WORKSPACE, "arkenos-agent-orders")
        agent = api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "orders", "Ready", "True")
    assert agent["status"]["artifactDigest"] == ARTIFACT_1
    assert [j["metadata"]["name"] for j in api.list(JOBS, WORKSPACE)] == [
        job_name("orders", BUNDLE_1)
    ]


def test_deleting_agents_leaves_nothing_behind_the_operator_holds(
    api: KubeApi, operator: KopfRunner
) -> None:
    # kmock has no garbage collector: the children stay here, but each carries the
    # ownerReference a real cluster's collector follows (asserted above and in the builders'
    # tests). What the operator controls: nothing blocks the deletion and nothing is recreated.
    served = serve_first_build(api)
    api.create(
        VOICE_AGENTS,
        {
            "apiVersion": "arkenos.io/v1alpha1",
            "kind": "VoiceAgent",
            "metadata": {"name": "plain", "namespace": WORKSPACE},
            "spec": {"mode": "Standard"},
        },
    )
    api.wait_for_condition(VOICE_AGENTS, WORKSPACE, "plain", "Ready", "False")
    standard = api.get(VOICE_AGENTS, WORKSPACE, "plain")
    assert standard is not None
    assert "finalizers" not in standard["metadata"]  # nothing outside Kubernetes to clean up

    api.delete(VOICE_AGENTS, WORKSPACE, "plain")
    api.delete(VOICE_AGENTS, WORKSPACE, "orders")
    wait_until(
        lambda: (
            api.get(VOICE_AGENTS, WORKSPACE, "orders") is None
            and api.get(VOICE_AGENTS, WORKSPACE, "plain") is None
        ),
        within=10,
        what="both agents to be gone",
    )
    deployment = api.get(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders")
    assert deployment is not None
    assert owned_by(deployment, served)
    before = deployment["metadata"]["resourceVersion"]
    api.stays(
        lambda: (
            (api.get(DEPLOYMENTS, WORKSPACE, "arkenos-agent-orders") or {})
            .get("metadata", {})
            .get("resourceVersion")
            == before
        ),
        seconds=1,
    )
    assert [j["metadata"]["name"] for j in api.list(JOBS, WORKSPACE)] == [
        job_name("orders", BUNDLE_1)
    ]


def test_an_older_operators_finalizer_is_taken_off_and_deletion_is_not_blocked(
    api: KubeApi, operator: KopfRunner
) -> None:
    # Operators whose custom agents had kopf timers left kopf's finalizer on every one of them.
    agent = custom_agent("survey", {"image": IMAGE})
    agent["metadata"]["finalizers"] = [FINALIZER]
    api.create(VOICE_AGENTS, agent)
    api.wait_for(DEPLOYMENTS, WORKSPACE, "arkenos-agent-survey")
    wait_until(
        lambda: (
            not (api.get(VOICE_AGENTS, WORKSPACE, "survey") or {})["metadata"].get("finalizers")
        ),
        within=10,
        what="the old finalizer to be taken off",
    )
    api.delete(VOICE_AGENTS, WORKSPACE, "survey")
    assert api.get(VOICE_AGENTS, WORKSPACE, "survey") is None
