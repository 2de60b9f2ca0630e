"""Workspaces (one Kubernetes namespace each), their members and invitations."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.auth.models import ApiToken, User
from arkenos_api.auth.secrets import digest, new_secret
from arkenos_api.core.db import utcnow
from arkenos_api.core.errors import ApiError, not_found
from arkenos_api.core.kube import Kube
from arkenos_api.core.roles import Role, weakest
from arkenos_api.settings import Settings
from arkenos_api.workspaces.models import Invitation, Membership, Workspace
from arkenos_api.workspaces.namespaces import (
    build_limit_range,
    build_resource_quota,
    namespace_labels,
    refuse_foreign_owner,
    refuse_reserved,
)


async def _insert_workspace(
    db_session: AsyncSession, namespace: str, display_name: str, owner_id: uuid.UUID, adopted: bool
) -> Workspace:
    workspace = Workspace(namespace=namespace, display_name=display_name, adopted=adopted)
    db_session.add(workspace)
    try:
        await db_session.flush()
    except IntegrityError as exc:
        raise ApiError(
            409, "workspace_exists", f"workspace {namespace} already exists", "namespace"
        ) from exc
    db_session.add(Membership(workspace_id=workspace.id, user_id=owner_id, role=Role.OWNER))
    await db_session.flush()
    return workspace


async def _apply_policies(kube: Kube, namespace: str, settings: Settings) -> None:
    await kube.apply_core(build_resource_quota(namespace, settings))
    await kube.apply_core(build_limit_range(namespace, settings))


async def create_workspace(
    *,
    db_session: AsyncSession,
    kube: Kube,
    settings: Settings,
    namespace: str,
    display_name: str,
    owner_id: uuid.UUID,
) -> Workspace:
    """Create the namespace, labelled as a workspace, with ``owner_id`` as its owner.

    The row is flushed first so a duplicate fails before touching the cluster; the caller's
    transaction commits it only once the namespace exists.
    """
    refuse_reserved(namespace, settings)
    workspace = await _insert_workspace(db_session, namespace, display_name, owner_id, False)
    if not await kube.create_namespace(namespace, namespace_labels(namespace)):
        raise ApiError(
            409,
            "namespace_exists",
            f"namespace {namespace} already exists; a platform admin can adopt it instead",
            "namespace",
        )
    await _apply_policies(kube, namespace, settings)
    return workspace


async def adopt_workspace(
    *,
    db_session: AsyncSession,
    kube: Kube,
    settings: Settings,
    namespace: str,
    display_name: str,
    owner_id: uuid.UUID,
) -> Workspace:
    """Turn an existing namespace into a workspace (labelling it), owned by ``owner_id``."""
    refuse_reserved(namespace, settings)
    labels = await kube.namespace_labels(namespace)
    if labels is None:
        raise ApiError(404, "namespace_not_found", f"namespace {namespace} does not exist")
    refuse_foreign_owner(namespace, labels)
    workspace = await _insert_workspace(db_session, namespace, display_name, owner_id, True)
    if not await kube.label_namespace(namespace, namespace_labels(namespace)):
        raise ApiError(404, "namespace_not_found", f"namespace {namespace} does not exist")
    await _apply_policies(kube, namespace, settings)
    return workspace


def _memberships_of(user_id: uuid.UUID) -> Select[Workspace, str]:
    return (
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id)
    )


async def workspaces_of(
    *, db_session: AsyncSession, user_id: uuid.UUID
) -> list[tuple[Workspace, Role]]:
    rows = await db_session.execute(_memberships_of(user_id).order_by(Workspace.namespace))
    return [(workspace, Role(role)) for workspace, role in rows.all()]


async def membership(
    *, db_session: AsyncSession, namespace: str, user_id: uuid.UUID
) -> tuple[Workspace, Role] | None:
    query = _memberships_of(user_id).where(Workspace.namespace == namespace)
    row = (await db_session.execute(query)).first()
    return (row[0], Role(row[1])) if row else None


async def members(*, db_session: AsyncSession, workspace_id: uuid.UUID) -> list[tuple[User, Role]]:
    rows = await db_session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == workspace_id)
        .order_by(User.email)
    )
    return [(user, Role(role)) for user, role in rows.all()]


async def _owner_count(db_session: AsyncSession, workspace_id: uuid.UUID) -> int:
    return (
        await db_session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.workspace_id == workspace_id, Membership.role == Role.OWNER)
        )
        or 0
    )


async def _lock_members(
    db_session: AsyncSession, workspace_id: uuid.UUID, acting_user_id: uuid.UUID
) -> Role:
    """Lock the workspace row for the rest of the transaction and return the actor's role now.

    Every change of a membership takes this lock first, so two owners demoting or removing
    each other are serialised: the second one counts the owners the first one left. The
    actor's role is read again under the lock, since the one checked at the start of the
    request may have been taken away by a change that committed in between.
    """
    await db_session.execute(
        select(Workspace.id).where(Workspace.id == workspace_id).with_for_update()
    )
    role = await db_session.scalar(
        select(Membership.role).where(
            Membership.workspace_id == workspace_id, Membership.user_id == acting_user_id
        )
    )
    if role is None:
        raise ApiError(403, "forbidden", "you are no longer a member of this workspace")
    return Role(role)


async def _member_row(
    db_session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID
) -> Membership:
    row = await db_session.get(
        Membership, (workspace_id, user_id), with_for_update=True, populate_existing=True
    )
    if row is None:
        raise not_found("member")
    return row


async def set_role(
    *,
    db_session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    role: Role,
    acting_user_id: uuid.UUID,
) -> None:
    acting_role = await _lock_members(db_session, workspace_id, acting_user_id)
    if not acting_role.allows(Role.OWNER):
        raise ApiError(
            403, "forbidden", f"changing roles needs the owner role; you have {acting_role}"
        )
    row = await _member_row(db_session, workspace_id, user_id)
    if row.role == Role.OWNER and role != Role.OWNER:
        await _keep_an_owner(db_session, workspace_id)
    row.role = role


async def remove_member(
    *,
    db_session: AsyncSession,
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    acting_role: Role,
    acting_user_id: uuid.UUID,
) -> None:
    current = await _lock_members(db_session, workspace_id, acting_user_id)
    # An API token may act with less than its owner's role: keep the weaker of the two.
    acting_role = weakest(acting_role, current)
    if not acting_role.allows(Role.ADMIN):
        raise ApiError(
            403, "forbidden", f"removing members needs the admin role; you have {acting_role}"
        )
    row = await _member_row(db_session, workspace_id, user_id)
    if not acting_role.allows(Role(row.role)):
        raise ApiError(403, "forbidden", f"removing a member with role {row.role} needs that role")
    if row.role == Role.OWNER:
        await _keep_an_owner(db_session, workspace_id)
    await db_session.delete(row)
    # Their API tokens for this workspace stop working with the membership.
    await db_session.execute(
        update(ApiToken)
        .where(
            ApiToken.workspace_id == workspace_id,
            ApiToken.user_id == user_id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


async def _keep_an_owner(db_session: AsyncSession, workspace_id: uuid.UUID) -> None:
    if await _owner_count(db_session, workspace_id) <= 1:
        raise ApiError(409, "last_owner", "a workspace keeps at least one owner")


async def invite(
    *,
    db_session: AsyncSession,
    workspace_id: uuid.UUID,
    email: str,
    role: Role,
    invited_by: uuid.UUID,
    ttl_seconds: int,
) -> tuple[Invitation, str]:
    """Create an invitation; returns it with the secret that goes into the link (shown once)."""
    secret = new_secret()
    invitation = Invitation(
        workspace_id=workspace_id,
        email=email,
        role=role,
        token_hash=digest(secret),
        invited_by=invited_by,
        expires_at=utcnow() + timedelta(seconds=ttl_seconds),
    )
    db_session.add(invitation)
    await db_session.flush()
    return invitation, secret


async def accept_invitation(
    *, db_session: AsyncSession, secret: str, user: User
) -> tuple[Workspace, Role]:
    invitation = await db_session.scalar(
        select(Invitation).where(Invitation.token_hash == digest(secret)).with_for_update()
    )
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at < utcnow():
        raise ApiError(404, "invitation_invalid", "the invitation is unknown, used or expired")
    if invitation.email != user.email:
        raise ApiError(403, "invitation_for_someone_else", "the invitation is for another email")
    inviter_role = await db_session.scalar(
        select(Membership.role).where(
            Membership.workspace_id == invitation.workspace_id,
            Membership.user_id == invitation.invited_by,
        )
    )
    # An invitation grants what its author may still grant: one from a member who was
    # removed (or lost the role since) no longer lets anyone in with that role.
    if inviter_role is None or not Role(inviter_role).allows(Role(invitation.role)):
        raise ApiError(
            410,
            "invitation_withdrawn",
            "the member who sent this invitation can no longer grant this role; ask for a new one",
        )
    invitation.accepted_at = utcnow()
    existing = await db_session.get(Membership, (invitation.workspace_id, user.id))
    if existing is None:
        db_session.add(
            Membership(workspace_id=invitation.workspace_id, user_id=user.id, role=invitation.role)
        )
    elif Role(invitation.role).rank > Role(existing.role).rank:
        existing.role = invitation.role
    workspace = await db_session.get_one(Workspace, invitation.workspace_id)
    await db_session.flush()
    return workspace, Role(invitation.role)
