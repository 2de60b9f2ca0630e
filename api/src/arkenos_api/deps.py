"""Typed dependencies every router uses: the database session, settings, clients, the caller
(cookie session or API token) and the workspace they act on with the role the route needs.

A workspace route declares its role once, as ``openapi_extra=requires(Role.X)``; the
dependency reads it from the matched route, so the role shows in the OpenAPI document and the
role-by-route test matrix reads the same declaration.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from fastapi import Depends, Path, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from arkenos_api.auth.models import ApiToken, AuthSession, User
from arkenos_api.auth.secrets import same_digest
from arkenos_api.auth.service import session_for_cookie, user_for_token
from arkenos_api.calls.redispatch import Redispatcher
from arkenos_api.code.storage import CodeStore
from arkenos_api.code.tree import Limits
from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import ApiError
from arkenos_api.core.kube import Kube
from arkenos_api.core.livekit import LiveKit, livekit_unavailable
from arkenos_api.core.observability import HttpMetrics
from arkenos_api.core.roles import Role, weakest
from arkenos_api.internal.runtime_config import ConfigCache
from arkenos_api.internal.service import OwnerCache
from arkenos_api.keys.crypto import Keyring
from arkenos_api.phone_numbers.twilio_client import RebasedHttpClient
from arkenos_api.settings import Settings
from arkenos_api.workspaces.models import Workspace
from arkenos_api.workspaces.service import membership

SESSION_COOKIE = "arkenos_session"
CSRF_COOKIE = "arkenos_csrf"
CSRF_HEADER = "X-CSRF-Token"
REQUIRED_ROLE = "x-required-role"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_cookie_scheme = APIKeyCookie(name=SESSION_COOKIE, auto_error=False)
_bearer_scheme = HTTPBearer(auto_error=False, description="An API token (ark_...).")
_csrf_scheme = APIKeyHeader(
    name=CSRF_HEADER,
    auto_error=False,
    description="The csrfToken from log-in, required on cookie-authenticated writes.",
)


def requires(role: Role) -> dict[str, Any]:
    """``openapi_extra`` of a workspace route: the least role that may call it."""
    return {REQUIRED_ROLE: role.value}


async def _db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session
        await session.commit()


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _kube(request: Request) -> Kube:
    kube: Kube = request.app.state.kube
    return kube


async def _http(request: Request) -> httpx.AsyncClient:
    http: httpx.AsyncClient = request.app.state.http
    return http


async def _keyring(request: Request) -> Keyring:
    keyring: Keyring = request.app.state.keyring
    return keyring


async def _twilio_http(request: Request) -> RebasedHttpClient:
    http: RebasedHttpClient = request.app.state.twilio_http
    return http


async def _sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    """For work that outlives the request's own session (a streamed answer)."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return sessionmaker


async def _code_store(request: Request) -> CodeStore:
    store: CodeStore | None = request.app.state.code_store
    if store is None:
        raise ApiError(
            503,
            "storage_unavailable",
            "object storage for custom agent code is not configured "
            "(ARKENOS_S3_ENDPOINT and ARKENOS_S3_BUCKET)",
        )
    return store


async def _code_limits(request: Request) -> Limits:
    limits: Limits = request.app.state.code_limits
    return limits


async def _livekit(request: Request) -> LiveKit:
    livekit: LiveKit | None = request.app.state.livekit
    if livekit is None:
        raise livekit_unavailable()
    return livekit


async def _redispatcher(request: Request) -> Redispatcher:
    redispatcher: Redispatcher | None = request.app.state.redispatcher
    if redispatcher is None:
        raise livekit_unavailable()
    return redispatcher


async def _engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


async def _http_metrics(request: Request) -> HttpMetrics:
    metrics: HttpMetrics = request.app.state.metrics
    return metrics


async def _runtime_configs(request: Request) -> ConfigCache:
    cache: ConfigCache = request.app.state.runtime_configs
    return cache


async def _token_reviews(request: Request) -> BoundedCache[bytes, str]:
    cache: BoundedCache[bytes, str] = request.app.state.token_reviews
    return cache


async def _session_owners(request: Request) -> OwnerCache:
    cache: OwnerCache = request.app.state.session_owners
    return cache


# The accessors above are async on purpose: FastAPI runs sync dependencies in a thread pool,
# a thread hop per request that the ingest path cannot afford.
SessionDep = Annotated[AsyncSession, Depends(_db_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(_settings)]
KubeDep = Annotated[Kube, Depends(_kube)]
HttpDep = Annotated[httpx.AsyncClient, Depends(_http)]
KeyringDep = Annotated[Keyring, Depends(_keyring)]
TwilioHttpDep = Annotated[RebasedHttpClient, Depends(_twilio_http)]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessionmaker)]
CodeStoreDep = Annotated[CodeStore, Depends(_code_store)]
CodeLimitsDep = Annotated[Limits, Depends(_code_limits)]
LiveKitDep = Annotated[LiveKit, Depends(_livekit)]
RedispatcherDep = Annotated[Redispatcher, Depends(_redispatcher)]
EngineDep = Annotated[AsyncEngine, Depends(_engine)]
HttpMetricsDep = Annotated[HttpMetrics, Depends(_http_metrics)]
#: The per-process caches the lifespan creates.
RuntimeConfigsDep = Annotated[ConfigCache, Depends(_runtime_configs)]
TokenReviewsDep = Annotated[BoundedCache[bytes, str], Depends(_token_reviews)]
SessionOwnersDep = Annotated[OwnerCache, Depends(_session_owners)]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user through a cookie session or through an API token."""

    user: User
    auth_session: AuthSession | None = None
    token: ApiToken | None = None


async def _principal(
    request: Request,
    db_session: SessionDep,
    cookie: Annotated[str | None, Depends(_cookie_scheme)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
    csrf: Annotated[str | None, Depends(_csrf_scheme)],
) -> Principal:
    if bearer is not None:
        found = await user_for_token(db_session=db_session, token=bearer.credentials)
        if found is None:
            raise ApiError(401, "unauthenticated", "the API token is unknown, revoked or expired")
        return Principal(user=found[0], token=found[1])
    if cookie:
        session = await session_for_cookie(db_session=db_session, cookie=cookie)
        if session is None:
            raise ApiError(401, "unauthenticated", "the session has expired or was logged out")
        user, auth_session = session
        if request.method not in _SAFE_METHODS and not (
            csrf and same_digest(csrf, auth_session.csrf_hash)
        ):
            raise ApiError(403, "csrf_failed", f"missing or wrong {CSRF_HEADER} header")
        return Principal(user=user, auth_session=auth_session)
    raise ApiError(401, "unauthenticated", "log in or send an API token")


CurrentPrincipal = Annotated[Principal, Depends(_principal)]


async def _person(principal: CurrentPrincipal) -> Principal:
    if principal.token is not None:
        raise ApiError(403, "needs_login", "this action needs a logged-in user, not an API token")
    return principal


async def _platform_admin(principal: Annotated[Principal, Depends(_person)]) -> Principal:
    if not principal.user.is_platform_admin:
        raise ApiError(403, "forbidden", "only a platform admin may do this")
    return principal


LoggedInUser = Annotated[Principal, Depends(_person)]
PlatformAdmin = Annotated[Principal, Depends(_platform_admin)]


@dataclass(frozen=True)
class WorkspaceContext:
    workspace: Workspace
    role: Role
    principal: Principal


def _required_role(request: Request) -> Role:
    route = request.scope.get("route")
    extra = getattr(route, "openapi_extra", None) or {}
    if REQUIRED_ROLE not in extra:
        # Fail closed: a workspace route that forgot to declare its role serves nobody.
        raise RuntimeError(f"route {getattr(route, 'path', '?')} declares no {REQUIRED_ROLE}")
    return Role(extra[REQUIRED_ROLE])


async def _workspace(
    request: Request,
    workspace: Annotated[
        str, Path(description="Workspace (Kubernetes namespace).", examples=["acme"])
    ],
    principal: CurrentPrincipal,
    db_session: SessionDep,
) -> WorkspaceContext:
    required = _required_role(request)
    found = await membership(db_session=db_session, namespace=workspace, user_id=principal.user.id)
    token = principal.token
    if found is None or (token is not None and token.workspace_id != found[0].id):
        # Non-members learn nothing, not even that the workspace exists.
        raise ApiError(404, "not_found", f"workspace {workspace} not found")
    ws, role = found
    if token is not None:
        role = weakest(role, Role(token.role))
    if not role.allows(required):
        raise ApiError(403, "forbidden", f"this needs the {required} role; you have {role}")
    return WorkspaceContext(workspace=ws, role=role, principal=principal)


WorkspaceDep = Annotated[WorkspaceContext, Depends(_workspace)]
