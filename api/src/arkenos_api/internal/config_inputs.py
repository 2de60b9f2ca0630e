"""Everything an agent's runtime config is resolved from, read once per request: the
VoiceAgent, its workspace row and the Secrets its spec names (the resource model's
``secret_refs``). The inputs carry their own version, which keys the config cache.

The workspace's stored keys are not read here: decrypting them is what the cache saves, so
they are read on a miss only (``keys_version`` stands for them in the version).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.core.errors import ApiError, not_found
from arkenos_api.core.kube import Kube, SecretData
from arkenos_api.internal.secrets import read_marked_secret
from arkenos_api.workspaces.models import Workspace
from arkenos_crds.runtime import CREDENTIALS_SECRET_LABEL, SECRET_OPT_IN, TOOL_SECRET_LABEL
from arkenos_crds.secret_refs import SecretRef, SecretUse, secret_refs

#: The label a Secret must carry for each use a runtime config reads it for.
SECRET_LABELS = {
    SecretUse.CREDENTIALS: CREDENTIALS_SECRET_LABEL,
    SecretUse.TOOL_HEADER: TOOL_SECRET_LABEL,
}

#: The Secret uses a runtime config reads (webhook Secrets are the API's own business).
CONFIG_SECRET_USES = frozenset({SecretUse.CREDENTIALS, SecretUse.TOOL_HEADER})

Version = tuple[str, int, int, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class ConfigInputs:
    namespace: str
    name: str
    resource: dict[str, Any]
    workspace_id: uuid.UUID
    keys_version: int
    #: The Secret references a runtime config reads, from the raw spec.
    refs: list[SecretRef]
    #: The Secrets they name, by name.
    secrets: dict[str, SecretData] = field(default_factory=dict)

    @property
    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.resource.get("spec") or {}
        return spec

    @property
    def generation(self) -> int:
        generation: int = self.resource.get("metadata", {}).get("generation", 0)
        return generation

    @property
    def version(self) -> Version:
        """What the resolved config depends on: a change to any of it is a new config."""
        uid: str = self.resource.get("metadata", {}).get("uid", "")
        secrets = tuple(
            sorted((name, data.resource_version) for name, data in self.secrets.items())
        )
        return uid, self.generation, self.keys_version, secrets


async def _workspace(db_session: AsyncSession, namespace: str) -> tuple[uuid.UUID, int] | None:
    row = (
        await db_session.execute(
            select(Workspace.id, Workspace.keys_version).where(Workspace.namespace == namespace)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def workspace_row(db_session: AsyncSession, namespace: str) -> tuple[uuid.UUID, int]:
    """(id, keys_version) of the workspace, or 404."""
    row = await _workspace(db_session, namespace)
    if row is None:
        raise not_found(f"workspace {namespace}")
    return row


async def read_agent(kube: Kube, namespace: str, name: str) -> dict[str, Any]:
    resource = await kube.get_voice_agent(namespace, name)
    if resource is None:
        raise not_found(f"agent {namespace}/{name}")
    return resource


async def gather_inputs(
    *,
    db_session: AsyncSession,
    kube: Kube,
    namespace: str,
    name: str,
    resource: dict[str, Any],
    uses: frozenset[SecretUse] = CONFIG_SECRET_USES,
) -> ConfigInputs:
    """The rest of the inputs of an agent already read (and authorised), reading the Secrets
    its spec names for ``uses`` (the post-call analysis needs only its credentials)."""
    row = (
        await db_session.execute(
            select(Workspace.id, Workspace.keys_version).where(Workspace.namespace == namespace)
        )
    ).first()
    if row is None:
        raise ApiError(404, "not_a_workspace", f"namespace {namespace} is not an Arkenos workspace")
    refs = [ref for ref in secret_refs(resource.get("spec") or {}) if ref.use in uses]
    secrets: dict[str, SecretData] = {}
    for ref in refs:
        # Read once per Secret; a Secret named for two uses must carry both labels.
        known = secrets.get(ref.secret)
        if known is not None and known.labels.get(SECRET_LABELS[ref.use]) == SECRET_OPT_IN:
            continue
        secrets[ref.secret] = await read_marked_secret(
            kube, namespace, ref.secret, SECRET_LABELS[ref.use], ref.field, _missing_code(ref)
        )
    return ConfigInputs(namespace, name, resource, row[0], row[1], refs, secrets)


def _missing_code(ref: SecretRef) -> str:
    if ref.use == SecretUse.CREDENTIALS:
        return "credentials_secret_missing"
    return "tool_secret_missing"


def _secret_missing(ref: SecretRef) -> ApiError:
    if ref.use == SecretUse.CREDENTIALS:
        return ApiError(
            424,
            "credentials_secret_missing",
            f"Secret {ref.secret} named in spec.credentials.secretRef does not exist",
            "spec.credentials.secretRef.name",
        )
    return ApiError(424, "tool_secret_missing", f"Secret {ref.secret} does not exist", ref.field)
