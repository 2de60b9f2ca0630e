"""Workload identity: which agents a worker may serve, from its projected ServiceAccount
token checked with a Kubernetes TokenReview.

The shared pool's ServiceAccount (in the platform namespace) may serve every standard agent;
a custom agent's ServiceAccount ``arkenos-agent-<name>`` may serve only VoiceAgent
``<its namespace>/<name>``. The operator's ServiceAccount (named in the settings) may ask
whether any agent is ready. Successful reviews (the username) are cached briefly, keyed by the
token's SHA-256, so the API server is not asked on every event batch.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from kubernetes_asyncio.client import V1TokenReview, V1TokenReviewSpec

from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import ApiError
from arkenos_api.core.kube import Kube
from arkenos_crds.runtime import (
    POOL_SERVICE_ACCOUNT,
    WORKLOAD_TOKEN_AUDIENCE,
    custom_agent_service_account,
)
from arkenos_crds.voiceagent import AgentMode

_SA_PREFIX = "system:serviceaccount:"
_CUSTOM_PREFIX = custom_agent_service_account("")


@dataclass(frozen=True)
class Workload:
    """A worker identity. ``agent`` is None for the shared pool."""

    username: str
    namespace: str
    agent: str | None

    def may_serve(self, namespace: str, name: str, mode: str) -> bool:
        if self.agent is None:
            return mode == AgentMode.STANDARD
        return (self.namespace, self.agent) == (namespace, name) and mode == AgentMode.CUSTOM

    def may_ask_for(self, namespace: str, name: str) -> bool:
        """A cheap first check before the agent's mode is known."""
        return self.agent is None or (self.namespace, self.agent) == (namespace, name)


def workload_for(username: str, platform_namespace: str) -> Workload | None:
    """Map a TokenReview username to a workload, or None for any other identity."""
    if not username.startswith(_SA_PREFIX):
        return None
    namespace, _, account = username.removeprefix(_SA_PREFIX).partition(":")
    if namespace == platform_namespace and account == POOL_SERVICE_ACCOUNT:
        return Workload(username=username, namespace=namespace, agent=None)
    agent = account.removeprefix(_CUSTOM_PREFIX)
    if (
        account.startswith(_CUSTOM_PREFIX)
        and agent
        and custom_agent_service_account(agent) == account
    ):
        return Workload(username=username, namespace=namespace, agent=agent)
    return None


async def reviewed_username(*, kube: Kube, cache: BoundedCache[bytes, str], token: str) -> str:
    """The ServiceAccount user a token with our audience belongs to (TokenReview), or 401."""
    key = hashlib.sha256(token.encode()).digest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    review = V1TokenReview(spec=V1TokenReviewSpec(token=token, audiences=[WORKLOAD_TOKEN_AUDIENCE]))
    result = await kube.authn.create_token_review(review)
    status = result.status
    if (
        status is None
        or not status.authenticated
        or WORKLOAD_TOKEN_AUDIENCE not in (status.audiences or [])
        or status.user is None
    ):
        raise ApiError(401, "unauthenticated", "the workload token is not valid for this API")
    username: str = status.user.username or ""
    cache.put(key, username)
    return username


async def review_token(
    *, kube: Kube, cache: BoundedCache[bytes, str], token: str, platform_namespace: str
) -> Workload:
    username = await reviewed_username(kube=kube, cache=cache, token=token)
    workload = workload_for(username, platform_namespace)
    if workload is None:
        raise ApiError(403, "forbidden", f"{username} is not an Arkenos workload")
    return workload


async def review_operator_token(
    *, kube: Kube, cache: BoundedCache[bytes, str], token: str, operator_username: str
) -> str:
    """The operator's identity, or 401/403: only its own ServiceAccount may ask readiness."""
    username = await reviewed_username(kube=kube, cache=cache, token=token)
    if username != operator_username:
        raise ApiError(403, "forbidden", f"{username} is not the Arkenos operator")
    return username
