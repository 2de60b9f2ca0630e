"""Names and labels of a custom agent's children, in one place so builders, handlers and
tests agree. Names are deterministic: a restarted operator finds what it created."""

from __future__ import annotations

import hashlib

from arkenos_crds.runtime import (
    AGENT_LABEL,
    BUILD_JOB_LABEL,
    BUNDLE_DIGEST_ANNOTATION,
    custom_agent_service_account,
)
from arkenos_operator.children import child_labels

APP_NAME = "arkenos-agent"
COMPONENT_AGENT = "custom-agent"
COMPONENT_BUILD = "build"
COMPONENT_PLATFORM = "platform-credentials"
COMPONENT_GATEWAY = "gateway-credentials"

ANNOTATION_BUNDLE = BUNDLE_DIGEST_ANNOTATION
ANNOTATION_ENTRYPOINT = "arkenos.io/entrypoint"
ANNOTATION_ARTIFACT = "arkenos.io/artifact-digest"
ANNOTATION_REVISION = "arkenos.io/revision"
#: On a serving pod template: where its artifact is kept. Artifacts built before they were
#: kept per agent behind the API are not there, so such an agent is built again.
ANNOTATION_ARTIFACT_STORE = "arkenos.io/artifact-store"
ARTIFACT_STORE = "api-per-agent"
BUILD_LABEL = BUILD_JOB_LABEL

MAX_NAME = 63  # Job names become pod labels (job-name), which are limited to 63 characters


def deployment_name(agent: str) -> str:
    return f"arkenos-agent-{agent}"


def network_policy_name(agent: str) -> str:
    return f"arkenos-agent-{agent}"


def service_account_name(agent: str) -> str:
    return custom_agent_service_account(agent)


def platform_secret_name(agent: str) -> str:
    """The copy of platform credentials older operators kept in the agent's namespace (bucket
    keys, earlier the LiveKit key too); the operator now only deletes it."""
    return f"arkenos-agent-{agent}-platform"


def gateway_secret_name(agent: str) -> str:
    """The agent's own worker gateway key pair (useless against LiveKit itself)."""
    return f"arkenos-agent-{agent}-gateway"


def build_job_name(agent: str, bundle_digest: str, entrypoint: str) -> str:
    """One name per (agent, bundle digest, entrypoint): the build cache key.

    A restarted operator computes the same name, so it finds the Job instead of creating a
    second one; a spec change that keeps digest and entrypoint keeps the name, so no rebuild.
    The artifact store is part of the key: a Job of an older store built where pods no longer
    look.
    """
    material = f"{agent}\0{bundle_digest}\0{entrypoint}\0{ARTIFACT_STORE}"
    key = hashlib.sha256(material.encode()).hexdigest()[:10]
    prefix = agent[: MAX_NAME - len("-build-") - len(key)].rstrip("-")
    return f"{prefix}-build-{key}"


def agent_selector(agent: str, component: str = COMPONENT_AGENT) -> dict[str, str]:
    """Labels that select the agent's serving pods, or with ``COMPONENT_BUILD`` its build pods."""
    return {
        "app.kubernetes.io/name": APP_NAME,
        "app.kubernetes.io/component": component,
        AGENT_LABEL: agent,
    }


def build_network_policy_name(agent: str) -> str:
    return f"arkenos-build-{agent}"


def agent_labels(agent: str, component: str) -> dict[str, str]:
    return child_labels(APP_NAME, agent, component, {AGENT_LABEL: agent})
