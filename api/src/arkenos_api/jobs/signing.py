"""Signing outgoing webhooks as the Standard Webhooks specification says, with its library, and
the one place the API reads a webhook's signing Secret."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from standardwebhooks import Webhook

from arkenos_api.core.kube import Kube
from arkenos_crds.runtime import SECRET_OPT_IN, WEBHOOK_SECRET_LABEL
from arkenos_crds.secret_refs import WEBHOOK_SIGNING_KEY

SECRET_KEY = WEBHOOK_SIGNING_KEY


class SigningSecretError(Exception):
    """The webhook's Secret is missing or unusable (a person can fix it; delivery retries)."""


async def signing_secret(kube: Kube, namespace: str, name: str) -> str:
    """The ``signingSecret`` of the Secret ``name`` in the agent's namespace, which must be
    labelled for this use (as tool and credentials Secrets are for theirs)."""
    found = await kube.read_secret_data(namespace, name)
    if found is None:
        raise SigningSecretError(f"secret {name} not found")
    if found.labels.get(WEBHOOK_SECRET_LABEL) != SECRET_OPT_IN:
        raise SigningSecretError(
            f'secret {name} is not labelled {WEBHOOK_SECRET_LABEL}="{SECRET_OPT_IN}": label it '
            "to let Arkenos sign webhooks with it"
        )
    encoded = found.data.get(SECRET_KEY)
    if encoded is None:
        raise SigningSecretError(f"secret {name} has no key {SECRET_KEY}")
    return base64.b64decode(encoded).decode().strip()


def signed_headers(secret: str, message_id: str, sent_at: datetime, body: str) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` for ``body``."""
    try:
        signer = Webhook(secret)
    except (binascii.Error, ValueError) as exc:
        raise SigningSecretError(
            f"{SECRET_KEY} is not a base64 key (optionally prefixed whsec_)"
        ) from exc
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signer.sign(message_id, sent_at, body),
        "content-type": "application/json",
    }
