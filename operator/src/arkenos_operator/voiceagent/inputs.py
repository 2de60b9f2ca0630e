"""What a VoiceAgent reconcile reads from kopf's indexes instead of the API: the operator's
platform Secrets, the key names of every Secret (never values) and the shared pool's
readiness. kopf keeps indexes current from its watches (it watches Secrets anyway, for the
agents that name them) and fills them before any handler runs, so reading them costs no
request. A Secret's event updates the index before the handler that reconciles the agents
naming it runs, so a Secret created after its agent is seen by that reconcile."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import kopf

from arkenos_crds.runtime import AGENT_LABEL
from arkenos_operator.children import MANAGED_BY
from arkenos_operator.scaling.pods import DELETION_COST
from arkenos_operator.voiceagent import names
from arkenos_operator.voiceagent.validation import secret_keys as keys_with_values

Body = dict[str, Any]

#: Index ids: kopf passes an index to every handler as a keyword argument named by its id.
PLATFORM_SECRETS = "platform_secrets"
POOL_READINESS = "pool_readiness"
SECRET_KEYS = "secret_keys"  # noqa: S105 - an index name
AGENT_PODS = "agent_pods"
BUILD_JOBS = "build_jobs"
#: Jobs the operator made for agents (their builds).
OUR_JOBS: dict[str, Any] = {
    "app.kubernetes.io/managed-by": MANAGED_BY,
    "app.kubernetes.io/name": names.APP_NAME,
}
#: Custom agents' serving pods (the labels their Deployment gives them).
AGENT_POD_LABELS: dict[str, Any] = {
    "app.kubernetes.io/managed-by": MANAGED_BY,
    "app.kubernetes.io/name": names.APP_NAME,
    "app.kubernetes.io/component": names.COMPONENT_AGENT,
    AGENT_LABEL: kopf.PRESENT,
}


@dataclass(frozen=True)
class Inputs:
    """Indexed inputs of a reconcile, and whether it must re-apply unchanged children."""

    platform_secrets: Mapping[str, Any]
    pool_readiness: Mapping[Any, Any]
    secret_keys: Mapping[Any, Any]
    agent_pods: Mapping[Any, Any]
    build_jobs: Mapping[Any, Any]
    force: bool = True

    @classmethod
    def from_handler(cls, kwargs: Mapping[str, Any], force: bool) -> Inputs:
        return cls(
            kwargs[PLATFORM_SECRETS],
            kwargs[POOL_READINESS],
            kwargs[SECRET_KEYS],
            kwargs[AGENT_PODS],
            kwargs[BUILD_JOBS],
            force,
        )

    def build_job(self, namespace: str, name: str) -> Body | None:
        """A build Job as the watch last saw it (metadata and status), None when unseen."""
        job: Body | None = _only(self.build_jobs.get((namespace, name)))
        return job

    def pods_of_agent(self, namespace: str, agent: str) -> list[Body]:
        """The custom agent's serving pods as the watch last saw them (what measuring their
        sessions reads: name, IP, phase, metrics port, deletion cost), in name order."""
        store = self.agent_pods.get((namespace, agent))
        pods: list[Body] = sorted(store or [], key=lambda p: str(p["metadata"]["name"]))
        return pods

    def keys_of_secret(self, namespace: str, name: str) -> frozenset[str] | None:
        """Names of the keys a Secret holds with a value, or None when it does not exist."""
        keys: frozenset[str] | None = _only(self.secret_keys.get((namespace, name)))
        return keys

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
    """Index the operator's platform Secrets (data by name), every Secret's key names (by
    namespace and name), custom agents' pods (by agent) and build Jobs (by name), and the
    operator's pool's ready replicas.

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

    @kopf.index("", "v1", "secrets", id=SECRET_KEYS, registry=registry)
    async def secret_keys(
        namespace: str | None, name: str, body: kopf.Body, **_: Any
    ) -> dict[tuple[str | None, str], frozenset[str] | None]:
        return {(namespace, name): keys_with_values(body)}

    @kopf.index("", "v1", "pods", labels=AGENT_POD_LABELS, id=AGENT_PODS, registry=registry)
    async def agent_pods(
        namespace: str | None, labels: kopf.Labels, body: kopf.Body, **_: Any
    ) -> dict[tuple[str | None, str], Body]:
        return {(namespace, labels[AGENT_LABEL]): slim_pod(body)}

    @kopf.index("batch", "v1", "jobs", labels=OUR_JOBS, id=BUILD_JOBS, registry=registry)
    async def build_jobs(
        namespace: str | None, name: str, body: kopf.Body, **_: Any
    ) -> dict[tuple[str | None, str], Body]:
        meta = body.metadata
        return {
            (namespace, name): {
                "metadata": {
                    "namespace": namespace,
                    "name": name,
                    "annotations": dict(meta.annotations),
                    "resourceVersion": meta.get("resourceVersion"),
                },
                "status": dict(body.status),
            }
        }

    @kopf.index("arkenos.io", "v1alpha1", "workerpools", id=POOL_READINESS, registry=registry)
    async def pool_readiness(
        namespace: str | None, name: str, status: kopf.Status, **_: Any
    ) -> dict[tuple[str | None, str], int] | None:
        if namespace != operator_namespace or name != pool:
            return None
        return {(namespace, name): int(status.get("readyReplicas") or 0)}


def slim_pod(pod: kopf.Body) -> Body:
    """The fields of a pod that measuring it reads, in the pod's own shape: an index of whole
    pods would hold their specs and statuses for nothing."""
    meta, status = pod.metadata, pod.status
    annotations = dict(meta.annotations)
    containers = (pod.spec.get("containers") or []) if pod.spec else []
    return {
        "metadata": {
            "namespace": meta.namespace,
            "name": meta.name,
            "deletionTimestamp": meta.get("deletionTimestamp"),
            "annotations": {DELETION_COST: annotations[DELETION_COST]}
            if DELETION_COST in annotations
            else {},
        },
        "status": {"phase": status.get("phase"), "podIP": status.get("podIP")},
        "spec": {"containers": [{"ports": c.get("ports") or []} for c in containers]},
    }
