"""Tests for the shared way of serving test doubles: ASGI and aiohttp, from sync and async tests."""

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx
import pytest
from aiohttp import web

from tests.doubles.server import serve, serve_aiohttp, serve_asgi

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class EchoPathASGI:
    """A bare ASGI app that answers every request with its path and counts lifespan events."""

    def __init__(self) -> None:
        self.lifespan_events: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        body = json.dumps({"path": scope["path"], "method": scope["method"]}).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            self.lifespan_events.append(message["type"])
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


async def failing_startup_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no database"})


def make_aiohttp_app() -> web.Application:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"hello": request.match_info["name"]})

    app = web.Application()
    app.router.add_get("/hello/{name}", hello)
    return app


def test_asgi_app_is_served_with_lifespan_and_stops_on_exit() -> None:
    app = EchoPathASGI()
    with serve_asgi(app) as served:
        response = httpx.post(f"{served.url}/twirp/livekit.RoomService/CreateRoom")
        assert app.lifespan_events == ["lifespan.startup"]
    assert response.json() == {"path": "/twirp/livekit.RoomService/CreateRoom", "method": "POST"}
    assert app.lifespan_events == ["lifespan.startup", "lifespan.shutdown"]
    with pytest.raises(httpx.ConnectError):
        httpx.get(served.url)


def test_asgi_startup_failure_fails_the_block() -> None:
    with pytest.raises(RuntimeError, match="failed to start"), serve_asgi(failing_startup_asgi):
        pytest.fail("The block must not run when the app cannot start.")


def test_aiohttp_app_is_served_and_stops_on_exit() -> None:
    with serve(make_aiohttp_app()) as served:
        response = httpx.get(f"{served.url}/hello/world")
        missing = httpx.get(f"{served.url}/nowhere")
    assert response.json() == {"hello": "world"}
    assert missing.status_code == 404
    with pytest.raises(httpx.ConnectError):
        httpx.get(served.url)


def test_low_level_aiohttp_handler_is_served() -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(text=f"{request.method} {request.path_qs}")

    with serve_aiohttp(handler) as served:
        response = httpx.delete(f"{served.url}/any/path?x=1")
    assert response.text == "DELETE /any/path?x=1"


async def test_servers_work_from_async_tests_and_run_side_by_side() -> None:
    with serve(EchoPathASGI()) as asgi, serve(make_aiohttp_app()) as aio:
        assert asgi.port != aio.port
        async with httpx.AsyncClient() as client:
            echoed = await client.get(f"{asgi.url}/v1/chat/completions")
            hello = await client.get(f"{aio.url}/hello/async")
    assert echoed.json()["path"] == "/v1/chat/completions"
    assert hello.json() == {"hello": "async"}


def test_served_loop_runs_code_next_to_the_app() -> None:
    app = make_aiohttp_app()
    with serve(app) as served:
        assert served.loop.call(lambda: app.frozen) is True
