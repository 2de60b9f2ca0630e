"""Serve the real API for the dashboard's browser tests, until told to stop.

Starts the test substrate's PostgreSQL (a fresh, migrated database), the emulated Kubernetes API
with the project's CRDs, the provider double (which accepts the keys in ``VALID_KEYS``), the
Twilio double (the platform's account, selling ``TWILIO_INVENTORY``, and a workspace's own
account whose key the keys page tests), then the API app itself
with uvicorn on 127.0.0.1. With ``--livekit`` it also runs browser calls
(tests.dashboard.calls): livekit-server, the model double and the standard worker. The emulated
cluster answers TokenReviews, so a test can report calls through the workers' internal endpoints
with the shared pool's token. When everything is up it prints one JSON line with the URLs
(``api``, ``kubernetes``), the accepted keys, the pool's ``workloadToken`` and (with
``--livekit``) what a browser call needs, and serves until SIGTERM, SIGINT or end of standard
input; then it stops everything it started.

Usage: ``python -m tests.dashboard.serve_api --public-url http://127.0.0.1:3000 [--livekit]``
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from minio import Minio
from pydantic import SecretStr

from arkenos_api.app import create_app
from arkenos_api.core.db import upgrade
from arkenos_api.settings import Settings
from arkenos_crds.runtime import POOL_SERVICE_ACCOUNT, WORKLOAD_TOKEN_AUDIENCE
from arkenos_devstack.objectstore import ObjectStore
from tests.api.token_reviews import TokenAuthority
from tests.dashboard.calls import CallServers, call_servers, standard_worker
from tests.doubles.openai import ChatRule, OpenAIDouble, ToolCallReply
from tests.doubles.providers import ProviderState, build_app
from tests.doubles.server import serve, serve_aiohttp, serve_asgi
from tests.doubles.twilio import TwilioDouble
from tests.substrate.k8s_resources import load_crd_manifests
from tests.substrate.kubernetes import run_emulator, write_kubeconfig
from tests.substrate.postgres import PostgresServer, find_postgres_bin_dir

#: Keys the provider double accepts; the browser tests type them to see a key test succeed.
VALID_KEYS = {"openai": "sk-e2e-valid-openai-key-0001", "cartesia": "e2e-valid-cartesia-key-0002"}
#: The platform's Twilio account on the Twilio double, and the numbers its inventory sells.
TWILIO_ACCOUNT = ("AC" + "e2e0" * 8, "e2e-twilio-auth-token")
TWILIO_INVENTORY = ["+14155550101", "+14155550102", "+14155550103"]
#: The coding assistant's answers: the editor test asks it to make the agent greet in French.
ASSISTANT_RULES = [
    ChatRule(
        match="greet in french",
        tool_call=ToolCallReply(
            "propose_edit",
            {
                "path": "greeting.py",
                "content": 'GREETING = "Bonjour !"\n',
                "summary": "Add a French greeting",
            },
        ),
        after_tool="I proposed greeting.py with a French greeting.",
    )
]
CODE_BUCKET = "arkenos-code"


@contextlib.contextmanager
def object_store(base: Path) -> Iterator[dict[str, object]]:
    """The S3 settings of a fresh object store with the code bucket."""
    store = ObjectStore(base)
    address = store.start()
    try:
        client = Minio(address.endpoint, address.access_key, address.secret_key, secure=False)
        client.make_bucket(CODE_BUCKET)
        yield {
            "s3_endpoint": address.endpoint,
            "s3_bucket": CODE_BUCKET,
            "s3_access_key": SecretStr(address.access_key),
            "s3_secret_key": SecretStr(address.secret_key),
            "s3_secure": False,
        }
    finally:
        store.stop()


#: A workspace's own Twilio account on the double: the provider keys page tests its key.
WORKSPACE_TWILIO = ("AC" + "e2e1" * 8, "e2e-workspace-twilio-token")


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A migrated database on a PostgreSQL server of its own, for this run only."""
    server = PostgresServer(find_postgres_bin_dir())
    try:
        server.start()
        url = server.create_database(prefix="dashboard").url()
        upgrade(url)
        yield url
    finally:
        server.stop()


def api_settings(
    database_url: str,
    kubeconfig: Path,
    providers_url: str,
    twilio_url: str,
    public_url: str,
    calls: CallServers | None = None,
) -> Settings:
    """Production settings (Secure cookies, a real master key) pointed at the doubles (and at
    livekit-server when there is one)."""
    return Settings(
        database_url=database_url,  # type: ignore[arg-type]
        kubeconfig=kubeconfig,
        master_keys="e2e:" + base64.b64encode(os.urandom(32)).decode(),  # type: ignore[arg-type]
        public_url=public_url,
        openai_base_url=f"{providers_url}/openai/v1",
        cartesia_base_url=f"{providers_url}/cartesia",
        deepgram_base_url=f"{providers_url}/deepgram/v1",
        google_base_url=f"{providers_url}/google/v1beta",
        twilio_base_url=f"{twilio_url}/2010-04-01",
        twilio_account_sid=TWILIO_ACCOUNT[0],
        twilio_auth_token=TWILIO_ACCOUNT[1],  # type: ignore[arg-type]
        database_pool_size=5,
        **(calls.settings() if calls else {}),
    )


def wait_for_stop() -> None:
    """Block until SIGTERM, SIGINT or the end of standard input."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def watch_stdin() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=watch_stdin, daemon=True, name="stdin-watch").start()
    stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--public-url", required=True, help="the dashboard's URL (for invitation links)"
    )
    parser.add_argument(
        "--livekit",
        action="store_true",
        help="also run livekit-server, the model double and the standard worker (browser calls)",
    )
    parser.add_argument(
        "--log-dir",
        type=Path,
        help="where livekit-server's and the worker's logs go (default: a temporary directory)",
    )
    args = parser.parse_args(argv)

    state = ProviderState()
    for provider, key in VALID_KEYS.items():
        state.accept(provider, key)
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="arkenos-e2e-")))
        database_url = stack.enter_context(postgres_database())
        k8s = stack.enter_context(run_emulator(load_crd_manifests()))
        authority = TokenAuthority()
        authority.install(k8s)
        kubeconfig = write_kubeconfig(workdir / "kubeconfig", k8s.url)
        providers = stack.enter_context(serve_asgi(build_app(state)))
        twilio = TwilioDouble()
        twilio.state.add_account(*TWILIO_ACCOUNT)
        twilio.state.add_account(*WORKSPACE_TWILIO)
        twilio.state.seed_available("US", "Local", TWILIO_INVENTORY)
        twilio_server = stack.enter_context(serve(twilio.app()))
        logs = args.log_dir or workdir
        logs.mkdir(parents=True, exist_ok=True)
        calls = stack.enter_context(call_servers(logs)) if args.livekit else None
        s3 = stack.enter_context(object_store(workdir / "s3"))
        assistant = OpenAIDouble(api_key=VALID_KEYS["openai"], rules=list(ASSISTANT_RULES))
        assistant_server = stack.enter_context(serve_aiohttp(assistant.app()))
        settings = api_settings(
            database_url, kubeconfig, providers.url, twilio_server.url, args.public_url, calls
        ).model_copy(update={**s3, "assistant_base_url": f"{assistant_server.url}/v1"})
        api = stack.enter_context(serve_asgi(create_app(settings)))
        pool_token = authority.issue(
            settings.platform_namespace, POOL_SERVICE_ACCOUNT, (WORKLOAD_TOKEN_AUDIENCE,)
        )
        ready: dict[str, object] = {
            "api": api.url,
            "kubernetes": k8s.url,
            "validKeys": VALID_KEYS | {"twilio": ":".join(WORKSPACE_TWILIO)},
            "workloadToken": pool_token,
        }
        if calls is not None:
            stack.enter_context(standard_worker(calls, api.url, pool_token, logs))
            ready["calls"] = calls.described()
        print(json.dumps(ready), flush=True)  # the runner reads this line
        wait_for_stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
