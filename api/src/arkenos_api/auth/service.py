"""Sign-up, log-in and log-out, cookie sessions, and API tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.auth.models import ApiToken, AuthSession, LoginAttempt, User
from arkenos_api.auth.passwords import check_password_strength
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
from arkenos_api.workspaces.models import Membership, Workspace
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
    settings: Settings,
    email: str,
    password: str,
    workspace_namespace: str,
) -> Workspace | None:
    """Create a user unless the email has one; the caller cannot tell which happened.

    The first user becomes platform admin and owner of a first workspace (returned). A known
    email costs the same password hash and gets the same answer as a new one, so sign-up does
    not reveal who has an account; the account's owner simply logs in.
    """
    await check_password_strength(password, email)
    await db_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SIGNUP_LOCK})
    first = not await db_session.scalar(select(func.count()).select_from(User))
    password_hash = await hash_password(password)
    if await db_session.scalar(select(User.id).where(User.email == email)) is not None:
        return None
    user = User(email=email, password_hash=password_hash, is_platform_admin=first)
    db_session.add(user)
    await db_session.flush()
    if not first:
        return None
    return await create_workspace(
        db_session=db_session,
        kube=kube,
        settings=settings,
        namespace=workspace_namespace,
        display_name=workspace_namespace,
        owner_id=user.id,
    )


async def _failures(
    db_session: AsyncSession, attempt: LoginAttempt, since: datetime
) -> tuple[int, int]:
    """(failures for the email since its last success, failures from the address), both
    within the window and not counting ``attempt`` itself.

    The windows are independent: a success resets only its own account's count, never the
    address's (else logging into one's own account would reset the address for every other
    account). Attempts still being checked are stored as failures until they succeed, so
    parallel guesses see each other.
    """
    last_success = (
        select(func.max(LoginAttempt.at))
        .where(LoginAttempt.email == attempt.email, LoginAttempt.succeeded)
        .scalar_subquery()
    )
    failed = (~LoginAttempt.succeeded) & (LoginAttempt.at > since) & (LoginAttempt.id != attempt.id)
    by_email = select(func.count()).where(
        failed,
        LoginAttempt.email == attempt.email,
        LoginAttempt.at > func.coalesce(last_success, since),
    )
    by_address = select(func.count()).where(failed, LoginAttempt.client_ip == attempt.client_ip)
    row = (
        await db_session.execute(select(by_email.scalar_subquery(), by_address.scalar_subquery()))
    ).one()
    return row[0] or 0, row[1] or 0


async def log_in(
    *, db_session: AsyncSession, settings: Settings, email: str, password: str, client_ip: str
) -> tuple[User, NewLogin]:
    """Check the password and open a session; refuse while too many recent attempts failed.

    Attempts live in PostgreSQL so every replica counts the same failures. Counting is
    atomic without a lock held across the (slow) password check: the attempt is committed as
    a failure first and only then are the others counted, so of N parallel guesses the k-th
    to commit sees at least k-1 others and at most ``limit`` of them are ever evaluated. The
    lockout is checked before the password so a locked account does not confirm a guessed
    password; a refused attempt is forgotten, so the lockout lasts one window, not forever.
    """
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    limit = settings.login_max_failures
    attempt = LoginAttempt(email=email, client_ip=client_ip, succeeded=False)
    db_session.add(attempt)
    await db_session.commit()
    by_email, by_address = await _failures(db_session, attempt, since)
    if by_email >= limit or by_address >= limit * settings.login_address_factor:
        await db_session.delete(attempt)
        await db_session.commit()
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
    if not valid or user is None:
        raise ApiError(401, "invalid_credentials", "wrong email or password")
    attempt.succeeded = True
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
            # A token works only while its owner is still a member of its workspace.
            .join(
                Membership,
                (Membership.workspace_id == ApiToken.workspace_id)
                & (Membership.user_id == ApiToken.user_id),
            )
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
