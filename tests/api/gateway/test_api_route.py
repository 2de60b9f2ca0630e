"""The API serves the worker gateway at the path the operator gives custom agents, with the
platform's LiveKit settings; without LiveKit configured there is no gateway to serve."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr
from starlette.routing import WebSocketRoute

from arkenos_api.app import create_app, worker_gateway
from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.kube import Kube
from arkenos_api.gateway.router import WORKER_GATEWAY_ROUTE
from arkenos_api.gateway.router import worker_gateway as endpoint
from arkenos_api.settings import Settings

BASE: dict[str, Any] = {
    "database_url": SecretStr("postgresql+asyncpg://arkenos@127.0.0.1/arkenos"),
    "master_keys": SecretStr("k1:" + "A" * 43 + "="),
    "public_url": "https://arkenos.example.com",
}


def test_the_app_routes_the_gateway_path_to_the_gateway() -> None:
    app = create_app(Settings(**BASE))
    routes = [r for r in app.router.routes if isinstance(r, WebSocketRoute)]
    assert [(r.path, r.endpoint) for r in routes] == [(WORKER_GATEWAY_ROUTE, endpoint)]
    assert WORKER_GATEWAY_ROUTE == "/internal/v1/worker-gateway/agent"


def test_the_gateway_uses_the_platform_livekit_key_and_room_url() -> None:
    kube = Kube.__new__(Kube)  # never called here
    reviews: BoundedCache[bytes, str] = BoundedCache(10, 5.0)
    assert worker_gateway(Settings(**BASE), kube, reviews) is None
    livekit = {
        "livekit_url": "http://livekit.arkenos-system:7880",
        "livekit_api_key": "APIplatform",
        "livekit_api_secret": SecretStr("platform-secret"),
    }
    gateway = worker_gateway(Settings(**BASE, **livekit), kube, reviews)
    assert gateway is not None
    assert gateway.upstream.agent_url() == "ws://livekit.arkenos-system:7880/agent"
    assert gateway.upstream.room_websocket_url() == "ws://livekit.arkenos-system:7880"
    elsewhere = Settings(**BASE, **livekit, gateway_room_url="wss://livekit.internal")
    routed = worker_gateway(elsewhere, kube, reviews)
    assert routed is not None
    assert routed.upstream.room_url == "wss://livekit.internal"
