"""HTTP routes of identity: sign-up, log-in, log-out, the current user and API tokens."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from arkenos_api.auth import service
from arkenos_api.auth.models import ApiToken, User
from arkenos_api.auth.schemas import (
    LoggedIn,
    LogIn,
    SignedUp,
    SignUp,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserOut,
)
from arkenos_api.core.addresses import client_address, parse_networks
from arkenos_api.core.errors import ApiError, ErrorBody
from arkenos_api.core.roles import Role
from arkenos_api.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentPrincipal,
    KubeDep,
    SessionDep,
    SettingsDep,
    WorkspaceDep,
    requires,
)

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses={401: {"model": ErrorBody}})
tokens_router = APIRouter(
    prefix="/api/v1/workspaces/{workspace}/tokens",
    tags=["tokens"],
    responses={403: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)


def _user_out(user: User) -> UserOut:
    return UserOut(id=user.id, email=user.email, is_platform_admin=user.is_platform_admin)


@router.post(
    "/signup",
    status_code=status.HTTP_202_ACCEPTED,
    responses={422: {"model": ErrorBody}},
)
async def sign_up(
    body: SignUp, db_session: SessionDep, kube: KubeDep, settings: SettingsDep
) -> SignedUp:
    """Create an account, then log in. A known email gets the same answer as a new one (so
    sign-up tells nobody who has an account). The very first account also gets the first
    workspace, as its owner, and becomes platform admin."""
    workspace = await service.sign_up(
        db_session=db_session,
        kube=kube,
        settings=settings,
        email=body.email,
        password=body.password,
        workspace_namespace=body.workspace,
    )
    return SignedUp(workspace=workspace.namespace if workspace else None)


@router.post("/login", responses={429: {"model": ErrorBody}, 422: {"model": ErrorBody}})
async def log_in(
    body: LogIn,
    request: Request,
    response: Response,
    db_session: SessionDep,
    settings: SettingsDep,
) -> LoggedIn:
    """Check the password and set the session cookie; returns the CSRF token."""
    client_ip = client_address(request, parse_networks(settings.trusted_proxies))
    user, login = await service.log_in(
        db_session=db_session,
        settings=settings,
        email=body.email,
        password=body.password,
        client_ip=client_ip,
    )
    max_age = settings.session_ttl_seconds
    secure = settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE, login.cookie, max_age=max_age, httponly=True, secure=secure, samesite="lax"
    )
    # Readable by the dashboard's script, which echoes it in X-CSRF-Token (double submit).
    response.set_cookie(
        CSRF_COOKIE,
        login.csrf_token,
        max_age=max_age,
        httponly=False,
        secure=secure,
        samesite="strict",
    )
    return LoggedIn(
        user=_user_out(user), csrf_token=login.csrf_token, expires_at=login.auth_session.expires_at
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def log_out(principal: CurrentPrincipal, response: Response, db_session: SessionDep) -> None:
    """Revoke the current cookie session (the cookie stops working everywhere)."""
    if principal.auth_session is None:
        raise ApiError(400, "not_a_session", "log-out ends a cookie session; revoke tokens instead")
    await service.revoke_session(db_session=db_session, session_id=principal.auth_session.id)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)


@router.get("/me")
async def me(principal: CurrentPrincipal) -> UserOut:
    """The calling user."""
    return _user_out(principal.user)


def _token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        role=Role(token.role),
        prefix=token.prefix,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked=token.revoked_at is not None,
    )


@tokens_router.post("", status_code=status.HTTP_201_CREATED, openapi_extra=requires(Role.VIEWER))
async def create_token(
    body: TokenCreate, ctx: WorkspaceDep, db_session: SessionDep
) -> TokenCreated:
    """Create an API token for yourself in this workspace, with at most your own role."""
    if ctx.principal.token is not None:
        raise ApiError(403, "needs_login", "API tokens cannot create API tokens")
    if not ctx.role.allows(body.role):
        raise ApiError(
            403, "forbidden", f"you cannot grant {body.role}; you are {ctx.role}", "role"
        )
    token, secret = await service.create_token(
        db_session=db_session,
        user_id=ctx.principal.user.id,
        workspace_id=ctx.workspace.id,
        name=body.name,
        role=body.role,
        expires_at=body.expires_at,
    )
    return TokenCreated(**_token_out(token).model_dump(), token=secret)


@tokens_router.get("", openapi_extra=requires(Role.VIEWER))
async def list_tokens(ctx: WorkspaceDep, db_session: SessionDep) -> list[TokenOut]:
    """Your API tokens in this workspace (never the secrets)."""
    tokens = await service.tokens_of(
        db_session=db_session, user_id=ctx.principal.user.id, workspace_id=ctx.workspace.id
    )
    return [_token_out(token) for token in tokens]


@tokens_router.delete(
    "/{token_id}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=requires(Role.VIEWER)
)
async def revoke_token(
    token_id: Annotated[uuid.UUID, Path(description="Token id.")],
    ctx: WorkspaceDep,
    db_session: SessionDep,
) -> None:
    """Revoke one of your API tokens."""
    await service.revoke_token(
        db_session=db_session,
        user_id=ctx.principal.user.id,
        workspace_id=ctx.workspace.id,
        token_id=token_id,
    )
