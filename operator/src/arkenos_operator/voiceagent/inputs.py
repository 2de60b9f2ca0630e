"""What a VoiceAgent reconcile reads from kopf's indexes instead of the API: the operator's
platform Secrets and the shared pool's readiness. kopf keeps indexes current from its watches
and fills them before any handler runs, so reading them costs no request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import kopf

#: Index ids: kopf passes an index to every handler as a keyword argument named by its id.
PLATFORM_SECRETS = "platform_secrets"
POOL_READINESS = "pool_readiness"


@dataclass(frozen=True)
class Inputs:
    """Indexed inputs of a reconcile, and whether it must re-apply unchanged children."""

    platform_secrets: Mapping[str, Any]
    pool_readiness: Mapping[Any, Any]
    force: bool = True

    @classmethod
    def from_handler(cls, kwargs: Mapping[str, Any], force: bool) -> Inputs:
        return cls(kwargs[PLATFORM_SECRETS], kwargs[POOL_READINESS], force)

    def platform_secret(self, name: str) -> dict[str, Any] | None:
        """The data of one of the operator's Secrets, or None when it does not exist."""
        secret: dict[str, Any] | None = _only(self.platform_secrets.get(name))
        return secret

    def pool_ready_replicas(self, namespace: str, name: str) -> int | None:
        """Ready workers of the pool as its status says, or None when there is no pool."""
        ready: int | None = _only(self.pool_readiness.get((namespace, name)))
        return ready


def _only(store: kopf.Store[Any] | None) -> Any:
    """The value of an index key that holds one object's value."""
    return next(iter(store), None) if store is not None else None


def register_indexes(
    registry: kopf.OperatorRegistry, operator_namespace: str, names: set[str], pool: str
) -> None:
    """Index the operator's platform Secrets (data by name) and its pool's ready replicas.

    The index functions are ``async`` although they never await: kopf runs synchronous
    handlers in a thread pool, which costs a thread hand-off for every watched event.
    """

    @kopf.index("", "v1", "secrets", id=PLATFORM_SECRETS, registry=registry)
    async def platform_secrets(
        namespace: str | None, name: str, body: kopf.Body, **_: Any
    ) -> dict[str, dict[str, Any]] | None:
        if namespace != operator_namespace or name not in names:
            return None
        return {name: {"data": dict(body.get("data") or {})}}

    @kopf.index("arkenos.io", "v1alpha1", "workerpools", id=POOL_READINESS, registry=registry)
    async def pool_readiness(
        namespace: str | None, name: str, status: kopf.Status, **_: Any
    ) -> dict[tuple[str | None, str], int] | None:
        if namespace != operator_namespace or name != pool:
            return None
        return {(namespace, name): int(status.get("readyReplicas") or 0)}
