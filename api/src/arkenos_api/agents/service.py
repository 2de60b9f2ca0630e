"""Agents as VoiceAgent resources in the workspace's namespace: the resource is the only copy
of an agent's configuration."""

from __future__ import annotations

from typing import Any

from kubernetes_asyncio.client.exceptions import ApiException
from pydantic import ValidationError

from arkenos_api.agents.manifests import build_update_patch, build_voice_agent
from arkenos_api.agents.schemas import AgentOut
from arkenos_api.core.errors import ApiError, FieldIssue, not_found, validation_error
from arkenos_api.core.kube import Kube
from arkenos_crds.validation import validate_manifest
from arkenos_crds.voiceagent import VoiceAgentSpec, VoiceAgentStatus


def to_agent_out(resource: dict[str, Any]) -> AgentOut:
    metadata = resource.get("metadata", {})
    name = metadata.get("name", "")
    try:
        spec = VoiceAgentSpec.model_validate(resource.get("spec", {}))
        status = (
            VoiceAgentStatus.model_validate(resource["status"]) if resource.get("status") else None
        )
    except ValidationError as exc:
        raise ApiError(
            502, "invalid_resource", f"VoiceAgent {name} in the cluster is invalid: {exc}"
        ) from exc
    return AgentOut(
        name=name,
        namespace=metadata.get("namespace", ""),
        uid=metadata.get("uid"),
        resource_version=metadata.get("resourceVersion"),
        generation=metadata.get("generation"),
        labels=metadata.get("labels"),
        created_at=metadata.get("creationTimestamp"),
        spec=spec,
        status=status,
    )


def _validate(manifest: dict[str, Any], old: dict[str, Any] | None = None) -> None:
    errors = validate_manifest(manifest, old)
    if errors:
        raise validation_error([FieldIssue(field=e.field, message=e.message) for e in errors])


async def list_agents(*, kube: Kube, namespace: str) -> list[AgentOut]:
    items = await kube.list_voice_agents(namespace)
    return sorted((to_agent_out(item) for item in items), key=lambda agent: agent.name)


async def get_agent(*, kube: Kube, namespace: str, name: str) -> AgentOut:
    resource = await kube.get_voice_agent(namespace, name)
    if resource is None:
        raise not_found(f"agent {name}")
    return to_agent_out(resource)


async def create_agent(
    *,
    kube: Kube,
    namespace: str,
    name: str,
    spec: VoiceAgentSpec,
    labels: dict[str, str] | None,
) -> AgentOut:
    manifest = build_voice_agent(namespace, name, spec.to_wire(), labels)
    _validate(manifest)
    try:
        created = await kube.create_voice_agent(namespace, manifest)
    except ApiException as exc:
        if exc.status == 409:
            raise ApiError(409, "agent_exists", f"agent {name} already exists", "name") from exc
        raise
    return to_agent_out(created)


async def update_agent(
    *, kube: Kube, namespace: str, name: str, spec: VoiceAgentSpec, resource_version: str
) -> AgentOut:
    """Replace the agent's spec if nobody changed it since ``resource_version``.

    The version is compared here and also sent in the patch, so the API server itself refuses
    a change that races in between.
    """
    current = await kube.get_voice_agent(namespace, name)
    if current is None:
        raise not_found(f"agent {name}")
    current_version = current.get("metadata", {}).get("resourceVersion")
    if current_version != resource_version:
        raise _stale(name, resource_version, current_version)
    new_spec = spec.to_wire()
    manifest = build_voice_agent(namespace, name, new_spec, None)
    _validate(manifest, build_voice_agent(namespace, name, current.get("spec", {}), None))
    patch = build_update_patch(current.get("spec", {}), new_spec, resource_version)
    try:
        updated = await kube.patch_voice_agent(namespace, name, patch)
    except ApiException as exc:
        if exc.status == 409:
            raise _stale(name, resource_version, None) from exc
        raise
    return to_agent_out(updated)


def _stale(name: str, sent: str, current: str | None) -> ApiError:
    now = f" (now {current})" if current else ""
    return ApiError(
        409,
        "conflict",
        f"agent {name} changed since resourceVersion {sent}{now}: read it again and retry",
        "resourceVersion",
    )


async def delete_agent(*, kube: Kube, namespace: str, name: str) -> None:
    try:
        await kube.delete_voice_agent(namespace, name)
    except ApiException as exc:
        if exc.status == 404:
            raise not_found(f"agent {name}") from exc
        raise
