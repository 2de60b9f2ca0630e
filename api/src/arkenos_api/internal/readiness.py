"""Whether a call to an agent would be served now, for the operator's Ready condition.

It resolves the runtime config exactly as a worker's request would (the same input gathering,
cache and build), and turns the answer into an :class:`AgentReadiness`: the errors a person
can fix by storing a key or creating a Secret become ``ready: false`` with a reason.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.core.errors import ApiError
from arkenos_api.core.kube import Kube
from arkenos_api.internal.config_inputs import gather_inputs, read_agent
from arkenos_api.internal.runtime_config import ConfigCache, cached_config
from arkenos_api.keys.crypto import Keyring
from arkenos_crds.runtime import AgentReadiness

#: The API error codes that mean "not ready", with the reason the operator reports.
READINESS_REASONS = {
    "not_a_workspace": "NotAWorkspace",
    "missing_provider_key": "ProviderKeyMissing",
    "credentials_secret_missing": "SecretMissing",
    "tool_secret_missing": "SecretMissing",
    "invalid_secret": "SecretMissing",
}


async def agent_readiness(
    *,
    db_session: AsyncSession,
    kube: Kube,
    keyring: Keyring,
    cache: ConfigCache,
    namespace: str,
    name: str,
) -> AgentReadiness:
    resource = await read_agent(kube, namespace, name)
    try:
        inputs = await gather_inputs(
            db_session=db_session, kube=kube, namespace=namespace, name=name, resource=resource
        )
        await cached_config(db_session=db_session, keyring=keyring, cache=cache, inputs=inputs)
    except ApiError as error:
        reason = READINESS_REASONS.get(error.code)
        if reason is None:
            raise
        return AgentReadiness(ready=False, reason=reason, message=error.message)
    return AgentReadiness(ready=True, message="a call to this agent would be served now")
