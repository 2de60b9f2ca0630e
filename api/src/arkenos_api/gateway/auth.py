"""Which custom agent a worker connection is: from a worker token signed with the agent's own
gateway key pair (what the unmodified livekit-agents SDK sends), or from the pod's projected
ServiceAccount token checked with a TokenReview. Either maps to exactly one VoiceAgent, which
must exist (with the key's uid) and be in Custom mode."""

from __future__ import annotations

from typing import Any

import jwt
from livekit.api import TokenVerifier

from arkenos_api.core.cache import BoundedCache
from arkenos_api.core.errors import ApiError
from arkenos_api.core.kube import Kube
from arkenos_api.gateway.filters import AgentIdentity
from arkenos_api.internal.identity import review_token
from arkenos_crds.gateway import GatewayKeyId, gateway_secret
from arkenos_crds.voiceagent import AgentMode, dispatch_name_for


def bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthenticated",
            "send a worker token signed with the agent's gateway key, or the pod's "
            "ServiceAccount token, as a Bearer token",
        )
    return token.strip()


def gateway_key_of(token: str) -> GatewayKeyId | None:
    """The per-agent key a token claims to be signed with (unverified), or None."""
    try:
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    issuer = claims.get("iss")
    return GatewayKeyId.parse(issuer) if isinstance(issuer, str) else None


def verify_key_token(token: str, key_id: GatewayKeyId, platform_secret: str) -> None:
    verifier = TokenVerifier(str(key_id), gateway_secret(platform_secret, key_id))
    try:
        claims = verifier.verify(token)
    except jwt.PyJWTError as error:
        raise ApiError(
            401, "unauthenticated", f"the worker token does not verify with its key: {error}"
        ) from error
    if claims.video is None or not claims.video.agent:
        raise ApiError(403, "forbidden", "the worker token carries no agent grant")


async def custom_agent(
    kube: Kube, namespace: str, name: str, uid: str | None = None
) -> AgentIdentity:
    """The custom agent ``namespace/name`` (of ``uid`` when given), or 403."""
    body = await kube.get_voice_agent(namespace, name)
    if body is None or (uid is not None and body["metadata"].get("uid") != uid):
        raise ApiError(403, "forbidden", f"VoiceAgent {namespace}/{name} does not exist (any more)")
    if (body.get("spec") or {}).get("mode") != AgentMode.CUSTOM:
        raise ApiError(403, "forbidden", f"VoiceAgent {namespace}/{name} is not a custom agent")
    dispatch_name = dispatch_name_for(namespace, name, AgentMode.CUSTOM)
    return AgentIdentity(namespace, name, dispatch_name, body["metadata"].get("uid"))


async def authenticate(
    authorization: str | None,
    *,
    kube: Kube,
    reviews: BoundedCache[bytes, str],
    platform_namespace: str,
    platform_secret: str,
) -> AgentIdentity:
    token = bearer(authorization)
    key_id = gateway_key_of(token)
    if key_id is not None:
        verify_key_token(token, key_id, platform_secret)
        return await custom_agent(kube, key_id.namespace, key_id.name, key_id.uid)
    workload = await review_token(
        kube=kube, cache=reviews, token=token, platform_namespace=platform_namespace
    )
    if workload.agent is None:
        raise ApiError(
            403, "forbidden", "the shared pool registers with LiveKit itself, not the gateway"
        )
    return await custom_agent(kube, workload.namespace, workload.agent)
