"""Pure builders between the API's agent bodies and VoiceAgent resources (dict in, dict out)."""

from __future__ import annotations

from typing import Any

from arkenos_crds.meta import API_VERSION
from arkenos_crds.voiceagent import KIND


def build_voice_agent(
    namespace: str, name: str, spec: dict[str, Any], labels: dict[str, str] | None
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": API_VERSION, "kind": KIND, "metadata": metadata, "spec": spec}


def merge_patch(old: Any, new: Any) -> Any:
    """The JSON merge patch (RFC 7386) that turns ``old`` into ``new``.

    Keys missing from ``new`` become ``None`` (delete); lists and scalars are replaced whole,
    as merge patch does.
    """
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    patch: dict[str, Any] = {}
    for key in old.keys() - new.keys():
        patch[key] = None
    for key, value in new.items():
        if key not in old:
            patch[key] = value
        elif old[key] != value:
            patch[key] = merge_patch(old[key], value)
    return patch


def build_update_patch(
    old_spec: dict[str, Any], new_spec: dict[str, Any], resource_version: str
) -> dict[str, Any]:
    """A merge patch of the spec that carries ``resource_version``: the API server refuses it
    with 409 when the object changed since then."""
    return {
        "metadata": {"resourceVersion": resource_version},
        "spec": merge_patch(old_spec, new_spec),
    }
