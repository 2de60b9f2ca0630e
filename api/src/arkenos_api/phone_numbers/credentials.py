"""Whose Twilio account a workspace's phone numbers use, and the Secret the operator reads it
from.

The workspace's stored twilio key (keys/, encrypted, "<Account SID>:<Auth Token>") wins; without
one the platform's account (ARKENOS_TWILIO_ACCOUNT_SID and ARKENOS_TWILIO_AUTH_TOKEN) is used.
A line on the workspace's own account names a Secret the API keeps in the workspace's own
namespace (the tenant's keys stay with the tenant); a line on the platform's account names none,
and the operator uses its default Secret (ARKENOS_TWILIO_SECRET).
"""

from __future__ import annotations

import re
import uuid
from base64 import b64decode
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.core.errors import ApiError
from arkenos_api.core.kube import Kube
from arkenos_api.keys.crypto import Keyring
from arkenos_api.keys.service import read_keys
from arkenos_api.phone_numbers.manifests import (
    ACCOUNT_SID_KEY,
    TWILIO_SECRET_NAME,
    build_twilio_secret,
    is_managed_twilio_secret,
    twilio_secret_data,
)
from arkenos_api.phone_numbers.twilio_client import TwilioAccount
from arkenos_api.settings import Settings
from arkenos_crds.runtime import Provider

_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
WORKSPACE_OWNER = "the workspace's"
PLATFORM_OWNER = "the platform's"


async def twilio_account(
    *, db_session: AsyncSession, keyring: Keyring, settings: Settings, workspace_id: uuid.UUID
) -> TwilioAccount:
    keys = await read_keys(
        db_session=db_session,
        keyring=keyring,
        workspace_id=workspace_id,
        providers={Provider.TWILIO},
    )
    stored = keys.get(Provider.TWILIO)
    if stored is not None:
        sid, _, token = stored.partition(":")
        if not _ACCOUNT_SID.fullmatch(sid) or not token:
            raise ApiError(
                424,
                "twilio_key_malformed",
                "the workspace's twilio key is not '<Account SID>:<Auth Token>' (an Account SID "
                "is AC and 32 hex digits): store it again",
                "keys.twilio",
            )
        return TwilioAccount(sid, token, WORKSPACE_OWNER)
    if settings.twilio_account_sid and settings.twilio_auth_token:
        return TwilioAccount(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            PLATFORM_OWNER,
        )
    raise ApiError(
        424,
        "twilio_credentials_missing",
        "no Twilio account: store the workspace's twilio key ('<Account SID>:<Auth Token>'), "
        "or ask the platform's administrator to configure one",
        "keys.twilio",
    )


def is_own(account: TwilioAccount) -> bool:
    return account.owner == WORKSPACE_OWNER


async def keep_twilio_secret(kube: Kube, namespace: str, account: TwilioAccount) -> None:
    """Make the workspace's Twilio Secret hold ``account`` (create it, or rewrite it when the
    stored key changed); refuse a Secret of that name that Arkenos does not manage."""
    existing = await kube.read_secret_data(namespace, TWILIO_SECRET_NAME)
    body = build_twilio_secret(namespace, account.account_sid, account.auth_token)
    if existing is None and await kube.create_secret(body):
        return
    existing = existing or await kube.read_secret_data(namespace, TWILIO_SECRET_NAME)
    if existing is None:  # created and deleted again between two calls: try once more
        if await kube.create_secret(body):
            return
        raise ApiError(409, "conflict", f"Secret {TWILIO_SECRET_NAME} keeps changing: retry")
    if not is_managed_twilio_secret(existing.labels):
        raise ApiError(
            409,
            "secret_not_managed",
            f"Secret {TWILIO_SECRET_NAME} in {namespace} exists and is not managed by Arkenos: "
            "rename or delete it, so Arkenos can keep the workspace's Twilio account there",
        )
    stored = _decoded(existing.data)
    if stored == _decoded(twilio_secret_data(account.account_sid, account.auth_token)):
        return
    previous_sid = stored.get(ACCOUNT_SID_KEY, b"").decode(errors="replace")
    if previous_sid != account.account_sid:
        await _refuse_moving_lines(kube, namespace, previous_sid)
    await kube.replace_secret(
        build_twilio_secret(
            namespace, account.account_sid, account.auth_token, existing.resource_version
        )
    )


async def _refuse_moving_lines(kube: Kube, namespace: str, previous_sid: str) -> None:
    """A new auth token for the same account is a rotation; another account would move every
    line that reads the Secret to an account that does not own its number (and the operator
    would buy again). Refuse that while such lines exist."""
    users = sorted(
        line["metadata"]["name"]
        for line in await kube.list_phone_numbers(namespace)
        if twilio_secret_name(line) == TWILIO_SECRET_NAME
    )
    if users:
        raise ApiError(
            409,
            "twilio_account_in_use",
            f"the workspace's twilio key now names another Twilio account than the one (AC…"
            f"{previous_sid[-4:]}) its phone numbers {', '.join(users)} use: release them "
            "first, or store that account's key again",
            "keys.twilio",
        )


def twilio_secret_name(line: dict[str, Any]) -> str | None:
    spec = line.get("spec") or {}
    ref = ((spec.get("credentials") or {}).get("twilio") or {}).get("secretRef") or {}
    name = ref.get("name")
    return name if isinstance(name, str) else None


def _decoded(data: dict[str, str]) -> dict[str, bytes]:
    return {key: b64decode(value) for key, value in data.items()}
