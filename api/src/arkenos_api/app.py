"""The FastAPI application: composes the feature routers, and in its lifespan creates the
database engine, the Kubernetes and HTTP clients and the per-process caches, after checking
that the database is migrated and the master keys fit the stored data keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import Depends, FastAPI

from arkenos_api.agents.router import router as agents_router
from arkenos_api.agents.router import templates_router
from arkenos_api.analytics.router import router as analytics_router
from arkenos_api.auth.router import router as auth_router
from arkenos_api.auth.router import tokens_router
from arkenos_api.calls.redispatch import Redispatcher
from arkenos_api.calls.router import router as calls_router
from arkenos_api.code.assistant.router import router as assistant_router
from arkenos_api.code.router import router as code_router
from arkenos_api.code.storage import CodeStore
from arkenos_api.code.tree import Limits
from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.db import check_migrated, create_engine, session_factory
from arkenos_api.core.errors import install_error_handlers
from arkenos_api.core.kube import Kube, create_api_client
from arkenos_api.core.limits import BodySizeLimitMiddleware, path_pattern
from arkenos_api.core.livekit import create_livekit
from arkenos_api.core.nul import refuse_lone_surrogates, refuse_nul
from arkenos_api.core.observability import HttpMetrics, RequestContextMiddleware
from arkenos_api.gateway.proxy import Upstream, WorkerGateway
from arkenos_api.gateway.router import install_worker_gateway
from arkenos_api.health import router as health_router
from arkenos_api.internal.router import router as internal_router
from arkenos_api.jobs.router import admin_router as jobs_admin_router
from arkenos_api.jobs.router import workspace_router as jobs_workspace_router
from arkenos_api.keys.crypto import Keyring
from arkenos_api.keys.router import router as keys_router
from arkenos_api.keys.service import check_keyring
from arkenos_api.phone_numbers.router import router as phone_numbers_router
from arkenos_api.phone_numbers.router import search_router as phone_number_search_router
from arkenos_api.phone_numbers.twilio_client import RebasedHttpClient
from arkenos_api.pricing.router import router as pricing_router
from arkenos_api.sessions.router import router as sessions_router
from arkenos_api.settings import Settings, load_settings
from arkenos_api.webhooks.router import router as webhooks_router
from arkenos_api.workspaces.router import invitations_router
from arkenos_api.workspaces.router import router as workspaces_router
from arkenos_crds.runtime import AGENT_ARTIFACT_PATH

ROUTERS = (
    health_router,
    auth_router,
    workspaces_router,
    invitations_router,
    tokens_router,
    agents_router,
    templates_router,
    keys_router,
    internal_router,
    code_router,
    assistant_router,
    calls_router,
    phone_numbers_router,
    phone_number_search_router,
    sessions_router,
    pricing_router,
    webhooks_router,
    analytics_router,
    jobs_admin_router,
    jobs_workspace_router,
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    engine = create_engine(settings.database_url.get_secret_value(), settings.database_pool_size)
    try:
        await check_migrated(engine)
        keyring = Keyring.parse(settings.master_keys_text())
        sessionmaker = session_factory(engine)
        async with sessionmaker() as db_session:
            await check_keyring(db_session=db_session, keyring=keyring)
        kube = Kube(await create_api_client(settings.kubeconfig))
        http = httpx.AsyncClient(timeout=settings.provider_timeout_seconds)
        app.state.twilio_http = twilio_http = RebasedHttpClient(
            settings.twilio_base_url, settings.provider_timeout_seconds
        )
        app.state.engine, app.state.sessionmaker = engine, sessionmaker
        app.state.keyring, app.state.kube, app.state.http = keyring, kube, http
        app.state.token_reviews = BoundedCache(
            settings.token_review_cache_size, settings.token_review_cache_seconds
        )
        app.state.runtime_configs = BoundedCache(settings.runtime_config_cache_size)
        app.state.session_owners = BoundedCache(100_000)
        app.state.code_store = CodeStore.from_settings(settings)
        app.state.code_limits = Limits.from_settings(settings)
        app.state.livekit = livekit = create_livekit(settings)
        app.state.redispatcher = redispatcher = (
            Redispatcher(kube, livekit, settings.wake_wait_seconds, settings.wake_poll_seconds)
            if livekit is not None
            else None
        )
        app.state.gateway = worker_gateway(settings, kube, app.state.token_reviews)
        try:
            yield
        finally:
            if redispatcher is not None:
                await redispatcher.close()
            if livekit is not None:
                await livekit.close()
            await http.aclose()
            await twilio_http.close()
            await kube.close()
    finally:
        await engine.dispose()


def worker_gateway(
    settings: Settings, kube: Kube, reviews: BoundedCache[bytes, str]
) -> WorkerGateway | None:
    """The gateway custom agents' workers connect through, when LiveKit is configured."""
    if not (settings.livekit_url and settings.livekit_api_key and settings.livekit_api_secret):
        return None
    upstream = Upstream(
        url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        room_url=settings.gateway_room_url or settings.livekit_url,
    )
    return WorkerGateway(
        upstream,
        kube=kube,
        reviews=reviews,
        platform_namespace=settings.platform_namespace,
        recheck_seconds=settings.gateway_recheck_seconds,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="Arkenos API",
        version="0.1.0",
        description="Accounts and workspaces, agents as VoiceAgent resources, encrypted "
        "provider keys, and the workers' endpoints. Every error body has the shape "
        "ErrorBody. Workspace routes say the least role they need in x-required-role.",
        lifespan=lifespan,
        dependencies=[Depends(refuse_nul), Depends(refuse_lone_surrogates)],
    )
    app.state.settings = settings or load_settings()
    app.state.metrics = HttpMetrics()
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_worker_gateway(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=app.state.settings.max_request_body_bytes,
        streamed_paths=path_pattern(AGENT_ARTIFACT_PATH),
    )
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    return app
