"""The control plane's API server port is chosen before the server binds it; when something
else takes it in between (under a busy test run an outgoing connection's ephemeral port can be
that very port), the launcher retries on another port instead of failing the run."""

from __future__ import annotations

import socket
from pathlib import Path

from arkenos_devstack.controlplane import Binaries, ControlPlane
from arkenos_devstack.process import LOOPBACK


def test_the_api_server_moves_to_another_port_when_its_port_was_taken(tmp_path: Path) -> None:
    plane = ControlPlane(tmp_path, Binaries.build(), nodes=1)
    taken = plane.api_port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind((LOOPBACK, taken))
        squatter.listen()
        try:
            plane.start()
            assert plane.api_port != taken
            assert plane.server_url == f"https://{LOOPBACK}:{plane.api_port}"
            nodes = plane.kubectl("get", "nodes", "-o", "name").stdout
            assert "node/kwok-node-0" in nodes
        finally:
            plane.stop()
    assert "address already in use" in (tmp_path / "logs" / "kube-apiserver.log").read_text()
