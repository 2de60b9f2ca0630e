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

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import forbidden
from arkenos_api.core.kube import Kube
from arkenos_api.internal.config_build import build_config, credentials_keys, parse_spec
from arkenos_api.internal.config_inputs import ConfigInputs, Version, gather_inputs, read_agent
from arkenos_api.internal.identity import Workload
from arkenos_api.keys.crypto import Keyring
from arkenos_api.keys.service import read_keys
from arkenos_crds.runtime import Provider, providers_for


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
    keys = await resolve_keys(
        db_session=db_session, keyring=keyring, inputs=inputs, providers=required | optional
    )
    config = build_config(inputs, spec, keys)
    body = config.model_dump_json(by_alias=True, exclude_none=True).encode()
    cache.put(key, ResolvedConfig(version, body))
    return body


async def resolve_keys(
    *,
    db_session: AsyncSession,
    keyring: Keyring,
    inputs: ConfigInputs,
    providers: set[Provider],
) -> dict[Provider, str]:
    """The keys of ``providers`` that an agent's calls use, in the order the platform resolves
    them everywhere (the worker's config, the post-call analysis): the agent's
    ``credentials.secretRef`` Secret first, then the workspace's stored keys."""
    from_secret = credentials_keys(inputs, providers)
    stored = await read_keys(
        db_session=db_session,
        keyring=keyring,
        workspace_id=inputs.workspace_id,
        providers=providers - from_secret.keys(),
    )
    return {**stored, **from_secret}
