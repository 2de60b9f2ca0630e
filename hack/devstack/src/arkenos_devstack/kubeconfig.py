"""Kubeconfig files for the local control plane: one cluster (its URL and CA), one bearer token."""

from __future__ import annotations

import json
from pathlib import Path

CONTEXT = "arkenos-devstack"


def write_kubeconfig(
    path: Path,
    *,
    server_url: str,
    ca_file: Path,
    token: str,
    user: str = CONTEXT,
    namespace: str = "default",
) -> Path:
    """Write a kubeconfig whose current context reaches ``server_url`` as ``token``'s owner.

    JSON is YAML, so every Kubernetes client reads it; the file is private to its owner
    because it holds a credential.
    """
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": CONTEXT,
                "cluster": {"server": server_url, "certificate-authority": str(ca_file)},
            }
        ],
        "users": [{"name": user, "user": {"token": token}}],
        "contexts": [
            {
                "name": CONTEXT,
                "context": {"cluster": CONTEXT, "user": user, "namespace": namespace},
            }
        ],
        "current-context": CONTEXT,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(config, indent=2))
    return path
