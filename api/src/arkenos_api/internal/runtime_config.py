"""Resolve an agent's runtime config for a worker: its spec plus exactly the provider keys its
providers need, taken from the agent's ``credentials.secretRef`` Secret first and the
workspace's stored keys second, and the Secret values its HTTP tools' headers name in
``valueFrom`` (only those keys, never whole Secrets).

One request: authorise → gather the inputs once (:mod:`.config_inputs`, which carry their own
version) → cache lookup → on a miss, read the stored keys and build the config (a pure
function of the inputs and the keys).

Each request still reads the inputs (the resource, the Secrets, one row), so a change made
through any replica or with kubectl is seen at once; the cache only saves decrypting keys,
validating the spec and serialising the answer. Two replicas each keep their own cache, which
is safe for that reason.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import ApiError, forbidden
from arkenos_api.core.kube import Kube
from arkenos_api.internal.config_inputs import ConfigInputs, Version, gather_inputs, read_agent
from arkenos_api.internal.identity import Workload
from arkenos_api.keys.crypto import Keyring
from arkenos_api.keys.service import read_keys
from arkenos_crds.runtime import PROVIDER_SECRET_KEYS, Provider, RuntimeConfig, providers_for
from arkenos_crds.secret_refs import SecretUse
from arkenos_crds.voiceagent import VoiceAgentSpec, dispatch_name_for


@dataclass(frozen=True)
class ResolvedConfig:
    version: Version
    body: bytes


ConfigCache = BoundedCache[tuple[str, str], ResolvedConfig]


async def resolve_runtime_config(
    *,
    db_session: AsyncSession,
    kube: Kube,
    keyring: Keyring,
    cache: ConfigCache,
    workload: Workload,
    namespace: str,
    name: str,
) -> bytes:
    """The RuntimeConfig JSON for one agent, if ``workload`` may serve it."""
    if not workload.may_ask_for(namespace, name):
        raise forbidden(f"this workload may not serve agent {namespace}/{name}")
    resource = await read_agent(kube, namespace, name)
    if not workload.may_serve(
        namespace, name, (resource.get("spec") or {}).get("mode", "Standard")
    ):
        raise forbidden(f"this workload may not serve agent {namespace}/{name}")
    inputs = await gather_inputs(
        db_session=db_session, kube=kube, namespace=namespace, name=name, resource=resource
    )
    return await cached_config(db_session=db_session, keyring=keyring, cache=cache, inputs=inputs)


async def cached_config(
    *, db_session: AsyncSession, keyring: Keyring, cache: ConfigCache, inputs: ConfigInputs
) -> bytes:
    """The serialised config of ``inputs``, from the cache when they have not changed."""
    key, version = (inputs.namespace, inputs.name), inputs.version
    cached = cache.get(key)
    if cached is not None and cached.version == version:
        return cached.body
    spec = parse_spec(inputs)
    required, optional = providers_for(spec)
    from_secret = credentials_keys(inputs, required | optional)
    stored = await read_keys(
        db_session=db_session,
        keyring=keyring,
        workspace_id=inputs.workspace_id,
        providers=(required | optional) - from_secret.keys(),
    )
    config = build_config(inputs, spec, {**stored, **from_secret})
    body = config.model_dump_json(by_alias=True, exclude_none=True).encode()
    cache.put(key, ResolvedConfig(version, body))
    return body


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
            f"no key for {', '.join(missing)}: store one in workspace {inputs.namespace} or set "
            + ", ".join(PROVIDER_SECRET_KEYS.get(p, p.upper()) for p in missing)
            + " in the agent's credentials Secret",
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


def credentials_keys(inputs: ConfigInputs, wanted: set[Provider]) -> dict[Provider, str]:
    """The keys of ``wanted`` providers that the credentials Secret holds."""
    ref = next((r for r in inputs.refs if r.use == SecretUse.CREDENTIALS), None)
    if ref is None:
        return {}
    data = inputs.secrets[ref.secret][1]
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
        data = inputs.secrets[ref.secret][1]
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
