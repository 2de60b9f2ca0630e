"""HTTP routes of a custom agent's code: the file tree, validation, deploy, revisions and
rollback. Reads need the viewer role, changes the developer role."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from arkenos_api.code import deploy as deploys
from arkenos_api.code import files
from arkenos_api.code.build_log import build_log
from arkenos_api.code.checks import tree_issues
from arkenos_api.code.diff import diff_versions
from arkenos_api.code.paths import MAX_PATH_LENGTH
from arkenos_api.code.schemas import (
    BuildLogOut,
    CodeIssueOut,
    DeployRequest,
    DiffOut,
    FileEntry,
    FileOut,
    FileRename,
    FileWrite,
    RevisionOut,
    RollbackRequest,
    Template,
    TreeCreate,
    TreeOut,
    ValidationOut,
)
from arkenos_api.code.tree import Draft, create_tree, draft, file_version, version_of
from arkenos_api.core.errors import ErrorBody
from arkenos_api.core.roles import Role
from arkenos_api.deps import (
    CodeLimitsDep,
    CodeStoreDep,
    KubeDep,
    SessionDep,
    WorkspaceDep,
    requires,
)
from arkenos_crds.meta import DNS_LABEL
from arkenos_crds.starter import STARTER_ENTRYPOINT, blank_files, starter_files

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}/agents/{name}/code",
    tags=["code"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}, 503: {"model": ErrorBody}},
)

AgentName = Annotated[
    str, Path(max_length=63, pattern=DNS_LABEL, description="Agent name.", examples=["support-bot"])
]
FilePath = Annotated[
    str,
    Path(max_length=MAX_PATH_LENGTH, description="File path in the tree.", examples=["agent.py"]),
]
RevisionNumber = Annotated[int, Path(ge=1, le=2**31 - 1, description="Revision number.")]
_WRITE: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody},
    413: {"model": ErrorBody},
    422: {"model": ErrorBody},
}


def _tree_out(agent: str, current: Draft, limits: dict[str, int]) -> TreeOut:
    entries = [
        FileEntry(path=path, version=file_version(entry["sha256"]), size=int(entry["size"]))
        for path, entry in sorted(current.manifest.items())
    ]
    return TreeOut(
        agent=agent,
        version=current.tree.head,
        files=entries,
        total_bytes=sum(entry.size for entry in entries),
        limits=limits,
    )


@router.get("", openapi_extra=requires(Role.VIEWER))
async def get_tree(
    name: AgentName, ctx: WorkspaceDep, db_session: SessionDep, limits: CodeLimitsDep
) -> TreeOut:
    """The draft: every file with its version and size."""
    current = await draft(db_session=db_session, workspace_id=ctx.workspace.id, agent=name)
    return _tree_out(name, current, limits.as_dict())


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=requires(Role.DEVELOPER),
    responses=_WRITE,
)
async def create_code(
    name: AgentName,
    body: TreeCreate,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    store: CodeStoreDep,
    limits: CodeLimitsDep,
) -> TreeOut:
    """Start the agent's code from the starter template or blank."""
    template = starter_files() if body.template is Template.STARTER else blank_files()
    current = await create_tree(
        db_session=db_session,
        store=store,
        limits=limits,
        workspace_id=ctx.workspace.id,
        agent=name,
        files=template,
        author_id=ctx.principal.user.id,
        change=f"start from the {body.template} template",
    )
    return _tree_out(name, current, limits.as_dict())


@router.get("/files/{path:path}", openapi_extra=requires(Role.VIEWER))
async def read_file(
    name: AgentName, path: FilePath, ctx: WorkspaceDep, db_session: SessionDep, store: CodeStoreDep
) -> FileOut:
    """One file's content and version."""
    return await files.read_file(
        db_session=db_session, store=store, workspace_id=ctx.workspace.id, agent=name, path=path
    )


@router.put("/files/{path:path}", openapi_extra=requires(Role.DEVELOPER), responses=_WRITE)
async def write_file(
    name: AgentName,
    path: FilePath,
    body: FileWrite,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    store: CodeStoreDep,
    limits: CodeLimitsDep,
) -> FileOut:
    """Create a file (no baseVersion) or replace it (the version it was edited from)."""
    return await files.write_file(
        db_session=db_session,
        store=store,
        limits=limits,
        workspace_id=ctx.workspace.id,
        agent=name,
        path=path,
        content=body.content,
        base_version=body.base_version,
        author_id=ctx.principal.user.id,
    )


@router.delete(
    "/files/{path:path}",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=requires(Role.DEVELOPER),
    responses=_WRITE,
)
async def delete_file(
    name: AgentName,
    path: FilePath,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    base_version: Annotated[
        str,
        Query(
            alias="baseVersion", pattern=r"^sha256:[a-f0-9]{64}$", description="The file's version."
        ),
    ],
) -> None:
    """Delete a file, if it is still at the version named."""
    await files.delete_file(
        db_session=db_session,
        workspace_id=ctx.workspace.id,
        agent=name,
        path=path,
        base_version=base_version,
        author_id=ctx.principal.user.id,
    )


@router.post("/rename", openapi_extra=requires(Role.DEVELOPER), responses=_WRITE)
async def rename_file(
    name: AgentName,
    body: FileRename,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    limits: CodeLimitsDep,
) -> TreeOut:
    """Move a file to another path."""
    await files.rename_file(
        db_session=db_session,
        workspace_id=ctx.workspace.id,
        agent=name,
        from_path=body.from_path,
        to_path=body.to_path,
        base_version=body.base_version,
        author_id=ctx.principal.user.id,
    )
    current = await draft(db_session=db_session, workspace_id=ctx.workspace.id, agent=name)
    return _tree_out(name, current, limits.as_dict())


@router.post("/validate", openapi_extra=requires(Role.VIEWER))
async def validate(
    name: AgentName,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    store: CodeStoreDep,
    kube: KubeDep,
) -> ValidationOut:
    """What a deploy of the draft would refuse: syntax errors with file and line, a missing
    entrypoint, requirements pip would not accept."""
    current = await draft(db_session=db_session, workspace_id=ctx.workspace.id, agent=name)
    resource = await kube.get_voice_agent(ctx.workspace.namespace, name)
    custom = ((resource or {}).get("spec") or {}).get("custom") or {}
    texts = await deploys.tree_texts(store, current.version)
    issues = tree_issues(texts, custom.get("entrypoint") or STARTER_ENTRYPOINT)
    return ValidationOut(
        ok=not issues,
        version=current.tree.head,
        issues=[CodeIssueOut(path=i.path, line=i.line, message=i.message) for i in issues],
    )


@router.post(
    "/deploy",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=requires(Role.DEVELOPER),
    responses=_WRITE,
)
async def deploy(
    name: AgentName,
    body: DeployRequest,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    store: CodeStoreDep,
    kube: KubeDep,
) -> RevisionOut:
    """Freeze the draft (or the version named) into a bundle and make the agent serve it;
    the operator builds and rolls it out. Creates the agent on the first deploy when `spec`
    is given."""
    return await deploys.deploy(
        db_session=db_session,
        store=store,
        kube=kube,
        workspace_id=ctx.workspace.id,
        namespace=ctx.workspace.namespace,
        agent=name,
        request=body,
        author=ctx.principal.user,
    )


@router.get("/revisions", openapi_extra=requires(Role.VIEWER))
async def list_revisions(
    name: AgentName, ctx: WorkspaceDep, db_session: SessionDep, kube: KubeDep
) -> list[RevisionOut]:
    """Every deploy, newest first, with its build and rollout state from the resource."""
    return await deploys.list_revisions(
        db_session=db_session,
        kube=kube,
        workspace_id=ctx.workspace.id,
        namespace=ctx.workspace.namespace,
        agent=name,
    )


@router.get("/revisions/{number}/diff", openapi_extra=requires(Role.VIEWER))
async def diff_revisions(
    name: AgentName,
    number: RevisionNumber,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    store: CodeStoreDep,
    against: Annotated[int, Query(ge=1, le=2**31 - 1, description="The revision to compare with.")],
) -> DiffOut:
    """A unified diff per file from revision `against` to revision `number`."""
    old = await deploys.revision(
        db_session=db_session, workspace_id=ctx.workspace.id, agent=name, number=against
    )
    new = await deploys.revision(
        db_session=db_session, workspace_id=ctx.workspace.id, agent=name, number=number
    )
    current = await draft(db_session=db_session, workspace_id=ctx.workspace.id, agent=name)
    old_version = await version_of(
        db_session=db_session, tree=current.tree, number=old.version_number
    )
    new_version = await version_of(
        db_session=db_session, tree=current.tree, number=new.version_number
    )
    return DiffOut(
        from_revision=against,
        to_revision=number,
        files=await diff_versions(store, old_version.manifest, new_version.manifest),
    )


@router.post(
    "/revisions/{number}/rollback",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=requires(Role.DEVELOPER),
    responses=_WRITE,
)
async def rollback(
    name: AgentName,
    number: RevisionNumber,
    body: RollbackRequest,
    ctx: WorkspaceDep,
    db_session: SessionDep,
    store: CodeStoreDep,
    kube: KubeDep,
) -> RevisionOut:
    """Serve an earlier revision's bundle again (recorded as a new revision); when its build
    is still cached, nothing is rebuilt. The draft is not changed."""
    return await deploys.rollback(
        db_session=db_session,
        store=store,
        kube=kube,
        workspace_id=ctx.workspace.id,
        namespace=ctx.workspace.namespace,
        agent=name,
        number=number,
        resource_version=body.resource_version,
        message=body.message,
        author=ctx.principal.user,
    )


@router.get(
    "/build/log", openapi_extra=requires(Role.DEVELOPER), responses={409: {"model": ErrorBody}}
)
async def read_build_log(
    name: AgentName,
    ctx: WorkspaceDep,
    kube: KubeDep,
    tail_lines: Annotated[
        int, Query(alias="tailLines", ge=1, le=5000, description="How many lines, at most.")
    ] = 200,
) -> BuildLogOut:
    """The tail of the build log of the bundle the agent names (or of its newest build): 404
    when the agent has no build, 409 when the build's pod has not started."""
    return await build_log(
        kube=kube, namespace=ctx.workspace.namespace, agent=name, tail_lines=tail_lines
    )
