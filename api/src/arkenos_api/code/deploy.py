"""Deploy, revisions and rollback: freezing a tree version into a bundle, writing its digest
into the VoiceAgent, and reading each revision's build and rollout state from the resource.

The revision row is flushed before the VoiceAgent is changed and committed only after the
change succeeded, so a refused change (stale resourceVersion, invalid spec) records nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.agents import service as agents
from arkenos_api.auth.models import User
from arkenos_api.code.bundle import digest_of, freeze
from arkenos_api.code.checks import CodeIssue, syntax_issue, tree_issues
from arkenos_api.code.models import CodeRevision, CodeTree, CodeVersion
from arkenos_api.code.schemas import DeployRequest, RevisionOut, RevisionState
from arkenos_api.code.storage import CodeStore, bundle_object
from arkenos_api.code.tree import draft, find_tree, version_of
from arkenos_api.core.errors import ApiError, FieldIssue, not_found, validation_error
from arkenos_api.core.kube import Kube
from arkenos_crds.custom import BundleSource, CodeSource, CustomSpec
from arkenos_crds.voiceagent import AgentMode, VoiceAgentSpec


@dataclass(frozen=True)
class Frozen:
    digest: str
    bundle: bytes


async def tree_texts(store: CodeStore, version: CodeVersion) -> dict[str, str]:
    blobs = await store.get_blobs([entry["sha256"] for entry in version.manifest.values()])
    return {
        path: blobs[entry["sha256"]].decode("utf-8") for path, entry in version.manifest.items()
    }


async def freeze_version(store: CodeStore, version: CodeVersion, entrypoint: str) -> Frozen:
    """Check the version's files and store their bundle; 422 listing every problem."""
    texts = await tree_texts(store, version)
    digests = {path: entry["sha256"] for path, entry in version.manifest.items()}

    def check_syntax(path: str, text: str) -> CodeIssue | None:
        # A file that parsed once parses again: remember it by its content's digest.
        if store.parsed.get(digests[path]):
            return None
        issue = syntax_issue(path, text)
        if issue is None:
            store.parsed.put(digests[path], True)
        return issue

    issues = tree_issues(texts, entrypoint, check_syntax)
    if issues:
        raise validation_error(
            [
                FieldIssue(
                    field=f"{issue.path}:{issue.line}" if issue.line else issue.path,
                    message=issue.message,
                )
                for issue in issues
            ]
        )
    bundle = freeze({path: text.encode("utf-8") for path, text in texts.items()})
    digest = digest_of(bundle)
    await store.put(bundle_object(digest.removeprefix("sha256:")), bundle, "application/gzip")
    return Frozen(digest, bundle)


def with_bundle(spec: VoiceAgentSpec, digest: str) -> VoiceAgentSpec:
    """``spec`` with its code source set to the bundle ``digest`` (an image source replaced)."""
    custom = spec.custom or CustomSpec(source=CodeSource(bundle=BundleSource(digest=digest)))
    source = CodeSource(bundle=BundleSource(digest=digest))
    return spec.model_copy(update={"custom": custom.model_copy(update={"source": source})})


async def _agent_entrypoint(
    kube: Kube, namespace: str, agent: str, request: DeployRequest
) -> tuple[dict[str, Any] | None, VoiceAgentSpec]:
    resource = await kube.get_voice_agent(namespace, agent)
    if resource is None:
        if request.spec is None:
            raise ApiError(
                404,
                "not_found",
                f"agent {agent} does not exist: send spec with the first deploy to create it",
                "spec",
            )
        spec = request.spec
    else:
        if request.resource_version is None:
            raise ApiError(
                422,
                "validation_error",
                f"agent {agent} exists: send its resourceVersion",
                "resourceVersion",
            )
        spec = agents.to_agent_out(resource).spec
    if spec.mode != AgentMode.CUSTOM:
        raise ApiError(
            409,
            "not_custom",
            f"agent {agent} is a {spec.mode} agent; only Custom agents deploy code",
        )
    return resource, spec


async def _next_number(db_session: AsyncSession, tree: CodeTree) -> int:
    highest = await db_session.scalar(
        select(func.max(CodeRevision.number)).where(CodeRevision.tree_id == tree.id)
    )
    return int(highest or 0) + 1


async def _apply_digest(
    *,
    kube: Kube,
    namespace: str,
    agent: str,
    resource: dict[str, Any] | None,
    spec: VoiceAgentSpec,
    digest: str,
    resource_version: str | None,
) -> dict[str, Any]:
    new_spec = with_bundle(spec, digest)
    if resource is None:
        created = await agents.create_agent(
            kube=kube, namespace=namespace, name=agent, spec=new_spec, labels=None
        )
        return created.model_dump(by_alias=True, mode="json")
    assert resource_version is not None
    updated = await agents.update_agent(
        kube=kube, namespace=namespace, name=agent, spec=new_spec, resource_version=resource_version
    )
    return updated.model_dump(by_alias=True, mode="json")


async def deploy(
    *,
    db_session: AsyncSession,
    store: CodeStore,
    kube: Kube,
    workspace_id: uuid.UUID,
    namespace: str,
    agent: str,
    request: DeployRequest,
    author: User,
) -> RevisionOut:
    current = await draft(db_session=db_session, workspace_id=workspace_id, agent=agent, lock=True)
    version = await version_of(db_session=db_session, tree=current.tree, number=request.version)
    resource, spec = await _agent_entrypoint(kube, namespace, agent, request)
    assert spec.custom is not None or resource is None
    entrypoint = (
        spec.custom.entrypoint if spec.custom else CustomSpec.model_fields["entrypoint"].default
    )
    frozen = await freeze_version(store, version, entrypoint)
    revision = CodeRevision(
        tree_id=current.tree.id,
        number=await _next_number(db_session, current.tree),
        version_number=version.number,
        digest=frozen.digest,
        message=request.message,
        author_id=author.id,
    )
    db_session.add(revision)
    await db_session.flush()
    applied = await _apply_digest(
        kube=kube,
        namespace=namespace,
        agent=agent,
        resource=resource,
        spec=spec,
        digest=frozen.digest,
        resource_version=request.resource_version,
    )
    return revision_out(
        revision, author.email, applied, newest_by_digest={frozen.digest: revision.number}
    )


async def rollback(
    *,
    db_session: AsyncSession,
    store: CodeStore,
    kube: Kube,
    workspace_id: uuid.UUID,
    namespace: str,
    agent: str,
    number: int,
    resource_version: str,
    message: str | None,
    author: User,
) -> RevisionOut:
    """Serve an earlier revision's bundle again; the draft is left as it is."""
    tree = await find_tree(db_session=db_session, workspace_id=workspace_id, agent=agent, lock=True)
    if tree is None:
        raise not_found(f"code of agent {agent}")
    target = await _revision(db_session, tree, number)
    resource = await kube.get_voice_agent(namespace, agent)
    if resource is None:
        raise not_found(f"agent {agent}")
    spec = agents.to_agent_out(resource).spec
    if not await store.exists(bundle_object(target.digest.removeprefix("sha256:"))):
        # Bundles are deterministic: refreezing the same version gives the same digest.
        version = await version_of(db_session=db_session, tree=tree, number=target.version_number)
        await freeze_version(store, version, spec.custom.entrypoint if spec.custom else "agent")
    revision = CodeRevision(
        tree_id=tree.id,
        number=await _next_number(db_session, tree),
        version_number=target.version_number,
        digest=target.digest,
        message=message or f"Roll back to revision {number}",
        rollback_of=number,
        author_id=author.id,
    )
    db_session.add(revision)
    await db_session.flush()
    applied = await _apply_digest(
        kube=kube,
        namespace=namespace,
        agent=agent,
        resource=resource,
        spec=spec,
        digest=target.digest,
        resource_version=resource_version,
    )
    return revision_out(
        revision, author.email, applied, newest_by_digest={target.digest: revision.number}
    )


async def _revision(db_session: AsyncSession, tree: CodeTree, number: int) -> CodeRevision:
    revision = await db_session.scalar(
        select(CodeRevision).where(CodeRevision.tree_id == tree.id, CodeRevision.number == number)
    )
    if revision is None:
        raise not_found(f"revision {number}")
    return revision


async def revision(
    *, db_session: AsyncSession, workspace_id: uuid.UUID, agent: str, number: int
) -> CodeRevision:
    tree = await find_tree(db_session=db_session, workspace_id=workspace_id, agent=agent)
    if tree is None:
        raise not_found(f"code of agent {agent}")
    return await _revision(db_session, tree, number)


async def list_revisions(
    *, db_session: AsyncSession, kube: Kube, workspace_id: uuid.UUID, namespace: str, agent: str
) -> list[RevisionOut]:
    tree = await find_tree(db_session=db_session, workspace_id=workspace_id, agent=agent)
    if tree is None:
        return []
    rows = (
        await db_session.execute(
            select(CodeRevision, User.email)
            .outerjoin(User, User.id == CodeRevision.author_id)
            .where(CodeRevision.tree_id == tree.id)
            .order_by(CodeRevision.number.desc())
        )
    ).all()
    resource = await kube.get_voice_agent(namespace, agent)
    agent_view = (
        agents.to_agent_out(resource).model_dump(by_alias=True, mode="json") if resource else None
    )
    newest: dict[str, int] = {}
    for row, _ in rows:
        newest.setdefault(row.digest, row.number)
    return [revision_out(row, email, agent_view, newest) for row, email in rows]


def revision_state(digest: str, agent: dict[str, Any] | None) -> tuple[RevisionState, str | None]:
    """What the operator reports about ``digest``: building, failed, rolling out or serving."""
    if agent is None:
        return RevisionState.SUPERSEDED, "the agent no longer exists"
    source = ((agent.get("spec") or {}).get("custom") or {}).get("source") or {}
    wanted = (source.get("bundle") or {}).get("digest")
    status = agent.get("status") or {}
    conditions = {c.get("type"): c for c in status.get("conditions") or []}
    built, available = conditions.get("Built") or {}, conditions.get("Available") or {}
    serving = status.get("revision") == digest
    if wanted != digest:
        if serving:
            return RevisionState.SERVING, "serving until the newer revision is ready"
        return RevisionState.SUPERSEDED, None
    if status.get("observedGeneration") != agent.get("generation"):
        return RevisionState.BUILDING, "waiting for the operator to see the change"
    if serving:
        if available.get("status") == "True":
            return RevisionState.SERVING, available.get("message")
        return RevisionState.DEPLOYING, available.get("message")
    if built.get("status") == "False" and built.get("reason") != "Building":
        return RevisionState.BUILD_FAILED, built.get("message")
    if built.get("status") == "True":
        return RevisionState.DEPLOYING, available.get("message")
    return RevisionState.BUILDING, built.get("message")


def revision_out(
    row: CodeRevision,
    author: str | None,
    agent: dict[str, Any] | None,
    newest_by_digest: dict[str, int],
) -> RevisionOut:
    if newest_by_digest.get(row.digest) == row.number:
        state, message = revision_state(row.digest, agent)
    else:
        state, message = RevisionState.SUPERSEDED, None
    return RevisionOut(
        number=row.number,
        digest=row.digest,
        version=row.version_number,
        message=row.message,
        rollback_of=row.rollback_of,
        author=author,
        created_at=row.created_at,
        state=state,
        state_message=message,
    )
