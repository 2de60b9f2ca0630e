"""The session's real LiveKit (``arkenos_devstack.livekit``): Redis, livekit-server and
livekit-sip on loopback, built from their pinned Go modules on first use, with a webhook
receiver that accepts only what livekit-server signed with the stack's key.

The binaries come from ``make tools`` (a cold build does not fit in a test's timeout).
The API has no LiveKit webhook route yet; until it has, the receiver here is where the
server's webhooks go, and tests assert on what it verified.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from livekit import api
from livekit.protocol.webhook import WebhookEvent

from arkenos_devstack.livekit import LiveKitStack
from arkenos_devstack.tools import is_built
from tests.doubles.server import serve_aiohttp
from tests.substrate.waiting import wait_until

WEBHOOK_PATH = "/livekit/webhooks"


@dataclass
class WebhookLog:
    """Webhooks that passed the signature check, and how many did not."""

    receiver: api.WebhookReceiver | None = None
    events: list[WebhookEvent] = field(default_factory=list)
    rejected: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self._receive)
        return app

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.text()
        try:
            if self.receiver is None:
                raise RuntimeError("no key to verify with yet")
            event = self.receiver.receive(body, request.headers.get("Authorization", ""))
        except Exception as error:  # noqa: BLE001 - livekit-api raises bare Exceptions
            with self._lock:
                self.rejected += 1
            return web.Response(status=401, text=f"rejected: {error}")
        with self._lock:
            self.events.append(event)
        return web.Response(text="ok")

    def for_room(self, room: str) -> list[WebhookEvent]:
        with self._lock:
            return [e for e in self.events if e.room.name == room]

    def wait_for(self, room: str, event: str, within: float = 20.0) -> WebhookEvent:
        def found() -> WebhookEvent | None:
            return next((e for e in self.for_room(room) if e.event == event), None)

        return wait_until(found, within=within, interval=0.05, what=f"webhook {event} ({room})")


@pytest.fixture(scope="session")
def livekit_webhooks() -> Iterator[tuple[WebhookLog, str]]:
    """The receiver and the URL livekit-server posts its webhooks to."""
    log = WebhookLog()
    with serve_aiohttp(log.app()) as served:
        yield log, served.url + WEBHOOK_PATH


def _require_built(name: str) -> None:
    if shutil.which("go") is None:
        pytest.skip(f"Go is not installed: {name} is built from its Go module")
    if not is_built(name):
        # A cold build takes minutes (about 19 on a busy 2-core machine): not inside a test.
        pytest.fail(f"{name} is not built: run `make tools` first", pytrace=False)


@pytest.fixture(scope="session")
def livekit_stack(
    tmp_path_factory: pytest.TempPathFactory, livekit_webhooks: tuple[WebhookLog, str]
) -> Iterator[LiveKitStack]:
    """Redis and livekit-server for the whole session, on free loopback ports."""
    _require_built("livekit-server")
    log, url = livekit_webhooks
    stack = LiveKitStack(tmp_path_factory.mktemp("livekit"), webhook_urls=[url], with_sip=False)
    log.receiver = api.WebhookReceiver(api.TokenVerifier(stack.keys.api_key, stack.keys.api_secret))
    with stack:
        yield stack


@pytest.fixture(scope="session")
def livekit_sip(livekit_stack: LiveKitStack) -> LiveKitStack:
    """The same stack with livekit-sip started (stopped with the stack)."""
    _require_built("livekit-sip")
    if not any(process.name == "livekit-sip" for process in livekit_stack.processes):
        livekit_stack.start_sip()
    return livekit_stack
