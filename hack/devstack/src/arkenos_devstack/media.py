"""The parts of `make dev` beside Kubernetes: LiveKit (Redis, livekit-server, livekit-sip), the
S3 store for custom agents' code, and the dashboard. Each publishes what later components need
in ``stack.env``."""

from __future__ import annotations

import os
from pathlib import Path

from minio import Minio

from arkenos_devstack.livekit import LiveKitStack
from arkenos_devstack.objectstore import ObjectStore
from arkenos_devstack.process import LOOPBACK, ManagedProcess, free_port, http_ok
from arkenos_devstack.stack import Stack, without_settings

REPO = Path(__file__).resolve().parents[4]
FRONTEND = REPO / "frontend"
NEXT = FRONTEND / "node_modules" / ".bin" / "next"
BUCKET = "arkenos"


class LiveKitComponent:
    """Redis, livekit-server and livekit-sip on 127.0.0.1; webhooks go to the API."""

    name = "livekit"

    def __init__(self, api_port: int) -> None:
        self.api_port = api_port
        self.livekit: LiveKitStack | None = None

    def start(self, stack: Stack) -> None:
        webhook = f"http://{LOOPBACK}:{self.api_port}/webhooks/livekit"
        self.livekit = LiveKitStack(stack.base_dir / "livekit", webhook_urls=[webhook]).start()
        stack.env.update(
            ARKENOS_LIVEKIT_URL=self.livekit.url,
            ARKENOS_LIVEKIT_API_KEY=self.livekit.keys.api_key,
            ARKENOS_LIVEKIT_API_SECRET=self.livekit.keys.api_secret,
        )

    def stop(self) -> None:
        if self.livekit is not None:
            self.livekit.stop()

    def describe(self) -> list[str]:
        livekit = self.livekit
        assert livekit is not None
        return [
            f"{livekit.url} (API key {livekit.keys.api_key}; logs {livekit.workdir})",
            f"SIP on udp {LOOPBACK}:{livekit.sip_port}, RTP ports {livekit.sip_rtp_ports}",
        ]


class ObjectStoreComponent:
    """versitygw with one bucket for custom agents' code blobs, bundles and artifacts."""

    name = "object storage"

    def __init__(self) -> None:
        self.store: ObjectStore | None = None

    def start(self, stack: Stack) -> None:
        self.store = ObjectStore(stack.base_dir / "s3")
        address = self.store.start()
        client = Minio(address.endpoint, address.access_key, address.secret_key, secure=False)
        if not client.bucket_exists(BUCKET):
            client.make_bucket(BUCKET)
        stack.env.update(
            ARKENOS_S3_ENDPOINT=address.endpoint,
            ARKENOS_S3_BUCKET=BUCKET,
            ARKENOS_S3_ACCESS_KEY=address.access_key,
            ARKENOS_S3_SECRET_KEY=address.secret_key,
            ARKENOS_S3_SECURE="false",
        )

    def stop(self) -> None:
        if self.store is not None:
            self.store.stop()

    def describe(self) -> list[str]:
        assert self.store is not None
        return [f"S3 on http://{self.store.address.endpoint}, bucket {BUCKET}"]


class DashboardComponent:
    """The dashboard's production build (`make frontend`), served by `next start`."""

    name = "dashboard"

    def __init__(self) -> None:
        self.port = free_port()
        self.process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @staticmethod
    def built() -> bool:
        """Whether `make frontend` has made the production build `next start` serves."""
        return (FRONTEND / ".next" / "BUILD_ID").is_file() and NEXT.is_file()

    def start(self, stack: Stack) -> None:
        if not self.built():
            raise RuntimeError("the dashboard is not built: run `make frontend` (make dev does)")
        next_bin = NEXT
        env = {
            **without_settings(os.environ),
            "ARKENOS_API_URL": stack.env["ARKENOS_API_URL"],
            "NODE_ENV": "production",
        }
        argv = [str(next_bin), "start", "-H", LOOPBACK, "-p", str(self.port)]
        log_file = stack.base_dir / "logs" / "dashboard.log"
        self.process = ManagedProcess(
            "dashboard", argv, log_file=log_file, env=env, cwd=FRONTEND
        ).start()
        self.process.wait_ready(http_ok(f"{self.url}/login"), within=60, what="GET /login")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def describe(self) -> list[str]:
        return [f"{self.url}  (sign up there: the first account becomes the platform admin)"]
