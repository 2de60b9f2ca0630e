"""Resolve an agent's runtime config for a worker: its spec plus exactly the provider keys its
providers need, taken from the agent's ``credentials.secretRef`` Secret first and the
workspace's stored keys second, and the Secret values its HTTP tools' headers name in
``valueFrom`` (only those keys, never whole Secrets).

Resolved configs are cached per process, keyed by what they were resolved from: the resource's
uid and generation, the resourceVersions of the Secrets it reads and the workspace's keys
version. Each request
still reads those (the resource, the Secret, one row), so a change made through any replica or
with kubectl is seen at once; the cache only saves decrypting keys, validating the spec and
serialising the answer. Two replicas each keep their own cache, which is safe for that reason.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import ApiError, forbidden, not_found
from arkenos_api.core.kube import Kube, SecretData
from arkenos_api.internal.identity import Workload
from arkenos_api.internal.secrets import read_marked_secret
from arkenos_api.keys.crypto import Keyring
from arkenos_api.keys.service import read_keys
from arkenos_api.workspaces.models import Workspace
from arkenos_crds.runtime import (
    CREDENTIALS_SECRET_LABEL,
    PROVIDER_SECRET_KEYS,
    TOOL_SECRET_LABEL,
    Provider,
    RuntimeConfig,
    providers_for,
)
from arkenos_crds.voiceagent import VoiceAgentSpec, dispatch_name_for

Version = tuple[str, int, str | None, int, tuple[tuple[str, str], ...]]
SecretRef = tuple[str, str]  # (Secret name, key)


@dataclass(frozen=True)
class ResolvedConfig:
    version: Version
    body: bytes


ConfigCache = BoundedCache[tuple[str, str], ResolvedConfig]


async def workspace_row(db_session: AsyncSession, namespace: str) -> tuple[uuid.UUID, int]:
    row = (
        await db_session.execute(
            select(Workspace.id, Workspace.keys_version).where(Workspace.namespace == namespace)
        )
    ).first()
    if row is None:
        raise not_found(f"workspace {namespace}")
    return row[0], row[1]


def parse_spec(resource: dict[str, Any]) -> VoiceAgentSpec:
    try:
        return VoiceAgentSpec.model_validate(resource.get("spec", {}))
    except ValidationError as exc:
        name = resource.get("metadata", {}).get("name")
        raise ApiError(
            422, "invalid_agent", f"VoiceAgent {name} has an invalid spec: {exc}"
        ) from exc


def tool_secret_refs(spec: dict[str, Any]) -> dict[SecretRef, str]:
    """The (Secret, key) pairs the spec's HTTP tool headers take values from, each with the
    field that names it. Read from the raw spec so the Secrets' versions can key the cache
    before the spec is validated."""
    refs: dict[SecretRef, str] = {}
    for t, tool in enumerate(spec.get("tools") or []):
        http = tool.get("http") if isinstance(tool, dict) else None
        for h, header in enumerate((http or {}).get("headers") or []):
            ref = header.get("valueFrom") if isinstance(header, dict) else None
            if isinstance(ref, dict) and ref.get("name") and ref.get("key"):
                field = f"spec.tools[{t}].http.headers[{h}].valueFrom"
                refs.setdefault((str(ref["name"]), str(ref["key"])), field)
    return refs


async def _read_tool_secrets(
    kube: Kube, namespace: str, refs: dict[SecretRef, str]
) -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
    """(the Secrets' resourceVersions, the referenced values keyed ``<secret>/<key>``)."""
    versions: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    for secret_name in sorted({name for name, _ in refs}):
        wanted = {key: field for (name, key), field in refs.items() if name == secret_name}
        secret = await read_marked_secret(
            kube,
            namespace,
            secret_name,
            TOOL_SECRET_LABEL,
            min(wanted.values()),
            "tool_secret_missing",
        )
        data = secret.data
        versions.append((secret_name, secret.resource_version))
        for key, field in sorted(wanted.items()):
            if key not in data:
                raise ApiError(
                    424, "tool_secret_missing", f"Secret {secret_name} has no key {key}", field
                )
            try:
                values[f"{secret_name}/{key}"] = base64.b64decode(data[key]).decode()
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise ApiError(
                    424, "invalid_secret", f"key {key} of Secret {secret_name} is not text", field
                ) from exc
    return tuple(versions), values


def _secret_keys(data: dict[str, str], wanted: set[Provider]) -> dict[Provider, str]:
    keys: dict[Provider, str] = {}
    for provider in wanted:
        encoded = data.get(PROVIDER_SECRET_KEYS.get(provider, ""))
        if encoded:
            try:
                keys[provider] = base64.b64decode(encoded).decode()
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise ApiError(
                    424,
                    "invalid_secret",
                    f"{PROVIDER_SECRET_KEYS[provider]} in the credentials Secret is not valid",
                ) from exc
    return keys


async def resolve_runtime_config(
    *,
    db_session: AsyncSession,
    kube: Kube,
    keyring: Keyring,
    cache: ConfigCache,
    workload: Workload,
    namespace: str,
    name: str,
) -> bytes:
    """The RuntimeConfig JSON for one agent, if ``workload`` may serve it."""
    if not workload.may_ask_for(namespace, name):
        raise forbidden(f"this workload may not serve agent {namespace}/{name}")
    resource = await kube.get_voice_agent(namespace, name)
    if resource is None:
        raise not_found(f"agent {namespace}/{name}")
    spec_mode = resource.get("spec", {}).get("mode", "Standard")
    if not workload.may_serve(namespace, name, spec_mode):
        raise forbidden(f"this workload may not serve agent {namespace}/{name}")
    workspace_id, keys_version = await workspace_row(db_session, namespace)
    secret_name = (
        (resource.get("spec", {}).get("credentials") or {}).get("secretRef", {}).get("name")
    )
    secret: SecretData | None = None
    if secret_name:
        secret = await read_marked_secret(
            kube,
            namespace,
            secret_name,
            CREDENTIALS_SECRET_LABEL,
            "spec.credentials.secretRef.name",
            "credentials_secret_missing",
        )
    refs = tool_secret_refs(resource.get("spec", {}))
    tool_secret_versions, tool_secrets = await _read_tool_secrets(kube, namespace, refs)
    metadata = resource.get("metadata", {})
    version: Version = (
        metadata.get("uid", ""),
        metadata.get("generation", 0),
        secret.resource_version if secret else None,
        keys_version,
        tool_secret_versions,
    )
    cached = cache.get((namespace, name))
    if cached is not None and cached.version == version:
        return cached.body
    spec = parse_spec(resource)
    required, optional = providers_for(spec)
    keys = _secret_keys(secret.data, required | optional) if secret else {}
    keys |= await read_keys(
        db_session=db_session,
        keyring=keyring,
        workspace_id=workspace_id,
        providers=(required | optional) - keys.keys(),
    )
    missing = sorted(required - keys.keys())
    if missing:
        raise ApiError(
            424,
            "missing_provider_key",
            f"no key for {', '.join(missing)}: store one in workspace {namespace} or set "
            + ", ".join(PROVIDER_SECRET_KEYS.get(p, p.upper()) for p in missing)
            + " in the agent's credentials Secret",
            f"keys.{missing[0]}",
        )
    config = RuntimeConfig(
        workspace=namespace,
        agent=name,
        generation=version[1],
        dispatch_name=dispatch_name_for(namespace, name, spec.mode),
        spec=spec,
        keys=keys,
        tool_secrets=tool_secrets,
    )
    body = config.model_dump_json(by_alias=True, exclude_none=True).encode()
    cache.put((namespace, name), ResolvedConfig(version, body))
    return body
