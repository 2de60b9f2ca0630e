"""The Kubernetes Secret holding a line's outbound SIP credential (username and generated
password), shared by the Twilio credential list and the LiveKit outbound trunk."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from arkenos_operator.kube import SECRETS
from arkenos_operator.phonenumber import builders
from arkenos_operator.phonenumber.credentials import secret_values
from arkenos_operator.phonenumber.line import Line

_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class SipCredential:
    username: str
    password: str
    #: True when the Secret was (re)created now, so any copy of an older password is stale.
    fresh: bool


def generate_password(length: int = 32) -> str:
    """Random letters and digits with at least one of each kind, as Twilio requires."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


async def ensure_sip_credential(line: Line) -> SipCredential:
    name = builders.credentials_secret_name(line.name)
    existing = await line.kube.get_or_none(SECRETS, line.namespace, name)
    if existing is not None:
        values = secret_values(existing)
        username = values.get(builders.SECRET_USERNAME_KEY)
        password = values.get(builders.SECRET_PASSWORD_KEY)
        if username and password:
            return SipCredential(username, password, fresh=False)
    password = generate_password()
    body = builders.credentials_secret(
        line.namespace, line.name, line.uid, builders.SIP_USERNAME, password
    )
    await line.kube.apply(SECRETS, body)
    return SipCredential(builders.SIP_USERNAME, password, fresh=True)


async def delete_sip_credential(line: Line) -> None:
    await line.kube.delete(SECRETS, line.namespace, builders.credentials_secret_name(line.name))
