"""What the schema cannot check about an agent, as pure functions over the Secrets it names.

The reconcile looks up the Secrets :func:`referenced_secrets` lists (the resource model's
:func:`~arkenos_crds.secret_refs.secret_refs`) in kopf's index of key names (:func:`secret_keys`
of every Secret, never its values) and passes them to :func:`check_agent`, which returns the
first problem a person must fix.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator, SchemaError

from arkenos_crds.runtime import PROVIDER_SECRET_KEYS, providers_for
from arkenos_crds.secret_refs import SecretUse, secret_names, secret_refs
from arkenos_crds.tools import ToolType
from arkenos_crds.voiceagent import VoiceAgentSpec
from arkenos_operator.kernel.errors import ReconcileError
from arkenos_operator.kernel.reasons import Reason

#: Names of the keys each Secret holds with a non-empty value; None when the Secret is missing.
SecretKeys = Mapping[str, frozenset[str] | None]


def secret_keys(secret: Mapping[str, object] | None) -> frozenset[str] | None:
    """Keys of a Secret object whose value is not empty (data is base64, stringData plain)."""
    if secret is None:
        return None
    keys: set[str] = set()
    for field in ("data", "stringData"):
        values = secret.get(field) or {}
        if isinstance(values, Mapping):
            keys.update(k for k, v in values.items() if isinstance(v, str) and _non_empty(v, field))
    return frozenset(keys)


def _non_empty(value: str, field: str) -> bool:
    if field == "stringData":
        return bool(value)
    try:
        return bool(base64.b64decode(value, validate=True))
    except ValueError:
        return False


def referenced_secrets(spec: VoiceAgentSpec) -> list[str]:
    """Every Secret name an agent refers to, in a stable order."""
    return secret_names(spec)


def referenced_secrets_of_body(spec: Mapping[str, Any]) -> list[str]:
    """:func:`referenced_secrets` of a raw spec, read without validating it (for kopf's index,
    which must not fail on a spec the model would refuse)."""
    return secret_names(spec)


def check_agent(spec: VoiceAgentSpec, secrets: SecretKeys) -> ReconcileError | None:
    """The first problem with the agent's credentials, tools or webhooks, or None."""
    return (
        _check_credentials(spec, secrets)
        or _check_tools(spec, secrets)
        or _check_webhooks(spec, secrets)
    )


def _check_credentials(spec: VoiceAgentSpec, secrets: SecretKeys) -> ReconcileError | None:
    # Without a secretRef the keys come from the workspace's stored keys, which the API
    # resolves per call: nothing for the operator to check.
    if spec.credentials is None:
        return None
    name = spec.credentials.secret_ref.name
    keys = secrets.get(name)
    if keys is None:
        return ReconcileError(
            Reason.SECRET_NOT_FOUND,
            f'Secret "{name}" named in credentials.secretRef does not exist in this namespace.',
        )
    required, _ = providers_for(spec)
    wanted = {PROVIDER_SECRET_KEYS[p] for p in required if p in PROVIDER_SECRET_KEYS}
    missing = sorted(wanted - keys)
    if missing:
        return ReconcileError(
            Reason.SECRET_MISSING_KEYS,
            f'Secret "{name}" has no value for {", ".join(missing)}, which the chosen '
            "providers need. Add the keys, or point the component at a baseURL.",
        )
    return None


def _check_tools(spec: VoiceAgentSpec, secrets: SecretKeys) -> ReconcileError | None:
    for tool in spec.tools:
        if tool.type != ToolType.HTTP or tool.http is None:
            continue
        problem = _schema_problem(tool.http.parameters)
        if problem:
            return ReconcileError(Reason.INVALID_TOOL, f'Tool "{tool.name}": parameters {problem}.')
    for ref in secret_refs(spec):
        keys = secrets.get(ref.secret)
        if ref.use != SecretUse.TOOL_HEADER or (keys is not None and ref.key in keys):
            continue
        where = "does not exist" if keys is None else f'has no key "{ref.key}"'
        return ReconcileError(
            Reason.TOOL_SECRET_NOT_FOUND,
            f'Tool "{ref.owner}": header {ref.header} reads Secret "{ref.secret}", which {where}.',
        )
    return None


def _schema_problem(parameters: Mapping[str, object]) -> str | None:
    if parameters.get("type") != "object":
        return 'must be a JSON Schema with "type": "object"'
    try:
        Draft202012Validator.check_schema(parameters)
    except SchemaError as error:
        path = "/".join(str(p) for p in error.absolute_path) or "(root)"
        return f"is not a valid JSON Schema at {path}: {error.message}"
    return None


def _check_webhooks(spec: VoiceAgentSpec, secrets: SecretKeys) -> ReconcileError | None:
    for ref in secret_refs(spec):
        keys = secrets.get(ref.secret)
        if ref.use != SecretUse.WEBHOOK or (keys is not None and ref.key in keys):
            continue
        where = "does not exist" if keys is None else f'has no key "{ref.key}"'
        return ReconcileError(
            Reason.WEBHOOK_SECRET_NOT_FOUND,
            f'Webhook "{ref.owner}" signs with Secret "{ref.secret}", which {where}.',
        )
    return None
