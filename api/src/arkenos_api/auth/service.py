"""Sign-up, log-in and log-out, cookie sessions, and API tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from arkenos_api.auth.models import ApiToken, AuthSession, LoginAttempt, User
from arkenos_api.auth.secrets import (
    burn_password_time,
    digest,
    hash_password,
    new_api_token,
    new_secret,
    verify_password,
)
from arkenos_api.core.db import utcnow
from arkenos_api.core.errors import ApiError, not_found
from arkenos_api.core.kube import Kube
from arkenos_api.core.roles import Role
from arkenos_api.settings import Settings
from arkenos_api.workspaces.models import Workspace
from arkenos_api.workspaces.service import create_workspace

#: Serialises sign-ups so that exactly one user is ever "the first".
_SIGNUP_LOCK = 0x41524B31


@dataclass(frozen=True)
class NewLogin:
    auth_session: AuthSession
    cookie: str
    csrf_token: str


async def sign_up(
    *,
    db_session: AsyncSession,
    kube: Kube,
    email: str,
    password: str,
    workspace_namespace: str,
) -> tuple[User, Workspace | None]:
    """Create a user. The first user becomes platform admin and owner of a first workspace."""
    await db_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SIGNUP_LOCK})
    first = not await db_session.scalar(select(func.count()).select_from(User))
    user = User(email=email, password_hash=await hash_password(password), is_platform_admin=first)
    db_session.add(user)
    try:
        await db_session.flush()
    except IntegrityError as exc:
        raise ApiError(409, "email_taken", "an account with this email exists", "email") from exc
    workspace = None
    if first:
        workspace = await create_workspace(
            db_session=db_session,
            kube=kube,
            namespace=workspace_namespace,
            display_name=workspace_namespace,
            owner_id=user.id,
        )
    return user, workspace


async def _recent_failures(
    db_session: AsyncSession, column: InstrumentedAttribute[str], value: str, since: datetime
) -> int:
    """Failures since ``since`` and since the last success for this email or address."""
    last_success = (
        select(func.max(LoginAttempt.at))
        .where(column == value, LoginAttempt.succeeded)
        .scalar_subquery()
    )
    return (
        await db_session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                column == value,
                ~LoginAttempt.succeeded,
                LoginAttempt.at > since,
                LoginAttempt.at > func.coalesce(last_success, since),
            )
        )
        or 0
    )


async def log_in(
    *, db_session: AsyncSession, settings: Settings, email: str, password: str, client_ip: str
) -> tuple[User, NewLogin]:
    """Check the password and open a session; refuse while too many recent attempts failed.

    Attempts live in PostgreSQL so every replica counts the same failures. The lockout is
    checked before the password so a locked account does not confirm a guessed password.
    """
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    limit = settings.login_max_failures
    by_email = await _recent_failures(db_session, LoginAttempt.email, email, since)
    by_address = await _recent_failures(db_session, LoginAttempt.client_ip, client_ip, since)
    if by_email >= limit or by_address >= limit * 4:
        raise ApiError(
            429,
            "too_many_attempts",
            "too many failed log-ins; try again later",
            headers={"Retry-After": str(settings.login_window_seconds)},
        )
    user = await db_session.scalar(select(User).where(User.email == email))
    valid = await verify_password(user.password_hash, password) if user else False
    if user is None:
        await burn_password_time(password)
    db_session.add(LoginAttempt(email=email, client_ip=client_ip, succeeded=valid))
    if not valid or user is None:
        # The failure must be stored even though the request fails.
        await db_session.commit()
        raise ApiError(401, "invalid_credentials", "wrong email or password")
    return user, await open_session(db_session=db_session, settings=settings, user_id=user.id)


async def open_session(
    *, db_session: AsyncSession, settings: Settings, user_id: uuid.UUID
) -> NewLogin:
    cookie, csrf = new_secret(), new_secret()
    row = AuthSession(
        user_id=user_id,
        token_hash=digest(cookie),
        csrf_hash=digest(csrf),
        expires_at=utcnow() + timedelta(seconds=settings.session_ttl_seconds),
    )
    db_session.add(row)
    await db_session.flush()
    return NewLogin(row, cookie, csrf)


async def session_for_cookie(
    *, db_session: AsyncSession, cookie: str
) -> tuple[User, AuthSession] | None:
    row = (
        await db_session.execute(
            select(User, AuthSession)
            .join(AuthSession, AuthSession.user_id == User.id)
            .where(
                AuthSession.token_hash == digest(cookie),
                AuthSession.revoked_at.is_(None),
                AuthSession.expires_at > utcnow(),
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


async def revoke_session(*, db_session: AsyncSession, session_id: uuid.UUID) -> None:
    row = await db_session.get(AuthSession, session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


async def user_for_token(*, db_session: AsyncSession, token: str) -> tuple[User, ApiToken] | None:
    now = utcnow()
    row = (
        await db_session.execute(
            select(User, ApiToken)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(
                ApiToken.token_hash == digest(token),
                ApiToken.revoked_at.is_(None),
                (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


async def create_token(
    *,
    db_session: AsyncSession,
    user_id: uuid.UUID,
    workspace_id: uuid.UUID,
    name: str,
    role: Role,
    expires_at: datetime | None,
) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and only its hash is kept."""
    secret = new_api_token()
    token = ApiToken(
        user_id=user_id,
        workspace_id=workspace_id,
        name=name,
        role=role,
        token_hash=digest(secret),
        prefix=secret[:8],
        expires_at=expires_at,
    )
    db_session.add(token)
    await db_session.flush()
    return token, secret


async def tokens_of(
    *, db_session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID
) -> list[ApiToken]:
    rows = await db_session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.workspace_id == workspace_id)
        .order_by(ApiToken.created_at)
    )
    return list(rows)


async def revoke_token(
    *, db_session: AsyncSession, user_id: uuid.UUID, workspace_id: uuid.UUID, token_id: uuid.UUID
) -> None:
    token = await db_session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id or token.workspace_id != workspace_id:
        raise not_found("token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
