"""The one way tests serve an HTTP app on 127.0.0.1: ASGI apps via uvicorn, aiohttp apps natively.

Each server runs in its own background event loop (see ``tests.substrate.loop``), so the same
context manager works in sync tests, in async tests, and for clients in other threads such as
kopf's. The port is chosen by binding port 0, so there is no race with other servers.
"""

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import uvicorn
from aiohttp import web

from arkenos_devstack.process import LOOPBACK
from tests.substrate.loop import BackgroundLoop

ASGIApp = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[MutableMapping[str, Any]]],
        Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ],
    Awaitable[None],
]
AiohttpHandler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]

STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 10.0
SHUTDOWN_GRACE_S = 1.0


@dataclass(frozen=True)
class ServedApp:
    """A running server: where to reach it, and the loop it runs in (to inspect its state)."""

    host: str
    port: int
    loop: BackgroundLoop

    @property
    def url(self) -> str:
        """The base URL without a trailing slash, e.g. ``http://127.0.0.1:41234``."""
        return f"http://{self.host}:{self.port}"


def serve(app: web.Application | ASGIApp) -> contextlib.AbstractContextManager[ServedApp]:
    """Serve an aiohttp ``web.Application`` or an ASGI app; see ``serve_aiohttp``/``serve_asgi``."""
    if isinstance(app, web.Application):
        return serve_aiohttp(app)
    return serve_asgi(app)


@contextlib.contextmanager
def serve_aiohttp(app: web.Application | AiohttpHandler) -> Iterator[ServedApp]:
    """Serve an aiohttp application (or a low-level request handler) until the block exits.

    The application's startup, shutdown and cleanup signals run in the server's loop.
    """
    with BackgroundLoop(name="aiohttp-server") as loop:
        runner, port = loop.run(_start_aiohttp(app), timeout=STARTUP_TIMEOUT)
        try:
            yield ServedApp(host=LOOPBACK, port=port, loop=loop)
        finally:
            loop.run(runner.cleanup(), timeout=SHUTDOWN_TIMEOUT)


@contextlib.contextmanager
def serve_asgi(app: ASGIApp) -> Iterator[ServedApp]:
    """Serve an ASGI app (FastAPI, Starlette, a bare callable) with uvicorn until the block exits.

    The app's lifespan runs when the app supports it; a failing startup fails the block.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((LOOPBACK, 0))
    port: int = listener.getsockname()[1]
    # log_config=None: uvicorn must not reconfigure the test process's logging.
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    with listener, BackgroundLoop(name="asgi-server") as loop:
        serving = loop.run(_start_uvicorn(server, listener), timeout=STARTUP_TIMEOUT)
        try:
            yield ServedApp(host=LOOPBACK, port=port, loop=loop)
        finally:
            loop.run(_stop_uvicorn(server, serving), timeout=SHUTDOWN_TIMEOUT)


def _aiohttp_runner(app: web.Application | AiohttpHandler) -> web.BaseRunner:
    # Like a production server: a client that hangs up cancels its handler (long polls, watches),
    # and shutdown does not wait a minute for handlers that never finish.
    server_options: dict[str, Any] = {"access_log": None, "handler_cancellation": True}
    if isinstance(app, web.Application):
        return web.AppRunner(app, shutdown_timeout=SHUTDOWN_GRACE_S, **server_options)
    server = web.Server(app, **server_options)
    return web.ServerRunner(server, shutdown_timeout=SHUTDOWN_GRACE_S)


async def _start_aiohttp(app: web.Application | AiohttpHandler) -> tuple[web.BaseRunner, int]:
    # Built inside the loop: aiohttp's low-level server binds to the running loop.
    runner = _aiohttp_runner(app)
    await runner.setup()
    site = web.TCPSite(runner, LOOPBACK, 0)
    await site.start()
    _, port = runner.addresses[0][:2]
    return runner, int(port)


async def _start_uvicorn(server: uvicorn.Server, listener: socket.socket) -> asyncio.Task[None]:
    serving = asyncio.create_task(_serve_uvicorn(server, listener))
    while not server.started:
        if serving.done():
            serving.result()
            raise RuntimeError("The ASGI server stopped before it started.")
        await asyncio.sleep(0.005)
    return serving


async def _stop_uvicorn(server: uvicorn.Server, serving: asyncio.Task[None]) -> None:
    server.should_exit = True
    await serving


async def _serve_uvicorn(server: uvicorn.Server, listener: socket.socket) -> None:
    try:
        await server.serve(sockets=[listener])
    except SystemExit as exc:
        # uvicorn exits the process when the app's startup fails; here that fails the test instead.
        raise RuntimeError("The ASGI app failed to start; see the log above.") from exc
