"""A custom agent's code for its own pods: the build Job downloads the bundle it builds and
uploads the artifact it made; the serving pods' fetch container downloads that artifact. The
pods authenticate with their projected ServiceAccount token (no bucket key reaches a tenant
namespace) and the API streams the objects from and to object storage.

Scope: only the agent's own workload (``arkenos-agent-<name>`` in the agent's namespace) may
ask, and only for a bundle that was deployed for that agent (a code revision of its tree: a
digest copied from another workspace's VoiceAgent is refused) and for artifacts under the
agent's own prefix. An upload is stored only when its bytes hash to the digest it names.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import AsyncIterator
from typing import IO, BinaryIO, cast

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.code.models import CodeRevision, CodeTree
from arkenos_api.code.storage import CodeStore, ObjectReader, artifact_object, bundle_object
from arkenos_api.core.errors import ApiError
from arkenos_api.internal.identity import Workload
from arkenos_api.workspaces.models import Workspace

CONTENT_TYPE = "application/gzip"
#: Uploads up to this size stay in memory; larger ones spill to a temporary file.
_SPOOL_BYTES = 8 * 1024 * 1024
#: Received bytes are written to the spool in pieces of about this size, each in a thread.
_WRITE_BYTES = 1024 * 1024


class ArtifactStored(BaseModel):
    """An artifact the API holds for the agent."""

    digest: str
    size: int
    #: False when the same bytes were stored already (nothing was written).
    created: bool


def check_own_agent(workload: Workload, namespace: str, agent: str) -> None:
    """403 unless ``workload`` is the custom agent ``namespace/agent``'s own."""
    if workload.agent is None or (workload.namespace, workload.agent) != (namespace, agent):
        raise ApiError(
            403,
            "forbidden",
            f"{workload.username} may not reach the code of VoiceAgent {namespace}/{agent}: "
            "only that agent's own pods may",
        )


def hex_of(digest: str) -> str:
    """The hex part of a ``sha256:<hex>`` digest (the route's pattern checked the form)."""
    return digest.removeprefix("sha256:")


async def open_bundle(
    *,
    db_session: AsyncSession,
    store: CodeStore,
    workload: Workload,
    namespace: str,
    agent: str,
    digest: str,
) -> ObjectReader:
    check_own_agent(workload, namespace, agent)
    deployed = await db_session.scalar(
        select(CodeRevision.id)
        .join(CodeTree, CodeTree.id == CodeRevision.tree_id)
        .join(Workspace, Workspace.id == CodeTree.workspace_id)
        .where(
            Workspace.namespace == namespace,
            CodeTree.agent_name == agent,
            CodeRevision.digest == digest,
        )
        .limit(1)
    )
    if deployed is None:
        raise ApiError(
            403,
            "forbidden",
            f"bundle {digest} was never deployed for VoiceAgent {namespace}/{agent}; deploy "
            "the agent's code to build it",
        )
    return await _open(store, bundle_object(hex_of(digest)), f"bundle {digest}")


async def open_artifact(
    *, store: CodeStore, workload: Workload, namespace: str, agent: str, digest: str
) -> ObjectReader:
    check_own_agent(workload, namespace, agent)
    name = artifact_object(namespace, agent, hex_of(digest))
    return await _open(store, name, f"artifact {digest} of VoiceAgent {namespace}/{agent}")


async def _open(store: CodeStore, name: str, what: str) -> ObjectReader:
    reader = await store.open(name)
    if reader is None:
        raise ApiError(404, "not_found", f"{what} is not in object storage")
    return reader


async def store_artifact(
    *,
    store: CodeStore,
    workload: Workload,
    namespace: str,
    agent: str,
    digest: str,
    body: AsyncIterator[bytes],
    max_bytes: int,
) -> ArtifactStored:
    """Store the uploaded artifact (``created`` False when it was stored already).

    The body is hashed while it is spooled, and stored only when it hashes to ``digest``: an
    object's name always says what it holds.
    """
    check_own_agent(workload, namespace, agent)
    name = artifact_object(namespace, agent, hex_of(digest))
    with tempfile.SpooledTemporaryFile(_SPOOL_BYTES) as spool:
        length, actual = await _spool(body, spool, max_bytes)
        if actual != hex_of(digest):
            raise ApiError(
                422,
                "digest_mismatch",
                f"the uploaded artifact has sha256:{actual}, not {digest} as its path says",
            )
        if await store.exists(name):
            return ArtifactStored(digest=digest, size=length, created=False)
        spool.seek(0)
        await store.put_file(name, cast(BinaryIO, spool), length, CONTENT_TYPE)
    return ArtifactStored(digest=digest, size=length, created=True)


async def _spool(body: AsyncIterator[bytes], spool: IO[bytes], max_bytes: int) -> tuple[int, str]:
    sha = hashlib.sha256()
    length = 0
    pending = bytearray()
    async for chunk in body:
        length += len(chunk)
        if length > max_bytes:
            raise ApiError(
                413, "body_too_large", f"the artifact is larger than the limit of {max_bytes} bytes"
            )
        sha.update(chunk)
        pending += chunk
        if len(pending) >= _WRITE_BYTES:
            await asyncio.to_thread(spool.write, bytes(pending))
            pending.clear()
    await asyncio.to_thread(spool.write, bytes(pending))
    return length, sha.hexdigest()
