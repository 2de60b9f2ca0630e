"""The components of `make dev`: the control plane, PostgreSQL, LiveKit, object storage, the
API, the operator, one standard worker and the dashboard, each run the way the tests run them, on
127.0.0.1. The operator, the API and the worker authenticate as their own ServiceAccounts with
the RBAC the project ships, never as the admin."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from arkenos_devstack.controlplane import MANIFESTS, Binaries, ControlPlane
from arkenos_devstack.media import DashboardComponent, LiveKitComponent, ObjectStoreComponent
from arkenos_devstack.postgres import Postgres
from arkenos_devstack.process import LOOPBACK, ManagedProcess, free_port, http_ok
from arkenos_devstack.stack import Component, PythonServer, Stack, without_settings

REPO = Path(__file__).resolve().parents[4]
PLATFORM_NAMESPACE = "arkenos-system"
# Images the operator writes into pods; kwok's fake kubelets never pull them.
PLACEHOLDER_IMAGE = "ghcr.io/arkenos/{name}@sha256:" + "0" * 64
#: The shared pool's ServiceAccount, whose token the API maps to the standard worker.
POOL_SERVICE_ACCOUNT = "arkenos-worker"
#: The audience the API asks TokenReview for (the resource model's WORKLOAD_TOKEN_AUDIENCE).
WORKLOAD_AUDIENCE = "arkenos-api"
WORKER_STARTUP_S = 180.0


class ControlPlaneComponent:
    name = "kubernetes"

    def __init__(self) -> None:
        self.plane: ControlPlane | None = None

    def start(self, stack: Stack) -> None:
        self.plane = ControlPlane(stack.base_dir / "controlplane", Binaries.build())
        try:
            self.plane.start()
        except BaseException:
            self.plane.stop()
            raise
        self.plane.kubectl("apply", "--server-side", "-f", str(REPO / "crds"))
        self.plane.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
        self.plane.kubectl("create", "namespace", PLATFORM_NAMESPACE)
        stack.env["KUBECONFIG"] = str(self.plane.admin_kubeconfig)

    def stop(self) -> None:
        if self.plane is not None:
            self.plane.stop()

    def describe(self) -> list[str]:
        assert self.plane is not None
        return [
            f"API server {self.plane.server_url} ({len(self.plane.node_names)} kwok nodes)",
            f"export KUBECONFIG={self.plane.admin_kubeconfig}  # admin",
        ]


class PostgresComponent:
    name = "postgresql"

    def __init__(self) -> None:
        self.server: Postgres | None = None

    def start(self, stack: Stack) -> None:
        self.server = Postgres(stack.base_dir / "postgres")
        self.server.start()
        stack.env["ARKENOS_DATABASE_URL"] = self.server.url

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()

    def describe(self) -> list[str]:
        assert self.server is not None
        return [f"127.0.0.1:{self.server.port}, database arkenos (logs {self.server.base_dir})"]


def _control_plane(stack: Stack) -> ControlPlane:
    for component in stack.started:
        if isinstance(component, ControlPlaneComponent) and component.plane is not None:
            return component.plane
    raise RuntimeError("the control plane must start before the API and the operator")


class ApiComponent:
    name = "api"

    def __init__(self) -> None:
        self.port = free_port()
        self.server = PythonServer(
            "arkenos-api",
            ["arkenos-api", "serve", "--host", LOOPBACK, "--port", str(self.port)],
            ready_path="/readyz",
            port=self.port,
        )

    def start(self, stack: Stack) -> None:
        plane = _control_plane(stack)
        plane.kubectl("apply", "--server-side", "-f", str(MANIFESTS / "api-rbac.yaml"))
        env = {
            "ARKENOS_KUBECONFIG": str(
                plane.service_account_kubeconfig(PLATFORM_NAMESPACE, "arkenos-api")
            ),
            "ARKENOS_PLATFORM_NAMESPACE": PLATFORM_NAMESPACE,
            "ARKENOS_ENVIRONMENT": "development",
            "ARKENOS_MASTER_KEYS": "dev:" + base64.b64encode(os.urandom(32)).decode(),
            "ARKENOS_PUBLIC_URL": f"http://{LOOPBACK}:{self.port}",
        }
        migrate = subprocess.run(
            [Path(sys.executable).with_name("arkenos-api"), "migrate"],
            env={**os.environ, **stack.env, **env},
            capture_output=True,
            text=True,
            check=False,
        )
        if migrate.returncode != 0:
            raise RuntimeError(f"arkenos-api migrate failed:\n{migrate.stdout}{migrate.stderr}")
        self.server.run(stack, env)
        stack.env["ARKENOS_API_URL"] = f"http://{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        self.server.stop()

    def describe(self) -> list[str]:
        url = f"http://{LOOPBACK}:{self.port}"
        log = self.server.process.log_file if self.server.process else "-"
        signup = {"email": "you@example.com", "password": "a long passphrase", "workspace": "acme"}
        return [
            f"{url}  (OpenAPI {url}/docs; logs {log})",
            f"sign up: curl -X POST {url}/api/v1/auth/signup"
            f" -H 'content-type: application/json' -d '{json.dumps(signup)}'",
        ]


class OperatorComponent:
    name = "operator"

    def __init__(self) -> None:
        self.port = free_port()
        self.server = PythonServer(
            "arkenos-operator", ["arkenos-operator"], ready_path="/readyz", port=self.port
        )

    def start(self, stack: Stack) -> None:
        plane = _control_plane(stack)
        deploy = REPO / "operator" / "deploy"
        plane.kubectl("apply", "--server-side", "-f", str(deploy / "rbac.yaml"))
        # peering.yaml defines CRDs and an object of one: the object waits for the CRDs.
        if plane.kubectl(
            "apply", "--server-side", "-f", str(deploy / "peering.yaml"), check=False
        ).returncode:
            plane.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
            plane.kubectl("apply", "--server-side", "-f", str(deploy / "peering.yaml"))
        kubeconfig = plane.service_account_kubeconfig(PLATFORM_NAMESPACE, "arkenos-operator")
        pool = {
            "apiVersion": "arkenos.io/v1alpha1",
            "kind": "WorkerPool",
            "metadata": {"name": "standard", "namespace": PLATFORM_NAMESPACE},
            "spec": {"replicas": {"min": 1, "max": 3}},
        }
        plane.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(pool))
        env = {
            "KUBECONFIG": str(kubeconfig),
            "ARKENOS_OPERATOR_NAMESPACE": PLATFORM_NAMESPACE,
            "ARKENOS_API_URL": stack.env.get("ARKENOS_API_URL", "http://arkenos-api:8000"),
            # A LiveKit component publishes its URL first when it runs.
            "ARKENOS_LIVEKIT_URL": stack.env.get("ARKENOS_LIVEKIT_URL", "ws://127.0.0.1:7880"),
            "ARKENOS_WORKER_IMAGE": PLACEHOLDER_IMAGE.format(name="worker"),
            "ARKENOS_AGENT_RUNTIME_IMAGE": PLACEHOLDER_IMAGE.format(name="agent-runtime"),
            "ARKENOS_STANDALONE": "true",
            "ARKENOS_METRICS_PORT": str(self.port),
            "ARKENOS_PROBE_PORT": str(free_port()),
            "ARKENOS_LOG_FORMAT": "text",
            # kwok's pods have no processes behind their IPs: ask loopback (refused: a worker
            # that cannot be read counts as full) rather than send traffic off the machine.
            "ARKENOS_WORKER_METRICS_URL": "http://127.0.0.1:1/pods/{pod_name}/metrics",
        }
        self.server.run(stack, env)

    def stop(self) -> None:
        self.server.stop()

    def describe(self) -> list[str]:
        log = self.server.process.log_file if self.server.process else "-"
        return [f"metrics http://{LOOPBACK}:{self.port}/metrics (logs {log})"]


class WorkerComponent:
    """One standard worker (the pool's entry point), as the pool's ServiceAccount."""

    name = "worker"

    def __init__(self) -> None:
        self.health_port = free_port()
        self.process: ManagedProcess | None = None

    def start(self, stack: Stack) -> None:
        plane = _control_plane(stack)
        account = {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": POOL_SERVICE_ACCOUNT, "namespace": PLATFORM_NAMESPACE},
        }
        plane.kubectl("apply", "--server-side", "-f", "-", input=json.dumps(account))
        token_file = stack.base_dir / "worker-token"
        token = plane.service_account_token(
            PLATFORM_NAMESPACE, POOL_SERVICE_ACCOUNT, audiences=(WORKLOAD_AUDIENCE,)
        )
        token_file.write_text(token)
        token_file.chmod(0o600)
        env = {
            **without_settings(os.environ),
            "ARKENOS_API_URL": stack.env["ARKENOS_API_URL"],
            "ARKENOS_TOKEN_FILE": str(token_file),
            "LIVEKIT_URL": stack.env["ARKENOS_LIVEKIT_URL"],
            "LIVEKIT_API_KEY": stack.env["ARKENOS_LIVEKIT_API_KEY"],
            "LIVEKIT_API_SECRET": stack.env["ARKENOS_LIVEKIT_API_SECRET"],
            "ARKENOS_HEALTH_PORT": str(self.health_port),
            "ARKENOS_METRICS_PORT": str(free_port()),
            "ARKENOS_IDLE_PROCESSES": "1",
        }
        argv = [sys.executable, "-m", "arkenos_agent_runtime.standard"]
        log_file = stack.base_dir / "logs" / "arkenos-worker.log"
        self.process = ManagedProcess("arkenos-worker", argv, log_file=log_file, env=env).start()
        ready = f"http://{LOOPBACK}:{self.health_port}/ready"
        self.process.wait_ready(http_ok(ready), within=WORKER_STARTUP_S, what="registered")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def describe(self) -> list[str]:
        log = self.process.log_file if self.process else "-"
        return [f"standard worker, health http://{LOOPBACK}:{self.health_port}/ (logs {log})"]


def default_components() -> list[Component]:
    """The platform in start order: what a component reads from ``stack.env`` was published
    by one before it (LiveKit and S3 before the API, the API before the worker)."""
    api = ApiComponent()
    return [
        ControlPlaneComponent(),
        PostgresComponent(),
        LiveKitComponent(api_port=api.port),
        ObjectStoreComponent(),
        api,
        OperatorComponent(),
        WorkerComponent(),
        DashboardComponent(),
    ]
