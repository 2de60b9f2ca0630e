"""Turn a pydantic model's JSON Schema into a Kubernetes structural OpenAPI v3 schema.

The API server accepts only structural schemas: every node typed, no ``$ref``, no ``anyOf``
around a type, no ``additionalProperties: false``. Pydantic emits all of those, so this module
inlines references, folds ``X | None`` into ``X`` (absence, not null, means "unset" in a
Kubernetes object) and keeps only the keywords the API server understands.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

_KEPT = {
    "type",
    "format",
    "description",
    "default",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "required",
    "properties",
    "items",
    "additionalProperties",
}


def structural_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The structural schema of ``model`` as it appears on the wire (camelCase aliases)."""
    raw = model.model_json_schema(by_alias=True, mode="validation")
    definitions: dict[str, Any] = raw.get("$defs", {})
    return _convert(raw, definitions)


def _resolve(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """Inline a ``$ref`` (and pydantic's ``allOf: [$ref]`` wrapper), keeping sibling keys."""
    ref = node.get("$ref")
    if ref is None and len(node.get("allOf", [])) == 1:
        ref = node["allOf"][0].get("$ref")
    if ref is None:
        return node
    target = dict(definitions[ref.rsplit("/", 1)[-1]])
    siblings = {k: v for k, v in node.items() if k not in ("$ref", "allOf")}
    return {**target, **siblings}


def _fold_optional(node: dict[str, Any]) -> dict[str, Any]:
    """``anyOf: [X, {type: null}]`` becomes X with the outer description and default."""
    variants = node.get("anyOf")
    if not variants:
        return node
    non_null = [v for v in variants if v.get("type") != "null"]
    if len(non_null) != 1:
        raise ValueError(f"unions other than X | None cannot be expressed structurally: {node}")
    outer = {k: v for k, v in node.items() if k != "anyOf"}
    if outer.get("default", ...) is None:
        del outer["default"]
    return {**non_null[0], **outer}


def _convert(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    node = _fold_optional(_resolve(node, definitions))
    node = _resolve(node, definitions)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-"):
            out[key] = value
        elif key == "const":
            out["enum"] = [value]
        elif key == "description":
            out[key] = " ".join(value.split())
        elif key in _KEPT:
            out[key] = value

    if "properties" in out:
        out["properties"] = {
            name: _convert(child, definitions) for name, child in out["properties"].items()
        }
        out["type"] = "object"
    if "items" in out:
        out["items"] = _convert(out["items"], definitions)

    additional = out.get("additionalProperties")
    if additional is False:
        # Structural schemas forbid it; the API server prunes unknown fields instead.
        del out["additionalProperties"]
    elif additional is True or (
        out.get("type") == "object" and additional in ({}, None) and "properties" not in out
    ):
        out.pop("additionalProperties", None)
        out["type"] = "object"
        out["x-kubernetes-preserve-unknown-fields"] = True
    elif isinstance(additional, dict):
        out["additionalProperties"] = _convert(additional, definitions)

    if out.get("required") == []:
        del out["required"]
    return out
