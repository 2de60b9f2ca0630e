"""The worker gateway as a process of its own (``arkenos-api gateway``), for the chart's
optional gateway component: the same route the API serves, with only what it needs (the
Kubernetes client for TokenReviews and VoiceAgents, the platform's LiveKit key), no database.
Its environment is the chart's: LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute

from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.kube import Kube, create_api_client
from arkenos_api.gateway.proxy import Upstream, WorkerGateway
from arkenos_api.gateway.router import WORKER_GATEWAY_ROUTE, worker_gateway
from arkenos_api.settings import SettingsError, describe


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    livekit_url: str = Field(
        min_length=1, validation_alias=AliasChoices("LIVEKIT_URL", "ARKENOS_LIVEKIT_URL")
    )
    livekit_api_key: str = Field(
        min_length=1, validation_alias=AliasChoices("LIVEKIT_API_KEY", "ARKENOS_LIVEKIT_API_KEY")
    )
    livekit_api_secret: SecretStr = Field(
        min_length=1,
        validation_alias=AliasChoices("LIVEKIT_API_SECRET", "ARKENOS_LIVEKIT_API_SECRET"),
    )
    gateway_room_url: str | None = Field(
        default=None,
        validation_alias="ARKENOS_GATEWAY_ROOM_URL",
        description="LiveKit URL jobs join their rooms at from agent pods (default LIVEKIT_URL).",
    )
    platform_namespace: str = Field(
        default="arkenos-system", validation_alias="ARKENOS_PLATFORM_NAMESPACE"
    )
    gateway_recheck_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        validation_alias="ARKENOS_GATEWAY_RECHECK_SECONDS",
        description="How often an open worker connection's VoiceAgent is looked up again.",
    )
    kubeconfig: Path | None = Field(default=None, validation_alias="ARKENOS_KUBECONFIG")
    token_review_cache_seconds: float = Field(
        default=5.0, ge=0, le=60, validation_alias="ARKENOS_TOKEN_REVIEW_CACHE_SECONDS"
    )


def load_gateway_settings() -> GatewaySettings:
    try:
        return GatewaySettings()
    except ValidationError as error:
        raise SettingsError(describe(error)) from None


def upstream_of(settings: GatewaySettings) -> Upstream:
    return Upstream(
        url=settings.livekit_url,
        api_key=settings.livekit_api_key,
        api_secret=settings.livekit_api_secret.get_secret_value(),
        room_url=settings.gateway_room_url or settings.livekit_url,
    )


async def _healthy(_: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def create_gateway_app(settings: GatewaySettings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        kube = Kube(await create_api_client(settings.kubeconfig))
        reviews: BoundedCache[bytes, str] = BoundedCache(
            10_000, settings.token_review_cache_seconds
        )
        app.state.gateway = WorkerGateway(
            upstream_of(settings),
            kube=kube,
            reviews=reviews,
            platform_namespace=settings.platform_namespace,
            recheck_seconds=settings.gateway_recheck_seconds,
        )
        try:
            yield
        finally:
            await kube.close()

    routes = [Route("/healthz", _healthy), WebSocketRoute(WORKER_GATEWAY_ROUTE, worker_gateway)]
    return Starlette(routes=routes, lifespan=lifespan)
