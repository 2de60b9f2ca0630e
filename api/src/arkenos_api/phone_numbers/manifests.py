"""Pure builders between the API's phone number bodies and the objects in the workspace
namespace: the PhoneNumber resource, the Secret with the workspace's own Twilio account, and
the patches that change them (dict in, dict out, no I/O)."""

from __future__ import annotations

import base64
from typing import Any

from arkenos_api.workspaces.namespaces import MANAGED_BY, MANAGED_BY_LABEL, WORKSPACE_LABEL
from arkenos_crds.meta import API_VERSION
from arkenos_crds.phonenumber import KIND, ReleasePolicy
from arkenos_crds.runtime import SECRET_OPT_IN, TWILIO_SECRET_LABEL

#: The Secret, in each workspace namespace, with the workspace's own Twilio account.
TWILIO_SECRET_NAME = "arkenos-twilio"  # noqa: S105 - a Secret's name
#: Its keys, as the operator reads them (arkenos_operator.phonenumber.credentials).
ACCOUNT_SID_KEY = "accountSid"
AUTH_TOKEN_KEY = "authToken"  # noqa: S105 - a key name


def twilio_secret_labels(namespace: str) -> dict[str, str]:
    return {
        MANAGED_BY_LABEL: MANAGED_BY,
        WORKSPACE_LABEL: namespace,
        TWILIO_SECRET_LABEL: SECRET_OPT_IN,
    }


def is_managed_twilio_secret(labels: dict[str, str]) -> bool:
    """Whether a Secret of that name is the API's own (so it may be rewritten)."""
    return (
        labels.get(MANAGED_BY_LABEL) == MANAGED_BY
        and labels.get(TWILIO_SECRET_LABEL) == SECRET_OPT_IN
    )


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def twilio_secret_data(account_sid: str, auth_token: str) -> dict[str, str]:
    return {ACCOUNT_SID_KEY: _b64(account_sid), AUTH_TOKEN_KEY: _b64(auth_token)}


def build_twilio_secret(
    namespace: str, account_sid: str, auth_token: str, resource_version: str | None = None
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": TWILIO_SECRET_NAME,
        "namespace": namespace,
        "labels": twilio_secret_labels(namespace),
    }
    if resource_version:
        metadata["resourceVersion"] = resource_version
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata,
        "type": "Opaque",
        "data": twilio_secret_data(account_sid, auth_token),
    }


def twilio_credentials_spec(own_account: bool) -> dict[str, Any] | None:
    """``spec.credentials`` of a line: the workspace's Secret, or nothing (the operator's
    platform default Secret, ARKENOS_TWILIO_SECRET)."""
    if not own_account:
        return None
    return {"twilio": {"secretRef": {"name": TWILIO_SECRET_NAME}}}


def build_phone_number(
    namespace: str, name: str, spec: dict[str, Any], labels: dict[str, str] | None
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": API_VERSION, "kind": KIND, "metadata": metadata, "spec": spec}


def line_spec(
    *,
    agent: str,
    inbound: bool,
    outbound: bool,
    own_account: bool,
    number: str | None = None,
    purchase: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A PhoneNumber spec that adopts ``number`` or buys by ``purchase`` (exactly one)."""
    spec: dict[str, Any] = {
        "provider": "Twilio",
        "agentRef": {"name": agent},
        "inbound": inbound,
        "outbound": outbound,
        # Said out loud: deleting the resource with kubectl keeps the number; the API's
        # release switches it to Release first.
        "releasePolicy": ReleasePolicy.RETAIN.value,
    }
    if number is not None:
        spec["number"] = number
    if purchase is not None:
        spec["purchase"] = purchase
    credentials = twilio_credentials_spec(own_account)
    if credentials is not None:
        spec["credentials"] = credentials
    return spec


def agent_patch(agent: str, resource_version: str) -> dict[str, Any]:
    """A merge patch of ``spec.agentRef`` that the API server refuses with 409 when the line
    changed since ``resource_version``."""
    return {
        "metadata": {"resourceVersion": resource_version},
        "spec": {"agentRef": {"name": agent}},
    }


def release_patch(resource_version: str) -> dict[str, Any]:
    return {
        "metadata": {"resourceVersion": resource_version},
        "spec": {"releasePolicy": ReleasePolicy.RELEASE.value},
    }
