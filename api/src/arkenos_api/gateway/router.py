"""The worker gateway's WebSocket route. A plain Starlette route: the app's HTTP dependencies
(body checks) do not apply to a WebSocket, and the worker authenticates in the handshake."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.websockets import WebSocket

from arkenos_api.core.livekit import livekit_unavailable
from arkenos_api.gateway.proxy import WorkerGateway, deny
from arkenos_crds.gateway import WORKER_GATEWAY_PATH

#: livekit-agents connects to ``<LIVEKIT_URL>/agent``.
WORKER_GATEWAY_ROUTE = WORKER_GATEWAY_PATH + "/agent"


async def worker_gateway(websocket: WebSocket) -> None:
    gateway: WorkerGateway | None = websocket.app.state.gateway
    if gateway is None:
        await deny(websocket, livekit_unavailable())
        return
    await gateway.serve(websocket)


def install_worker_gateway(app: FastAPI) -> None:
    app.router.add_websocket_route(WORKER_GATEWAY_ROUTE, worker_gateway)
