"""The pure build of a runtime config from its gathered inputs and the provider keys found:
no I/O, so it is tested by comparing values and fenced by an import contract."""

from __future__ import annotations

import base64
import binascii

from pydantic import ValidationError

from arkenos_api.core.errors import ApiError
from arkenos_api.internal.config_inputs import ConfigInputs
from arkenos_crds.runtime import PROVIDER_SECRET_KEYS, Provider, RuntimeConfig, providers_for
from arkenos_crds.secret_refs import SecretUse
from arkenos_crds.voiceagent import VoiceAgentSpec, dispatch_name_for


def parse_spec(inputs: ConfigInputs) -> VoiceAgentSpec:
    try:
        return VoiceAgentSpec.model_validate(inputs.spec)
    except ValidationError as exc:
        raise ApiError(
            422, "invalid_agent", f"VoiceAgent {inputs.name} has an invalid spec: {exc}"
        ) from exc


def build_config(
    inputs: ConfigInputs, spec: VoiceAgentSpec, keys: dict[Provider, str]
) -> RuntimeConfig:
    """The config of ``inputs`` with the provider keys found, or a 424 naming what is missing."""
    required, _ = providers_for(spec)
    missing = sorted(required - keys.keys())
    if missing:
        raise ApiError(
            424,
            "missing_provider_key",
            missing_keys_message(inputs.namespace, missing),
            f"keys.{missing[0]}",
        )
    return RuntimeConfig(
        workspace=inputs.namespace,
        agent=inputs.name,
        generation=inputs.generation,
        dispatch_name=dispatch_name_for(inputs.namespace, inputs.name, spec.mode),
        spec=spec,
        keys=keys,
        tool_secrets=tool_secret_values(inputs),
    )


def missing_keys_message(namespace: str, missing: list[Provider]) -> str:
    """What to do about providers without a key, naming them."""
    return (
        f"no key for {', '.join(missing)}: store one in workspace {namespace} or set "
        + ", ".join(PROVIDER_SECRET_KEYS.get(p, p.upper()) for p in missing)
        + " in the agent's credentials Secret"
    )


def credentials_keys(inputs: ConfigInputs, wanted: set[Provider]) -> dict[Provider, str]:
    """The keys of ``wanted`` providers that the credentials Secret holds."""
    ref = next((r for r in inputs.refs if r.use == SecretUse.CREDENTIALS), None)
    if ref is None:
        return {}
    data = inputs.secrets[ref.secret].data
    keys: dict[Provider, str] = {}
    for provider in wanted:
        secret_key = PROVIDER_SECRET_KEYS.get(provider, "")
        if data.get(secret_key):
            keys[provider] = _text(
                data[secret_key], ref.field, f"{secret_key} of Secret {ref.secret}"
            )
    return keys


def tool_secret_values(inputs: ConfigInputs) -> dict[str, str]:
    """The header values the tools take from Secrets, keyed ``<secret>/<key>``."""
    values: dict[str, str] = {}
    for ref in inputs.refs:
        if ref.use != SecretUse.TOOL_HEADER or ref.key is None:
            continue
        data = inputs.secrets[ref.secret].data
        if ref.key not in data:
            raise ApiError(
                424, "tool_secret_missing", f"Secret {ref.secret} has no key {ref.key}", ref.field
            )
        values[f"{ref.secret}/{ref.key}"] = _text(
            data[ref.key], ref.field, f"key {ref.key} of Secret {ref.secret}"
        )
    return values


def _text(encoded: str, field: str, what: str) -> str:
    try:
        return base64.b64decode(encoded).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError(424, "invalid_secret", f"{what} is not valid text", field) from exc
