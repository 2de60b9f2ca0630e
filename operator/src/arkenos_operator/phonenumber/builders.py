"""Pure builders for everything a phone line creates: names and markers, the LiveKit trunks
and dispatch rule (as protobuf JSON dicts), the Kubernetes Secret with the outbound SIP
password, and the status patches. No I/O here; each is tested by comparing dicts.

One Elastic SIP trunk per PhoneNumber (not one per workspace): the trunk then has exactly one
owner, so creating it, finding it again after a crash (by its marker), changing it (outbound
on or off for this number only) and deleting it never races with another PhoneNumber of the
same workspace, and deleting one line can never cut another. Twilio's per-account trunk quota
is the cost, and it is generous next to the number of lines a workspace runs.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from arkenos_crds.meta import API_VERSION
from arkenos_crds.phonenumber import KIND
from arkenos_crds.runtime import CallDirection, DispatchMetadata

#: Prefix of the marker written on every Twilio object a PhoneNumber creates (friendlyName),
#: followed by the resource's uid: how the operator finds its objects after a crash.
MARKER_PREFIX = "arkenos:"
#: Key in LiveKit objects' JSON metadata holding the owning PhoneNumber's uid.
LIVEKIT_OWNER_KEY = "arkenos.io/phonenumber-uid"
#: Username of the outbound SIP credential (the password is generated per line).
SIP_USERNAME = "arkenos-livekit"
SECRET_USERNAME_KEY = "username"  # noqa: S105 - a key name
SECRET_PASSWORD_KEY = "password"  # noqa: S105 - a key name
OWNER_LABEL = "arkenos.io/phonenumber"


def marker(uid: str) -> str:
    return MARKER_PREFIX + uid


def termination_domain(uid: str) -> str:
    """The trunk's termination SIP domain; unique across Twilio because it carries the uid."""
    return f"arkenos-{uid}.pstn.twilio.com"


def credentials_secret_name(name: str) -> str:
    return f"{name}-outbound-sip"


def livekit_name(namespace: str, name: str) -> str:
    return f"arkenos-{namespace}-{name}"


def livekit_metadata(uid: str) -> str:
    return json.dumps({LIVEKIT_OWNER_KEY: uid}, sort_keys=True)


def owned_by(metadata: str, uid: str) -> bool:
    """Whether LiveKit object metadata names this PhoneNumber as its owner."""
    try:
        return bool(json.loads(metadata or "{}").get(LIVEKIT_OWNER_KEY) == uid)
    except (ValueError, AttributeError):
        return False


def room_prefix(namespace: str, name: str) -> str:
    return f"call-{namespace}-{name}"


def inbound_trunk(
    namespace: str, name: str, uid: str, number: str, allowed_addresses: list[str]
) -> dict[str, Any]:
    trunk: dict[str, Any] = {
        "name": livekit_name(namespace, name),
        "metadata": livekit_metadata(uid),
        "numbers": [number],
    }
    if allowed_addresses:
        trunk["allowedAddresses"] = list(allowed_addresses)
    return trunk


def outbound_trunk(
    namespace: str, name: str, uid: str, number: str, username: str, password: str
) -> dict[str, Any]:
    return {
        "name": livekit_name(namespace, name),
        "metadata": livekit_metadata(uid),
        "address": termination_domain(uid),
        "numbers": [number],
        "authUsername": username,
        "authPassword": password,
    }


def dispatch_metadata(namespace: str, agent: str, number: str) -> str:
    metadata = DispatchMetadata(
        workspace=namespace, agent=agent, phone_number=number, direction=CallDirection.INBOUND
    )
    return json.dumps(metadata.to_wire(), sort_keys=True)


def dispatch_rule(
    namespace: str,
    name: str,
    uid: str,
    inbound_trunk_id: str,
    agent: str,
    dispatch_name: str,
    number: str,
) -> dict[str, Any]:
    """Each call in a room of its own, with the agent dispatched by name and told who it is
    for (workspace, agent, number)."""
    return {
        "name": livekit_name(namespace, name),
        "metadata": livekit_metadata(uid),
        "trunkIds": [inbound_trunk_id],
        "rule": {"dispatchRuleIndividual": {"roomPrefix": room_prefix(namespace, name)}},
        "roomConfig": {
            "agents": [
                {
                    "agentName": dispatch_name,
                    "metadata": dispatch_metadata(namespace, agent, number),
                }
            ]
        },
    }


def credentials_secret(
    namespace: str, name: str, uid: str, username: str, password: str
) -> dict[str, Any]:
    """The outbound SIP credential, owned by the PhoneNumber so it goes with it."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": credentials_secret_name(name),
            "namespace": namespace,
            "labels": {OWNER_LABEL: name},
            "ownerReferences": [
                {
                    "apiVersion": API_VERSION,
                    "kind": KIND,
                    "name": name,
                    "uid": uid,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "type": "Opaque",
        "data": {SECRET_USERNAME_KEY: _b64(username), SECRET_PASSWORD_KEY: _b64(password)},
    }


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()
