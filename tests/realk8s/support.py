"""Helpers of the real-control-plane tests: reading objects, waiting on them, and the operator
run as its console entry point with the RBAC it ships (a ServiceAccount token, never admin)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from arkenos_devstack.controlplane import ControlPlane
from arkenos_devstack.process import LOOPBACK, ManagedProcess, free_port, http_ok
from tests.doubles.arkenos_api import OPERATOR, ArkenosAPIDouble
from tests.doubles.server import serve
from tests.substrate.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
OPERATOR_DEPLOY = REPO / "operator" / "deploy"
OPERATOR_NAMESPACE = "arkenos-system"
OPERATOR_SERVICE_ACCOUNT = "arkenos-operator"
Body = dict[str, Any]

# The operator's settings for these tests (see operator/README.md): standalone, fast retries,
# and the platform images it writes into pods (kwok never pulls them).
OPERATOR_ENV = {
    "ARKENOS_OPERATOR_NAMESPACE": OPERATOR_NAMESPACE,
    "ARKENOS_API_URL": "http://arkenos-api.arkenos-system:8000",
    "ARKENOS_LIVEKIT_URL": "wss://livekit.example.com",
    "ARKENOS_WORKER_IMAGE": "ghcr.io/arkenos/worker@sha256:" + "a" * 64,
    "ARKENOS_AGENT_RUNTIME_IMAGE": "ghcr.io/arkenos/agent-runtime@sha256:" + "b" * 64,
    "ARKENOS_STANDALONE": "true",
    "ARKENOS_BACKOFF_BASE_SECONDS": "0.2",
    "ARKENOS_BACKOFF_MAX_SECONDS": "2",
    "ARKENOS_POOL_SCALE_INTERVAL_SECONDS": "1",
    "ARKENOS_WORKER_METRICS_TIMEOUT_SECONDS": "0.5",
    "ARKENOS_LOG_FORMAT": "text",
    # kwok's pod IPs lead nowhere, and tests keep their traffic on loopback: a closed port
    # there makes every worker unreadable, which the scaler counts as full.
    "ARKENOS_WORKER_METRICS_URL": "http://127.0.0.1:1/pods/{pod_name}/metrics",
}


def get(plane: ControlPlane, kind: str, namespace: str | None, name: str) -> Body | None:
    """One object as the admin reads it, or None when it does not exist."""
    scope = [f"--namespace={namespace}"] if namespace else []
    found = plane.kubectl("get", kind, name, *scope, "-o", "json", "--ignore-not-found")
    return json.loads(found.stdout) if found.stdout.strip() else None


def items(plane: ControlPlane, kind: str, namespace: str, *selector: str) -> list[Body]:
    listed = plane.kubectl("get", kind, f"--namespace={namespace}", *selector, "-o", "json")
    result: list[Body] = json.loads(listed.stdout)["items"]
    return result


def condition(obj: Body | None, type_: str) -> Body:
    for entry in ((obj or {}).get("status") or {}).get("conditions") or []:
        if entry.get("type") == type_:
            return dict(entry)
    return {}


def wait_for_condition(
    plane: ControlPlane,
    kind: str,
    namespace: str,
    name: str,
    type_: str,
    status: str,
    *,
    reason: str | None = None,
    within: float = 60.0,
) -> Body:
    """Poll until the object's condition ``type_`` has ``status`` (and ``reason``)."""
    seen: list[Body | None] = [None]

    def reached() -> Body | None:
        seen[0] = obj = get(plane, kind, namespace, name)
        found = condition(obj, type_)
        if found.get("status") == status and reason in (None, found.get("reason")):
            return obj
        return None

    try:
        return wait_until(reached, within=within, interval=0.5, what=f"{kind} {name} {type_}")
    except TimeoutError as error:
        conditions = ((seen[0] or {}).get("status") or {}).get("conditions")
        raise TimeoutError(f"{error} Conditions seen: {conditions}") from None


def wait_gone(
    plane: ControlPlane, kind: str, namespace: str, name: str, within: float = 60.0
) -> None:
    wait_until(
        lambda: get(plane, kind, namespace, name) is None,
        within=within,
        interval=0.5,
        what=f"{kind} {namespace}/{name} to be deleted",
    )


def delete_pool(plane: ControlPlane, name: str) -> None:
    """Delete a WorkerPool and wait until the garbage collector took its worker Deployment."""
    plane.kubectl(
        "delete", "workerpool", name, f"--namespace={OPERATOR_NAMESPACE}", "--timeout=60s"
    )
    wait_gone(plane, "deployment", OPERATOR_NAMESPACE, "arkenos-worker")


def secret(namespace: str, name: str, data: Mapping[str, str]) -> Body:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "type": "Opaque",
        "data": {key: base64.b64encode(value.encode()).decode() for key, value in data.items()},
    }


def apply(plane: ControlPlane, *objects: Body) -> None:
    """Server-side apply of ``objects`` as the admin (the chart's or a person's part)."""
    listed = {"apiVersion": "v1", "kind": "List", "items": list(objects)}
    plane.kubectl(
        "apply", "--server-side", "--field-manager=arkenos-tests", "-f", "-",
        input=json.dumps(listed),
    )  # fmt: skip


def apply_with_crds(plane: ControlPlane, manifest: Path) -> None:
    """Apply a file that defines CRDs and objects of them: the objects are refused until the
    server has established the CRDs, so apply again once it has (as `kubectl apply` users do)."""
    first = plane.kubectl("apply", "--server-side", "-f", str(manifest), check=False)
    if first.returncode != 0:
        plane.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
        plane.kubectl("apply", "--server-side", "-f", str(manifest))


def install_operator_rbac(plane: ControlPlane) -> None:
    """What the chart installs for the operator: its namespace, the RBAC and peering CRDs
    from ``operator/deploy/``, and the platform Secrets in its namespace (the object storage one
    only as the chart installs it: the operator copies neither into a workspace)."""
    plane.kubectl("create", "namespace", OPERATOR_NAMESPACE, check=False)
    plane.kubectl("apply", "--server-side", "-f", str(OPERATOR_DEPLOY / "rbac.yaml"))
    apply_with_crds(plane, OPERATOR_DEPLOY / "peering.yaml")
    apply(
        plane,
        secret(
            OPERATOR_NAMESPACE,
            "arkenos-livekit",
            {"LIVEKIT_API_KEY": "APIkey1234", "LIVEKIT_API_SECRET": "livekit-secret-value"},
        ),
        secret(
            OPERATOR_NAMESPACE,
            "arkenos-s3",
            {
                "ARKENOS_S3_ENDPOINT": "minio.arkenos-system:9000",
                "ARKENOS_S3_BUCKET": "arkenos",
                "ARKENOS_S3_ACCESS_KEY": "minio-access",
                "ARKENOS_S3_SECRET_KEY": "minio-secret",
                "ARKENOS_S3_SECURE": "false",
            },
        ),
    )


@contextlib.contextmanager
def operator_process(
    plane: ControlPlane, log_dir: Path, env: Mapping[str, str] | None = None
) -> Iterator[ManagedProcess]:
    """``arkenos-operator`` as a child process, authenticated as its ServiceAccount, until the
    block exits; it must be ready (``/readyz``) first and still running at the end."""
    kubeconfig = plane.service_account_kubeconfig(
        OPERATOR_NAMESPACE, OPERATOR_SERVICE_ACCOUNT, path=log_dir / "operator.kubeconfig"
    )
    metrics_port = free_port()
    # Agent readiness comes from the Arkenos API: its double here, which finds every provider
    # key stored (the real API's readiness is tested against PostgreSQL in tests/api).
    operator_token = base64.urlsafe_b64encode(os.urandom(24)).decode()
    token_file = log_dir / "operator-api-token"
    token_file.write_text(operator_token + "\n")
    api = ArkenosAPIDouble(tokens={operator_token: OPERATOR})
    settings = {
        **OPERATOR_ENV,
        "ARKENOS_METRICS_PORT": str(metrics_port),
        "ARKENOS_PROBE_PORT": str(free_port()),
        "ARKENOS_API_TOKEN_FILE": str(token_file),
        **(env or {}),
    }
    process_env = {key: value for key, value in _inherited_env().items() if key != "KUBECONFIG"}
    process_env.update(settings, KUBECONFIG=str(kubeconfig))
    entry_point = Path(sys.executable).with_name("arkenos-operator")
    with serve(api.app()) as served:
        process_env["ARKENOS_API_URL"] = served.url
        operator = ManagedProcess(
            "arkenos-operator", [entry_point], log_file=log_dir / "operator.log", env=process_env
        ).start()
        yield from _supervised(operator, metrics_port)


def _supervised(operator: ManagedProcess, metrics_port: int) -> Iterator[ManagedProcess]:
    """Wait for the operator's /readyz, yield it, and check it still runs at the end."""
    try:
        operator.wait_ready(
            http_ok(f"http://{LOOPBACK}:{metrics_port}/readyz"), within=60, what="/readyz"
        )
        yield operator
        assert operator.running, f"the operator exited early; see {operator.log_file}"
    finally:
        operator.stop()


def _inherited_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("ARKENOS_")}
