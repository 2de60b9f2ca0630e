"""What the emulated API server does to object bodies: merge patches, server-owned metadata,
generation, preconditions, and the error statuses it answers with.
"""

import base64
import copy
import datetime
import secrets
from typing import Any

import kmock

ObjectKey = tuple[kmock.resource, str | None, str]
Body = dict[str, Any]

_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # the API server's generateName alphabet
_SERVER_OWNED_METADATA = (
    "name",
    "namespace",
    "uid",
    "creationTimestamp",
    "generation",
    "resourceVersion",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge recursively, ``null`` deletes, the rest replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def with_server_fields(current: Body, candidate: Body) -> Body:
    """Keep what only the server sets; the resourceVersion is the current one until bumped."""
    result = copy.deepcopy(candidate)
    result.setdefault("apiVersion", current.get("apiVersion"))
    result.setdefault("kind", current.get("kind"))
    metadata = result.setdefault("metadata", {})
    for field in _SERVER_OWNED_METADATA:
        metadata.pop(field, None)
        if field in current["metadata"]:
            metadata[field] = current["metadata"][field]
    return result


def fold_string_data(secret: Body) -> Body:
    """A Secret's ``stringData`` goes into ``data``, base64-encoded, as the API server does."""
    string_data = secret.pop("stringData", None) or {}
    encoded = {
        key: base64.b64encode(str(value).encode()).decode() for key, value in string_data.items()
    }
    if encoded:
        secret["data"] = {**(secret.get("data") or {}), **encoded}
    return secret


def generation_fields(body: Body) -> Body:
    return {key: value for key, value in body.items() if key not in {"metadata", "status"}}


def generated_name(metadata: Body) -> str:
    prefix = metadata.get("generateName")
    if not prefix:
        raise api_error(422, "Invalid", "metadata.name or metadata.generateName is required")
    return str(prefix) + "".join(secrets.choice(_NAME_ALPHABET) for _ in range(5))


def check_resource_version(key: ObjectKey, current: Body, candidate: Body) -> None:
    sent = (candidate.get("metadata") or {}).get("resourceVersion")
    if sent is not None and str(sent) != current["metadata"]["resourceVersion"]:
        raise conflict_error(key)


def check_delete_preconditions(key: ObjectKey, current: Body, options: Any) -> None:
    preconditions = (options or {}).get("preconditions") if isinstance(options, dict) else None
    for field, expected in (preconditions or {}).items():
        if expected is not None and current["metadata"].get(field) != expected:
            raise conflict_error(key)


def expired_watch_event(since: int) -> Body:
    return {
        "type": "ERROR",
        "object": {
            "apiVersion": "v1",
            "kind": "Status",
            "metadata": {},
            "status": "Failure",
            "message": f"too old resource version: {since}",
            "reason": "Expired",
            "code": 410,
        },
    }


def api_version(resource: kmock.resource) -> str:
    return f"{resource.group}/{resource.version}" if resource.group else str(resource.version)


def describe(key: ObjectKey) -> str:
    resource, _, name = key
    qualified = f"{resource.plural}.{resource.group}" if resource.group else str(resource.plural)
    return f'{qualified} "{name}"'


def conflict_error(key: ObjectKey) -> kmock.KubernetesError:
    return api_error(
        409,
        "Conflict",
        f"Operation cannot be fulfilled on {describe(key)}: the object has been modified; "
        "please apply your changes to the latest version and try again",
        key,
    )


def api_error(
    status: int, reason: str, message: str, key: ObjectKey | None = None
) -> kmock.KubernetesError:
    details = {}
    if key is not None:
        resource, _, name = key
        details = {"name": name, "group": resource.group, "kind": resource.plural}
    return kmock.KubernetesError(status=status, reason=reason, message=message, details=details)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
