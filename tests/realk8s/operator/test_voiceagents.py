"""VoiceAgents on the real control plane, reconciled by the operator as a process with only the
RBAC it ships: the real Job, Deployment and ReplicaSet controllers, the scheduler, kwok's fake
kubelets and the garbage collector do what kmock's tests had to fake or could only imply."""

from __future__ import annotations

import json
from typing import Any

import pytest

from arkenos_devstack.controlplane import ControlPlane
from arkenos_devstack.process import ManagedProcess
from arkenos_operator.voiceagent import names
from tests.realk8s.support import (
    apply,
    condition,
    get,
    items,
    wait_for_condition,
    wait_gone,
)
from tests.substrate.waiting import wait_until

pytestmark = [
    pytest.mark.realk8s,
    pytest.mark.slow,
]
BUNDLE = "sha256:" + "1" * 64
ARTIFACT = "sha256:" + "a1" * 32
ENTRYPOINT = "agent:entrypoint"


def _agent(namespace: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def _bundle_agent(namespace: str, name: str) -> dict[str, Any]:
    custom = {"source": {"bundle": {"digest": BUNDLE}}, "entrypoint": ENTRYPOINT}
    return _agent(namespace, name, {"mode": "Custom", "custom": custom})


def _running_build_pod(plane: ControlPlane, namespace: str, job: str) -> str:
    def running() -> str | None:
        for pod in items(plane, "pods", namespace, f"--selector={names.BUILD_LABEL}={job}"):
            if (pod.get("status") or {}).get("phase") == "Running":
                return str(pod["metadata"]["name"])
        return None

    return wait_until(running, within=60, interval=0.5, what=f"a running pod of Job {job}")


def test_a_standard_agent_becomes_ready(
    control_plane: ControlPlane, operator: ManagedProcess, realk8s_namespace: str
) -> None:
    apply(control_plane, _agent(realk8s_namespace, "front-desk", {"mode": "Standard"}))

    agent = wait_for_condition(
        control_plane, "voiceagent", realk8s_namespace, "front-desk", "Ready", "True"
    )

    assert agent["status"]["dispatchName"] == "arkenos-standard"
    assert agent["status"]["observedGeneration"] == agent["metadata"]["generation"]
    # The pool's workers are real pods, scheduled onto kwok's nodes and Ready there.
    workers = items(
        control_plane, "pods", "arkenos-system", "--selector=app.kubernetes.io/name=arkenos-worker"
    )
    ready = [pod for pod in workers if condition(pod, "Ready").get("status") == "True"]
    assert ready, "the pool reported ready without a ready worker pod"
    assert all(pod["spec"]["nodeName"].startswith("kwok-node-") for pod in ready)


def test_a_custom_agent_is_built_deployed_and_collected(
    control_plane: ControlPlane, operator: ManagedProcess, realk8s_namespace: str
) -> None:
    namespace, name = realk8s_namespace, "orders"
    apply(control_plane, _bundle_agent(namespace, name))
    job = names.build_job_name(name, BUNDLE, ENTRYPOINT)
    wait_until(lambda: get(control_plane, "job", namespace, job), within=60, interval=0.5)

    # The build pod ends as the build command would: its result in the termination message.
    pod = _running_build_pod(control_plane, namespace, job)
    control_plane.finish_pod(
        namespace, pod, exit_code=0, message=json.dumps({"artifactDigest": ARTIFACT})
    )
    wait_for_condition(control_plane, "job", namespace, job, "Complete", "True")

    agent = wait_for_condition(control_plane, "voiceagent", namespace, name, "Ready", "True")
    assert condition(agent, "Built")["status"] == "True"
    assert condition(agent, "Available")["status"] == "True"
    assert agent["status"]["artifactDigest"] == ARTIFACT
    deployment = get(control_plane, "deployment", namespace, names.deployment_name(name))
    assert deployment is not None
    assert deployment["status"]["availableReplicas"] == deployment["spec"]["replicas"] >= 1
    template = deployment["spec"]["template"]
    assert template["metadata"]["annotations"][names.ANNOTATION_ARTIFACT] == ARTIFACT
    agent_pods = items(
        control_plane,
        "pods",
        namespace,
        f"--selector=app.kubernetes.io/component={names.COMPONENT_AGENT}",
    )
    assert [condition(p, "Ready")["status"] for p in agent_pods] == ["True"] * len(agent_pods)

    # Deleting the agent leaves its children to the real garbage collector.
    children = [
        ("deployment", names.deployment_name(name)),
        ("job", job),
        ("serviceaccount", names.service_account_name(name)),
        ("networkpolicy", names.network_policy_name(name)),
        ("networkpolicy", names.build_network_policy_name(name)),
        ("secret", names.gateway_secret_name(name)),
    ]
    # No copy of the platform's bucket keys: build and fetch reach the code through the API.
    assert get(control_plane, "secret", namespace, names.platform_secret_name(name)) is None
    build_pod = get(control_plane, "pod", namespace, pod)
    assert build_pod is not None
    volumes = build_pod["spec"]["volumes"]
    assert [v["name"] for v in volumes if "projected" in v] == ["workload-token"]
    assert not [v for v in volumes if "secret" in v]
    for kind, child in children:
        assert get(control_plane, kind, namespace, child) is not None, (kind, child)
    control_plane.kubectl("delete", "voiceagent", name, f"--namespace={namespace}")
    for kind, child in children:
        wait_gone(control_plane, kind, namespace, child)
    wait_until(
        lambda: not items(control_plane, "pods", namespace),
        within=60,
        interval=0.5,
        what="the agent's pods to be collected",
    )


def test_a_failed_build_is_reported_with_its_message(
    control_plane: ControlPlane, operator: ManagedProcess, realk8s_namespace: str
) -> None:
    namespace, name = realk8s_namespace, "broken"
    apply(control_plane, _bundle_agent(namespace, name))
    job = names.build_job_name(name, BUNDLE, ENTRYPOINT)
    wait_until(lambda: get(control_plane, "job", namespace, job), within=60, interval=0.5)

    pod = _running_build_pod(control_plane, namespace, job)
    control_plane.finish_pod(
        namespace, pod, exit_code=1, message="agent.py: no function named entrypoint"
    )

    agent = wait_for_condition(control_plane, "voiceagent", namespace, name, "Built", "False")
    built = condition(agent, "Built")
    assert "no function named entrypoint" in built["message"]
    assert condition(agent, "Ready")["status"] == "False"
    assert get(control_plane, "deployment", namespace, names.deployment_name(name)) is None
