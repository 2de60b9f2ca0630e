"""HTTP routes of workspaces, their members and invitations."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status

from arkenos_api.core.errors import ApiError, ErrorBody
from arkenos_api.core.roles import Role
from arkenos_api.deps import (
    KubeDep,
    LoggedInUser,
    PlatformAdmin,
    SessionDep,
    SettingsDep,
    WorkspaceDep,
    requires,
)
from arkenos_api.workspaces import service
from arkenos_api.workspaces.models import Workspace
from arkenos_api.workspaces.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationOut,
    MemberOut,
    RoleChange,
    WorkspaceCreate,
    WorkspaceOut,
)

_errors: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
}
router = APIRouter(prefix="/api/v1/workspaces", tags=["workspaces"], responses=_errors)
invitations_router = APIRouter(prefix="/api/v1/invitations", tags=["workspaces"], responses=_errors)

UserId = Annotated[uuid.UUID, Path(description="Id of the member.")]


def _out(workspace: Workspace, role: Role) -> WorkspaceOut:
    return WorkspaceOut(
        namespace=workspace.namespace,
        display_name=workspace.display_name,
        adopted=workspace.adopted,
        role=role,
        created_at=workspace.created_at,
    )


@router.get("")
async def list_workspaces(principal: LoggedInUser, db_session: SessionDep) -> list[WorkspaceOut]:
    """The workspaces you belong to."""
    rows = await service.workspaces_of(db_session=db_session, user_id=principal.user.id)
    return [_out(workspace, role) for workspace, role in rows]


@router.post("", status_code=status.HTTP_201_CREATED, responses={409: {"model": ErrorBody}})
async def create_workspace(
    body: WorkspaceCreate,
    principal: PlatformAdmin,
    db_session: SessionDep,
    kube: KubeDep,
    settings: SettingsDep,
) -> WorkspaceOut:
    """Create a namespace labelled as a workspace; you become its owner."""
    workspace = await service.create_workspace(
        db_session=db_session,
        kube=kube,
        settings=settings,
        namespace=body.namespace,
        display_name=body.display_name or body.namespace,
        owner_id=principal.user.id,
    )
    return _out(workspace, Role.OWNER)


@router.post("/adopt", status_code=status.HTTP_201_CREATED, responses={409: {"model": ErrorBody}})
async def adopt_workspace(
    body: WorkspaceCreate,
    principal: PlatformAdmin,
    db_session: SessionDep,
    kube: KubeDep,
    settings: SettingsDep,
) -> WorkspaceOut:
    """Make an existing namespace a workspace (agents already in it appear at once)."""
    workspace = await service.adopt_workspace(
        db_session=db_session,
        kube=kube,
        settings=settings,
        namespace=body.namespace,
        display_name=body.display_name or body.namespace,
        owner_id=principal.user.id,
    )
    return _out(workspace, Role.OWNER)


@router.get("/{workspace}", openapi_extra=requires(Role.VIEWER))
async def get_workspace(ctx: WorkspaceDep) -> WorkspaceOut:
    """One workspace and your role in it."""
    return _out(ctx.workspace, ctx.role)


@router.get("/{workspace}/members", openapi_extra=requires(Role.VIEWER))
async def list_members(ctx: WorkspaceDep, db_session: SessionDep) -> list[MemberOut]:
    """Everyone in the workspace and their role."""
    rows = await service.members(db_session=db_session, workspace_id=ctx.workspace.id)
    return [MemberOut(user_id=user.id, email=user.email, role=role) for user, role in rows]


@router.put(
    "/{workspace}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=requires(Role.OWNER),
    responses={409: {"model": ErrorBody}},
)
async def set_member_role(
    user_id: UserId, body: RoleChange, ctx: WorkspaceDep, db_session: SessionDep
) -> None:
    """Change a member's role (owners only; a workspace keeps at least one owner)."""
    await service.set_role(
        db_session=db_session,
        workspace_id=ctx.workspace.id,
        user_id=user_id,
        role=body.role,
        acting_user_id=ctx.principal.user.id,
    )


@router.delete(
    "/{workspace}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=requires(Role.ADMIN),
    responses={409: {"model": ErrorBody}},
)
async def remove_member(user_id: UserId, ctx: WorkspaceDep, db_session: SessionDep) -> None:
    """Remove a member (not one whose role is above yours)."""
    await service.remove_member(
        db_session=db_session,
        workspace_id=ctx.workspace.id,
        user_id=user_id,
        acting_role=ctx.role,
        acting_user_id=ctx.principal.user.id,
    )


@router.post(
    "/{workspace}/invitations",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=requires(Role.ADMIN),
)
async def invite(
    body: InvitationCreate, ctx: WorkspaceDep, db_session: SessionDep, settings: SettingsDep
) -> InvitationOut:
    """Invite someone by email; returns the link to send them (email delivery is yours)."""
    if not ctx.role.allows(body.role):
        raise ApiError(
            403, "forbidden", f"you cannot grant {body.role}; you are {ctx.role}", "role"
        )
    invitation, secret = await service.invite(
        db_session=db_session,
        workspace_id=ctx.workspace.id,
        email=body.email,
        role=body.role,
        invited_by=ctx.principal.user.id,
        ttl_seconds=settings.invitation_ttl_seconds,
    )
    return InvitationOut(
        id=invitation.id,
        email=invitation.email,
        role=body.role,
        link=f"{settings.public_url.rstrip('/')}/invitations/{secret}",
        expires_at=invitation.expires_at,
    )


@invitations_router.post("/accept")
async def accept_invitation(
    body: InvitationAccept, principal: LoggedInUser, db_session: SessionDep
) -> WorkspaceOut:
    """Join the workspace an invitation is for (logged in with the invited email)."""
    workspace, role = await service.accept_invitation(
        db_session=db_session, secret=body.token, user=principal.user
    )
    return _out(workspace, role)
