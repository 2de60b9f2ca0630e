"""Which Secrets a VoiceAgent spec names, and where: the one answer the operator's
validation (typed and raw) and the API's runtime config both read.

The walk reads the raw spec, so a spec the model would refuse still yields what it names
(kopf's index must not fail on it) and the API can key its cache before validating.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from arkenos_crds.voiceagent import VoiceAgentSpec

#: The key of a webhook's Secret that signs its payloads.
WEBHOOK_SIGNING_KEY = "signingSecret"


class SecretUse(StrEnum):
    """What a spec reads a Secret for."""

    #: Provider keys (which keys depends on the spec's providers).
    CREDENTIALS = "Credentials"
    #: The value of one HTTP tool header.
    TOOL_HEADER = "ToolHeader"
    #: A webhook's signing secret.
    WEBHOOK = "Webhook"


@dataclass(frozen=True)
class SecretRef:
    """One place in a spec that names a Secret of the agent's namespace."""

    use: SecretUse
    #: Name of the Secret.
    secret: str
    #: The one key read, or None for credentials (the providers decide which keys).
    key: str | None
    #: Path of the field that names the Secret, for error messages.
    field: str
    #: Name of the tool or webhook that reads it.
    owner: str | None = None
    #: The header a tool Secret's value is sent in.
    header: str | None = None


def secret_refs(spec: VoiceAgentSpec | Mapping[str, Any]) -> list[SecretRef]:
    """Every Secret reference of a spec (typed or raw), in the spec's order."""
    raw = (
        spec.model_dump(by_alias=True, include={"credentials", "tools", "webhooks"})
        if isinstance(spec, VoiceAgentSpec)
        else spec
    )
    refs: list[SecretRef] = []
    name = _text(_dig(raw, "credentials", "secretRef", "name"))
    if name:
        refs.append(SecretRef(SecretUse.CREDENTIALS, name, None, "spec.credentials.secretRef"))
    for t, tool in enumerate(_items(raw.get("tools"))):
        for h, header in enumerate(_items(_dig(tool, "http", "headers"))):
            secret, key = (
                _text(_dig(header, "valueFrom", "name")),
                _text(_dig(header, "valueFrom", "key")),
            )
            if secret and key:
                field = f"spec.tools[{t}].http.headers[{h}].valueFrom"
                owner, header_name = _text(_dig(tool, "name")), _text(_dig(header, "name"))
                refs.append(
                    SecretRef(SecretUse.TOOL_HEADER, secret, key, field, owner, header_name)
                )
    for w, webhook in enumerate(_items(raw.get("webhooks"))):
        secret = _text(_dig(webhook, "secretRef", "name"))
        if secret:
            field = f"spec.webhooks[{w}].secretRef"
            owner = _text(_dig(webhook, "name"))
            refs.append(SecretRef(SecretUse.WEBHOOK, secret, WEBHOOK_SIGNING_KEY, field, owner))
    return refs


def secret_names(spec: VoiceAgentSpec | Mapping[str, Any]) -> list[str]:
    """The distinct Secret names a spec reads, in the spec's order."""
    return list(dict.fromkeys(ref.secret for ref in secret_refs(spec)))


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
