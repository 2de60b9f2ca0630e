"""The receiver double of outgoing webhooks (a real aiohttp server over TLS on 127.0.0.1 that
checks every signature with the standardwebhooks library's own verification, counts deliveries
per webhook-id and injects faults), and an agent with a webhook and its signing Secret."""

from __future__ import annotations

import asyncio
import base64
import os
import ssl
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from aiohttp import web
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from arkenos_crds.runtime import SECRET_OPT_IN, WEBHOOK_SECRET_LABEL
from tests.api.helpers import Cluster

STANDARD: dict[str, Any] = {
    "stt": {"provider": "Deepgram", "model": "nova-3"},
    "llm": {"provider": "OpenAI", "model": "gpt-4o-mini"},
    "tts": {"provider": "Cartesia", "model": "sonic-2", "voice": "a0e99841"},
}


@dataclass
class Receiver:
    secret: str
    #: Faults to answer with, in order, before answering 204: an HTTP status, or "slow".
    faults: list[int | str] = field(default_factory=list)
    delay: float = 0.0  # seconds before every answer
    deliveries: Counter[str] = field(default_factory=Counter)
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    bad_signatures: int = 0
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            payload = Webhook(self.secret).verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.bad_signatures += 1
            return web.Response(status=401)
        if self.faults:
            fault = self.faults.pop(0)
            if fault == "slow":
                await asyncio.sleep(5)
            return web.Response(status=int(fault) if fault != "slow" else 204)
        if self.delay:
            await asyncio.sleep(self.delay)
        message_id = request.headers["webhook-id"]
        self.deliveries[message_id] += 1
        self.bodies[message_id] = payload
        return web.Response(status=204)


@dataclass(frozen=True)
class Tls:
    ca_file: Path
    server: ssl.SSLContext


def tls(directory: Path) -> Tls:
    authority = trustme.CA()
    ca_file = directory / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server)
    return Tls(ca_file=ca_file, server=server)


async def serve(receiver: Receiver, context: ssl.SSLContext) -> web.AppRunner:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    receiver.url = f"https://127.0.0.1:{port}/hook"
    return runner


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


async def agent_with_webhook(
    cluster: Cluster,
    namespace: str,
    name: str,
    url: str,
    secret: str,
    events: list[str],
    *,
    marked: bool = True,
) -> None:
    """An agent whose webhook signs with a Secret of its own; ``marked=False`` leaves out the
    label that lets Arkenos read that Secret."""
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": f"{name}-hook",
            "namespace": namespace,
            "labels": {WEBHOOK_SECRET_LABEL: SECRET_OPT_IN} if marked else {},
        },
        "data": {"signingSecret": base64.b64encode(secret.encode()).decode()},
    }
    created = await cluster.request("POST", f"/api/v1/namespaces/{namespace}/secrets", json=body)
    assert created.status_code == 201, created.text
    spec = {
        **STANDARD,
        "maxCallDurationSeconds": 60,
        "webhooks": [
            {"name": "crm", "url": url, "events": events, "secretRef": {"name": f"{name}-hook"}}
        ],
    }
    applied = await cluster.apply_agent(namespace, name, spec)
    assert applied.status_code == 201, applied.text
