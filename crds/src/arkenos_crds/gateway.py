"""The worker gateway's contract between the operator and the API: where custom agent pods
connect their LiveKit worker, and the per-agent key pair they sign their worker token with.

A custom agent's pods never hold the platform's LiveKit key. Their (unmodified) livekit-agents
worker signs its token with a key pair of its own agent: the key id names the agent (namespace,
name and uid), the secret is an HMAC of that id under the platform's LiveKit secret. The
operator writes the pair into the agent's namespace; the API's gateway recomputes the secret to
verify the token, then registers the worker upstream with the platform's key under the agent's
own dispatch name. LiveKit itself knows no such key, so the pair is useless against it, and a
pair names exactly one agent: another agent's pair fails the signature, and a deleted and
recreated agent (a new uid) gets a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from arkenos_crds.runtime import INTERNAL_PREFIX

#: The LIVEKIT_URL custom agent pods are given is the API's URL plus this path; livekit-agents
#: appends ``/agent`` to it for the worker connection.
WORKER_GATEWAY_PATH = INTERNAL_PREFIX + "/worker-gateway"
#: Every per-agent key id starts with it, so the gateway tells a per-agent worker token from a
#: ServiceAccount token without trying both.
GATEWAY_KEY_PREFIX = "arkenos-gw"
_SEPARATOR = "/"
_DERIVATION = b"arkenos worker gateway key v1\n"


@dataclass(frozen=True)
class GatewayKeyId:
    """The agent a per-agent key id names."""

    namespace: str
    name: str
    uid: str

    def __str__(self) -> str:
        return _SEPARATOR.join((GATEWAY_KEY_PREFIX, self.namespace, self.name, self.uid))

    @classmethod
    def parse(cls, key_id: str) -> GatewayKeyId | None:
        """The agent of a key id, or None when it is not one (names hold no ``/``)."""
        parts = key_id.split(_SEPARATOR)
        if len(parts) != 4 or parts[0] != GATEWAY_KEY_PREFIX or not all(parts[1:]):
            return None
        return cls(namespace=parts[1], name=parts[2], uid=parts[3])


def gateway_secret(platform_secret: str, key_id: GatewayKeyId) -> str:
    """The per-agent secret of ``key_id``: HMAC-SHA256 under the platform's LiveKit secret,
    which it does not reveal (deriving it needs the platform secret, reversing it is HMAC)."""
    digest = hmac.new(
        platform_secret.encode(), _DERIVATION + str(key_id).encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
