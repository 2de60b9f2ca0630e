"""A real Kubernetes control plane on 127.0.0.1 with simulated nodes, for tests and `make dev`.

etcd, kube-apiserver, kube-controller-manager and kube-scheduler are the upstream binaries
(built by :mod:`arkenos_devstack.tools`); kwok plays the kubelets of a few fake nodes, so pods
are scheduled for real and reported Running and Ready without containers. Everything listens on
127.0.0.1 on free ports, in one directory that holds the certificates, kubeconfigs and each
server's log; a server that does not come up is reported with the log that says why.

Authentication is what a real cluster has: static bearer tokens for the admin and the
components (``--token-auth-file``), ServiceAccount tokens signed by the API server (so
TokenRequest and TokenReview work), RBAC and Node authorization. The controller manager runs
each controller under its own ServiceAccount, as kubeadm clusters do.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from arkenos_devstack import tools
from arkenos_devstack.kubeconfig import write_kubeconfig
from arkenos_devstack.pki import Pki, make_pki
from arkenos_devstack.process import (
    LOOPBACK,
    ManagedProcess,
    free_port,
    http_ok,
    start_retrying_port_clashes,
    tls_context,
)

MANIFESTS = Path(__file__).with_name("manifests")
KWOK_STAGES = MANIFESTS / "kwok-stages.yaml"
# Controllers the platform depends on (plus the CA publisher and Job TTLs, which real clusters
# always run); the rest (nodes, volumes, certificates...) have nothing to do without kubelets.
CONTROLLERS = (
    "garbage-collector-controller",
    "namespace-controller",
    "deployment-controller",
    "replicaset-controller",
    "job-controller",
    "ttl-after-finished-controller",
    "serviceaccount-controller",
    "serviceaccount-token-controller",
    "root-ca-certificate-publisher-controller",
)
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
SERVICE_CIDR = "10.96.0.0/16"
POD_CIDR = "10.244.0.0/16"
FAKE_NODE_ANNOTATION = ("kwok.x-k8s.io/node", "fake")
NOT_READY_TAINT = "node.kubernetes.io/not-ready"
EXIT_CODE_ANNOTATION = "devstack.arkenos.io/exit-code"
TERMINATION_MESSAGE_ANNOTATION = "devstack.arkenos.io/termination-message"
START_TIMEOUT_S = 90.0


class KubectlError(RuntimeError):
    """kubectl failed; the message carries what it printed on stderr."""


@dataclass(frozen=True)
class Binaries:
    """Where the control plane's executables are."""

    etcd: Path
    kube_apiserver: Path
    kube_controller_manager: Path
    kube_scheduler: Path
    kubectl: Path
    kwok: Path

    @classmethod
    def build(cls) -> Binaries:
        """The pinned binaries, built into the tools cache first when they are not there yet."""
        kubernetes = tools.ensure_built("kubernetes")
        return cls(
            etcd=tools.ensure_built("etcd") / "etcd",
            kube_apiserver=kubernetes / "kube-apiserver",
            kube_controller_manager=kubernetes / "kube-controller-manager",
            kube_scheduler=kubernetes / "kube-scheduler",
            kubectl=kubernetes / "kubectl",
            kwok=tools.ensure_built("kwok") / "kwok",
        )


@dataclass(frozen=True)
class _Identity:
    """One static-token user of the API server."""

    user: str
    token: str
    groups: tuple[str, ...] = ()


class ControlPlane:
    """The running servers and how to reach them; start with :func:`run_control_plane`."""

    def __init__(self, base_dir: Path, binaries: Binaries, *, nodes: int = 3) -> None:
        self.base_dir = base_dir
        self.binaries = binaries
        self.node_names = [f"kwok-node-{index}" for index in range(nodes)]
        self.api_port = free_port()
        self.server_url = f"https://{LOOPBACK}:{self.api_port}"
        self.admin = _Identity("arkenos-admin", secrets.token_urlsafe(32), ("system:masters",))
        self._components = {
            "kube-controller-manager": _Identity(
                "system:kube-controller-manager", secrets.token_urlsafe(32)
            ),
            "kube-scheduler": _Identity("system:kube-scheduler", secrets.token_urlsafe(32)),
            # kwok stands in for every kubelet (and patches pods on any node), so it is admin.
            "kwok": _Identity("kwok-controller", secrets.token_urlsafe(32), ("system:masters",)),
        }
        self.processes: list[ManagedProcess] = []
        self._pki: Pki | None = None

    # -- what clients use ------------------------------------------------------------------

    @property
    def pki(self) -> Pki:
        if self._pki is None:
            raise RuntimeError("the control plane has not been started")
        return self._pki

    @property
    def ca_file(self) -> Path:
        return self.pki.ca_cert

    @property
    def admin_token(self) -> str:
        """The admin's bearer token (group system:masters), for clients that are not kubectl."""
        return self.admin.token

    @property
    def admin_kubeconfig(self) -> Path:
        return self.base_dir / "kubeconfigs" / "admin.kubeconfig"

    def kubectl(
        self,
        *args: str,
        input: str | None = None,
        kubeconfig: Path | None = None,
        check: bool = True,
        timeout: float = 120.0,
    ) -> subprocess.CompletedProcess[str]:
        """Run kubectl as the admin (or with ``kubeconfig``); raise with its output on failure."""
        command = [
            str(self.binaries.kubectl),
            f"--kubeconfig={kubeconfig or self.admin_kubeconfig}",
            *args,
        ]
        completed = subprocess.run(
            command, input=input, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and completed.returncode != 0:
            raise KubectlError(f"kubectl {' '.join(args)} failed: {completed.stderr.strip()}")
        return completed

    def service_account_token(
        self,
        namespace: str,
        name: str,
        *,
        audiences: Sequence[str] = (),
        duration: str = "24h",
    ) -> str:
        """A token for ServiceAccount ``namespace/name`` from the TokenRequest API."""
        audience_flags = [f"--audience={audience}" for audience in audiences]
        result = self.kubectl(
            "create", "token", name, f"--namespace={namespace}", f"--duration={duration}",
            *audience_flags,
        )  # fmt: skip
        return result.stdout.strip()

    def service_account_kubeconfig(
        self, namespace: str, name: str, *, path: Path | None = None, duration: str = "24h"
    ) -> Path:
        """A kubeconfig that authenticates as ServiceAccount ``namespace/name`` (never admin)."""
        token = self.service_account_token(namespace, name, duration=duration)
        target = path or self.base_dir / "kubeconfigs" / f"sa-{namespace}-{name}.kubeconfig"
        return write_kubeconfig(
            target,
            server_url=self.server_url,
            ca_file=self.ca_file,
            token=token,
            user=f"system:serviceaccount:{namespace}:{name}",
            namespace=namespace,
        )

    def finish_pod(
        self, namespace: str, name: str, *, exit_code: int = 0, message: str = ""
    ) -> None:
        """End a running Job pod's containers: kwok marks it Succeeded (0) or Failed, with
        ``message`` as every container's termination message (see ``kwok-stages.yaml``)."""
        annotations = {EXIT_CODE_ANNOTATION: str(exit_code)}
        if message:
            annotations[TERMINATION_MESSAGE_ANNOTATION] = message
        patch = json.dumps({"metadata": {"annotations": annotations}})
        self.kubectl("patch", "pod", name, f"--namespace={namespace}", "--type=merge", "-p", patch)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ControlPlane:
        """Start every server and wait until the API serves and every fake node is Ready."""
        self._pki = make_pki(self.base_dir / "pki", ip_addresses=(LOOPBACK,))
        self._write_credentials()
        self._start_etcd()
        self._start_apiserver()
        # The three only need the API server: start them together, then wait for each (and
        # start one again on another port if its port was taken before it bound it).
        launchers = [self._start_controller_manager, self._start_scheduler, self._start_kwok]
        started = [launch() for launch in launchers]
        for launch, first in zip(launchers, started, strict=True):

            def start(
                attempt: int,
                launch: Callable[[], tuple[ManagedProcess, str]] = launch,
                first: tuple[ManagedProcess, str] = first,
            ) -> None:
                process, health_url = first if attempt == 1 else launch()
                context = tls_context(self.pki.ca_cert) if health_url.startswith("https") else None
                process.wait_ready(
                    http_ok(health_url, context=context), within=START_TIMEOUT_S, what=health_url
                )

            start_retrying_port_clashes(start, self.processes)
        self._add_nodes()
        return self

    def stop(self) -> None:
        """Stop the servers, last started first."""
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()

    def _write_credentials(self) -> None:
        identities = [self.admin, *self._components.values()]
        lines = [
            f'{who.token},{who.user},{who.user},"{",".join(who.groups)}"' for who in identities
        ]
        token_file = self.base_dir / "pki" / "tokens.csv"
        token_file.touch(mode=0o600)
        token_file.write_text("\n".join(lines) + "\n")
        self._kubeconfig_for(self.admin, "admin")
        for component, who in self._components.items():
            self._kubeconfig_for(who, component)

    def _kubeconfig_for(self, who: _Identity, file_stem: str) -> Path:
        return write_kubeconfig(
            self.base_dir / "kubeconfigs" / f"{file_stem}.kubeconfig",
            server_url=self.server_url,
            ca_file=self.pki.ca_cert,
            token=who.token,
            user=who.user,
        )

    def _launch(self, name: str, argv: list[str | Path]) -> ManagedProcess:
        process = ManagedProcess(name, argv, log_file=self.base_dir / "logs" / f"{name}.log")
        self.processes.append(process.start())
        return process

    def _start_etcd(self) -> None:
        start_retrying_port_clashes(self._start_etcd_once, self.processes)

    def _start_etcd_once(self, attempt: int) -> None:
        client_url = f"http://{LOOPBACK}:{free_port()}"
        peer_url = f"http://{LOOPBACK}:{free_port()}"
        self.etcd_url = client_url
        # A fresh data directory per attempt: a failed start may have written its member there.
        data_dir = self.base_dir / ("etcd" if attempt == 1 else f"etcd-{attempt}")
        etcd = self._launch(
            "etcd",
            [
                self.binaries.etcd,
                "--name=devstack",
                f"--data-dir={data_dir}",
                f"--listen-client-urls={client_url}",
                f"--advertise-client-urls={client_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=devstack={peer_url}",
                "--unsafe-no-fsync",  # a throwaway cluster: speed over durability
                "--log-level=warn",
            ],
        )
        etcd.wait_ready(http_ok(f"{client_url}/health"), within=START_TIMEOUT_S, what="/health")

    def _start_apiserver(self) -> None:
        # The first attempt uses the port chosen up front (the kubeconfigs name it first).
        def start(attempt: int) -> None:
            if attempt > 1:
                self.api_port = free_port()
                self.server_url = f"https://{LOOPBACK}:{self.api_port}"
                self._write_credentials()
            self._launch_apiserver().wait_ready(
                http_ok(f"{self.server_url}/readyz", context=tls_context(self.pki.ca_cert)),
                within=START_TIMEOUT_S,
                what="/readyz",
            )

        start_retrying_port_clashes(start, self.processes)

    def _launch_apiserver(self) -> ManagedProcess:
        pki = self.pki
        return self._launch(
            "kube-apiserver",
            [
                self.binaries.kube_apiserver,
                f"--etcd-servers={self.etcd_url}",
                f"--bind-address={LOOPBACK}",
                f"--advertise-address={LOOPBACK}",
                f"--secure-port={self.api_port}",
                f"--cert-dir={self.base_dir / 'pki'}",
                f"--tls-cert-file={pki.serving_cert}",
                f"--tls-private-key-file={pki.serving_key}",
                f"--client-ca-file={pki.ca_cert}",
                f"--token-auth-file={self.base_dir / 'pki' / 'tokens.csv'}",
                f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
                f"--service-account-key-file={pki.service_account_public_key}",
                f"--service-account-signing-key-file={pki.service_account_key}",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--authorization-mode=Node,RBAC",
                "--enable-admission-plugins=NodeRestriction",
                "--profiling=false",
            ],
        )

    def _component_flags(self, name: str, port: int) -> list[str | Path]:
        kubeconfig = self.base_dir / "kubeconfigs" / f"{name}.kubeconfig"
        return [
            f"--kubeconfig={kubeconfig}",
            f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            f"--bind-address={LOOPBACK}",
            f"--secure-port={port}",
            f"--tls-cert-file={self.pki.serving_cert}",
            f"--tls-private-key-file={self.pki.serving_key}",
            "--leader-elect=false",
        ]

    def _start_controller_manager(self) -> tuple[ManagedProcess, str]:
        port = free_port()
        process = self._launch(
            "kube-controller-manager",
            [
                self.binaries.kube_controller_manager,
                *self._component_flags("kube-controller-manager", port),
                f"--controllers={','.join(CONTROLLERS)}",
                "--use-service-account-credentials=true",
                f"--service-account-private-key-file={self.pki.service_account_key}",
                f"--root-ca-file={self.pki.ca_cert}",
                "--kube-api-qps=200",
                "--kube-api-burst=400",
            ],
        )
        return process, f"https://{LOOPBACK}:{port}/healthz"

    def _start_scheduler(self) -> tuple[ManagedProcess, str]:
        port = free_port()
        process = self._launch(
            "kube-scheduler",
            [self.binaries.kube_scheduler, *self._component_flags("kube-scheduler", port)],
        )
        return process, f"https://{LOOPBACK}:{port}/healthz"

    def _start_kwok(self) -> tuple[ManagedProcess, str]:
        port = free_port()
        key, value = FAKE_NODE_ANNOTATION
        process = self._launch(
            "kwok",
            [
                self.binaries.kwok,
                f"--kubeconfig={self.base_dir / 'kubeconfigs' / 'kwok.kubeconfig'}",
                f"--config={KWOK_STAGES}",
                "--manage-all-nodes=false",
                f"--manage-nodes-with-annotation-selector={key}={value}",
                f"--cidr={POD_CIDR}",
                f"--node-ip={LOOPBACK}",
                f"--server-address={LOOPBACK}:{port}",
            ],
        )
        return process, f"http://{LOOPBACK}:{port}/healthz"

    def _add_nodes(self) -> None:
        key, value = FAKE_NODE_ANNOTATION
        nodes = {
            "apiVersion": "v1",
            "kind": "List",
            "items": [_fake_node(name, {key: value}) for name in self.node_names],
        }
        self.kubectl("apply", "-f", "-", input=json.dumps(nodes))
        self.kubectl(
            "wait",
            "--for=condition=Ready",
            "node",
            *self.node_names,
            f"--timeout={START_TIMEOUT_S:.0f}s",
        )
        # The API server's TaintNodesByCondition admission taints every new node not-ready; in a
        # cluster the node-lifecycle controller lifts it once the kubelet reports Ready. That
        # controller also evicts pods from nodes whose kubelet stops renewing its lease, which
        # kwok's fake kubelets need not do, so it does not run here: lift the taint directly,
        # or the scheduler places no pod ("node(s) had untolerated taint(s)").
        self.kubectl("taint", "nodes", *self.node_names, f"{NOT_READY_TAINT}:NoSchedule-")


def _fake_node(name: str, annotations: dict[str, str]) -> dict[str, object]:
    """A node kwok manages: room for every test's pods (no real capacity behind it)."""
    capacity = {"cpu": "1000", "memory": "4Ti", "pods": "1000"}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {**annotations, "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "type": "kwok",
            },
        },
        "status": {"allocatable": capacity, "capacity": capacity},
    }


@contextlib.contextmanager
def run_control_plane(
    base_dir: Path | None = None, *, nodes: int = 3, binaries: Binaries | None = None
) -> Iterator[ControlPlane]:
    """Start a control plane, yield it, stop it. A directory made here is removed after a
    clean run and kept (with the logs a failure names) when the control plane failed."""
    owned = base_dir is None
    directory = Path(tempfile.mkdtemp(prefix="arkenos-controlplane-")) if owned else base_dir
    assert directory is not None
    plane = ControlPlane(directory, binaries or Binaries.build(), nodes=nodes)
    try:
        plane.start()
    except BaseException:
        plane.stop()
        raise
    try:
        yield plane
    finally:
        plane.stop()
    if owned:
        shutil.rmtree(directory, ignore_errors=True)
