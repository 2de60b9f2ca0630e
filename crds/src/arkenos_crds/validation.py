"""Check a manifest the way the API server would: defaulting, the CRD's openAPIV3Schema, then
its CEL rules (``x-kubernetes-validations``), with errors that name the field.

The API server is the real gate; this lets tests, the examples and the dashboard's API give the
same answer without a cluster.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import jsonschema

from arkenos_crds._base import evaluate_rule
from arkenos_crds.crd import ALL_RESOURCES, ResourceDefinition
from arkenos_crds.meta import API_VERSION


@dataclass(frozen=True)
class FieldError:
    """One reason a manifest is refused."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def definition_for(kind: str) -> ResourceDefinition:
    for resource in ALL_RESOURCES:
        if resource.kind == kind:
            return resource
    raise KeyError(f"no arkenos.io resource of kind {kind!r}")


def apply_defaults(schema: dict[str, Any], value: Any) -> Any:
    """Fill schema defaults into ``value`` as the API server does: a default applies where the
    field is absent and its parent object is present."""
    if isinstance(value, dict) and "properties" in schema:
        for name, child in schema["properties"].items():
            if name not in value and "default" in child:
                value[name] = copy.deepcopy(child["default"])
            if name in value:
                value[name] = apply_defaults(child, value[name])
    elif isinstance(value, list) and "items" in schema:
        return [apply_defaults(schema["items"], item) for item in value]
    return value


def _path(parts: list[Any] | Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<root>"


def _cel_errors(schema: dict[str, Any], value: Any, old: Any, path: list[Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    for rule in schema.get("x-kubernetes-validations", []):
        transition = "oldSelf" in rule["rule"]
        if transition and old is None:
            continue
        if not evaluate_rule(rule["rule"], value, old if transition else None):
            field = _path(path) + rule.get("fieldPath", "")
            errors.append(FieldError(field, rule["message"]))
    if isinstance(value, dict):
        for name, child in schema.get("properties", {}).items():
            if name in value:
                old_child = old.get(name) if isinstance(old, dict) else None
                errors += _cel_errors(child, value[name], old_child, [*path, name])
    elif isinstance(value, list) and "items" in schema:
        # Transition rules inside lists are matched by list-map key only; none exist here.
        for index, item in enumerate(value):
            errors += _cel_errors(schema["items"], item, None, [*path, index])
    return errors


def validate_manifest(
    manifest: dict[str, Any], old: dict[str, Any] | None = None
) -> list[FieldError]:
    """Every reason the API server would refuse ``manifest`` (an update of ``old`` if given)."""
    if manifest.get("apiVersion") != API_VERSION:
        return [FieldError("apiVersion", f"must be {API_VERSION}")]
    try:
        resource = definition_for(manifest.get("kind", ""))
    except KeyError as exc:
        return [FieldError("kind", str(exc))]
    schema = resource.open_api_schema()
    value = apply_defaults(schema, copy.deepcopy(manifest))
    errors = [
        FieldError(_path(_error_path(err)), _schema_message(err))
        for err in jsonschema.Draft7Validator(schema).iter_errors(value)
    ]
    if errors:
        return sorted(errors, key=str)
    old_value = apply_defaults(schema, copy.deepcopy(old)) if old is not None else None
    return _cel_errors(schema, value, old_value, [])


def _error_path(error: jsonschema.ValidationError) -> list[Any]:
    path = list(error.absolute_path)
    if error.validator == "required":
        # Point at the missing field itself, not at its parent.
        missing = error.message.split("'")[1]
        path.append(missing)
    return path


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "required":
        return "is required"
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)  # type: ignore[union-attr]
        return f"must be one of {allowed}, not {error.instance!r}"
    if error.validator == "pattern":
        return f"{error.instance!r} does not match {error.validator_value}"
    return error.message
