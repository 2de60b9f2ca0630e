"""Twilio and LiveKit credentials of a line: the Secret its ``spec.credentials`` names, or the
platform default from the operator's settings. A missing Secret or key is a condition the
person can fix (and the reconcile retries), never a crash."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from arkenos_crds.phonenumber import PhoneNumberConditionType as C
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.reasons import Reason
from arkenos_operator.kube import SECRETS
from arkenos_operator.phonenumber.line import Line
from arkenos_operator.phonenumber.settings import PhoneNumberSettings

TWILIO_KEYS = ("accountSid", "authToken")
LIVEKIT_KEYS = ("url", "apiKey", "apiSecret")


@dataclass(frozen=True)
class TwilioCredentials:
    account_sid: str
    auth_token: str


@dataclass(frozen=True)
class LiveKitCredentials:
    url: str
    api_key: str
    api_secret: str


def secret_values(secret: dict[str, Any]) -> dict[str, str]:
    """A Secret's ``data``, decoded."""
    values: dict[str, str] = {}
    for key, encoded in (secret.get("data") or {}).items():
        try:
            values[key] = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            continue
    return values


async def _read(
    line: Line,
    override: str | None,
    default: str | None,
    keys: tuple[str, ...],
    what: str,
    condition: str,
) -> list[str]:
    if override:
        namespace, name = line.namespace, override
    elif default:
        namespace, name = default.split("/", 1)
    else:
        raise ReconcileError(
            Reason(f"{what}CredentialsMissing"),
            f"No {what} credentials: set spec.credentials.{what.lower()}.secretRef or the "
            f"platform default Secret.",
            condition=condition,
        )
    secret = await line.kube.get_or_none(SECRETS, namespace, name)
    if secret is None:
        raise ReconcileError(
            Reason(f"{what}SecretNotFound"),
            f"Secret {namespace}/{name} with the {what} credentials does not exist.",
            condition=condition,
        )
    values = secret_values(secret)
    missing = [k for k in keys if not values.get(k)]
    if missing:
        raise ReconcileError(
            Reason(f"{what}SecretIncomplete"),
            f"Secret {namespace}/{name} lacks the key(s) {', '.join(missing)}.",
            condition=condition,
        )
    return [values[k] for k in keys]


async def twilio_credentials(line: Line, settings: PhoneNumberSettings) -> TwilioCredentials:
    ref = line.spec.credentials.twilio if line.spec.credentials else None
    sid, token = await _read(
        line,
        ref.secret_ref.name if ref else None,
        settings.twilio_secret,
        TWILIO_KEYS,
        "Twilio",
        C.NUMBER_READY,
    )
    return TwilioCredentials(sid, token)


async def livekit_credentials(line: Line, settings: PhoneNumberSettings) -> LiveKitCredentials:
    ref = line.spec.credentials.livekit if line.spec.credentials else None
    url, key, secret = await _read(
        line,
        ref.secret_ref.name if ref else None,
        settings.livekit_sip_secret,
        LIVEKIT_KEYS,
        "LiveKit",
        C.DISPATCH_READY,
    )
    return LiveKitCredentials(url, key, secret)
