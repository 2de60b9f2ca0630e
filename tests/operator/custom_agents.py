"""Custom agents in the end-to-end tests: manifests, names, and a first build served."""

from __future__ import annotations

from typing import Any

from arkenos_operator.kube import (
    DEPLOYMENTS,
    JOBS,
    VOICE_AGENTS,
)
from arkenos_operator.voiceagent import names
from tests.operator import fake_controllers
from tests.operator.conftest import WORKSPACE
from tests.operator.kube_api import KubeApi

BUNDLE_1 = "sha256:" + "1" * 64
BUNDLE_2 = "sha256:" + "2" * 64
ARTIFACT_1 = "sha256:" + "a1" * 32
IMAGE = "ghcr.example/acme/survey@sha256:" + "c" * 64
ENTRYPOINT = "agent:entrypoint"


def custom_agent(name: str, source: dict[str, Any], **custom: Any) -> dict[str, Any]:
    return {
        "apiVersion": "arkenos.io/v1alpha1",
        "kind": "VoiceAgent",
        "metadata": {"name": name, "namespace": WORKSPACE},
        "spec": {
            "mode": "Custom",
            "custom": {"source": source, "entrypoint": ENTRYPOINT, **custom},
        },
    }


def job_name(agent: str, digest: str) -> str:
    return names.build_job_name(agent, digest, ENTRYPOINT)


def owned_by(child: dict[str, Any], agent: dict[str, Any]) -> bool:
    return child["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "arkenos.io/v1alpha1",
            "kind": "VoiceAgent",
            "name": agent["metadata"]["name"],
            "uid": agent["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]


def without_server_fields(obj: dict[str, Any]) -> dict[str, Any]:
    metadata = {
        k: v
        for k, v in obj["metadata"].items()
        if k not in ("uid", "resourceVersion", "generation", "creationTimestamp")
    }
    return {k: v for k, v in obj.items() if k != "status"} | {"metadata": metadata}


def serve_first_build(api: KubeApi, name: str = "orders") -> dict[str, Any]:
    """Create a bundle agent, let its build succeed and its Deployment become available."""
    api.create(VOICE_AGENTS, custom_agent(name, {"bundle": {"digest": BUNDLE_1}}))
    api.wait_for(JOBS, WORKSPACE, job_name(name, BUNDLE_1))
    fake_controllers.succeed_build(api, WORKSPACE, job_name(name, BUNDLE_1), ARTIFACT_1)
    api.wait_for(DEPLOYMENTS, WORKSPACE, names.deployment_name(name))
    fake_controllers.make_available(api, WORKSPACE, names.deployment_name(name))
    return api.wait_for_condition(VOICE_AGENTS, WORKSPACE, name, "Ready", "True")
