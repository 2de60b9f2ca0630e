"""A thin Kubernetes client over kubernetes_asyncio's ApiClient that speaks plain dicts.

Builders produce dicts and status is written as dicts, so the typed models of the generated
client would only add a conversion each way. Writes are JSON merge patches of the fields the
operator owns (see :meth:`KubeClient.apply`): server-side apply would be the better tool on a
real cluster, but the API the tests run against (kmock) only knows plain merge patches, and a
merge patch of owned fields gives the same drift correction for the fields we set.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import aiohttp
from kubernetes_asyncio import config
from kubernetes_asyncio.client import ApiClient, Configuration
from kubernetes_asyncio.client.exceptions import ApiException

from arkenos_crds.meta import GROUP, VERSION

MERGE_PATCH = "application/merge-patch+json"
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)

Body = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    """Where a kind of object lives in the API."""

    group: str
    version: str
    plural: str
    kind: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None, name: str | None = None, sub: str | None = None) -> str:
        root = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        parts = [root]
        if namespace is not None:
            parts.append(f"namespaces/{namespace}")
        parts.append(self.plural)
        if name is not None:
            parts.append(name)
        if sub is not None:
            parts.append(sub)
        return "/".join(parts)


DEPLOYMENTS = Kind("apps", "v1", "deployments", "Deployment")
JOBS = Kind("batch", "v1", "jobs", "Job")
PODS = Kind("", "v1", "pods", "Pod")
SECRETS = Kind("", "v1", "secrets", "Secret")
SERVICE_ACCOUNTS = Kind("", "v1", "serviceaccounts", "ServiceAccount")
NETWORK_POLICIES = Kind("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy")
VOICE_AGENTS = Kind(GROUP, VERSION, "voiceagents", "VoiceAgent")
WORKER_POOLS = Kind(GROUP, VERSION, "workerpools", "WorkerPool")
PHONE_NUMBERS = Kind(GROUP, VERSION, "phonenumbers", "PhoneNumber")


def without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def is_conflict(error: BaseException) -> bool:
    return isinstance(error, ApiException) and error.status == 409


def _reason(response: aiohttp.ClientResponse, payload: bytes) -> str:
    """The API's own message (a Status object) when there is one."""
    try:
        message = json.loads(payload).get("message")
    except (ValueError, AttributeError):
        message = None
    return str(message or response.reason)


class KubeClient:
    """get / list / create / patch / delete of any kind, as dicts."""

    def __init__(self, api: ApiClient) -> None:
        self._api = api
        # The generated client's session trusts the environment: every request then asks a
        # worker thread for proxy and netrc settings (a thread hop per request, a third of the
        # operator's CPU under load). Ours shares its connector (TLS, pool) and skips that;
        # a proxy set in the kubeconfig is still used.
        self._session = aiohttp.ClientSession(
            connector=api.rest_client.pool_manager.connector,
            connector_owner=False,
            trust_env=False,
            read_bufsize=2**21,
        )
        self._proxy = api.configuration.proxy or None

    @classmethod
    async def connect(cls) -> KubeClient:
        """In-cluster credentials when running in a pod, otherwise the kubeconfig."""
        configuration = Configuration()
        if os.environ.get("KUBERNETES_SERVICE_HOST"):
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        else:
            # kubernetes_asyncio reads KUBECONFIG at import; read it now instead.
            await config.load_kube_config(
                config_file=os.environ.get("KUBECONFIG"), client_configuration=configuration
            )
        return cls(ApiClient(configuration=configuration))

    async def close(self) -> None:
        await self._session.close()
        await self._api.close()

    async def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: list[tuple[str, str]] | None = None,
        content_type: str = "application/json",
    ) -> Body:
        """One request over the generated client's own session, TLS setup and credentials
        (refreshed tokens included), with plain JSON in and out: the generated client's
        generic path walks every body twice to (de)serialize models we never use."""
        headers = {"Accept": "application/json", "Content-Type": content_type}
        await self._api.update_params_for_auth(headers, [], ["BearerToken"])
        data = None if body is None else json.dumps(body)
        async with self._session.request(
            method,
            f"{self._api.configuration.host}{path}",
            params=query or None,
            data=data,
            headers=headers,
            timeout=REQUEST_TIMEOUT,
            proxy=self._proxy,
        ) as response:
            payload = await response.read()
            if response.status >= 400:
                raise ApiException(status=response.status, reason=_reason(response, payload))
        return dict(json.loads(payload)) if payload else {}

    async def get(self, kind: Kind, namespace: str | None, name: str) -> Body:
        return await self._call("GET", kind.path(namespace, name))

    async def get_or_none(self, kind: Kind, namespace: str | None, name: str) -> Body | None:
        try:
            return await self.get(kind, namespace, name)
        except ApiException as error:
            if error.status == 404:
                return None
            raise

    async def list(
        self, kind: Kind, namespace: str | None, label_selector: dict[str, str] | None = None
    ) -> list[Body]:
        query = None
        if label_selector:
            selector = ",".join(f"{k}={v}" for k, v in sorted(label_selector.items()))
            query = [("labelSelector", selector)]
        result = await self._call("GET", kind.path(namespace), query=query)
        return list(result.get("items") or [])

    async def create(self, kind: Kind, namespace: str | None, body: Body) -> Body:
        # Builders write null for a field the operator owns but leaves unset, so that a merge
        # patch removes it; on create a null means the same as no field, and sending none
        # keeps the stored object equal to what the next (no-op) patch produces.
        return await self._call("POST", kind.path(namespace), without_nulls(body))

    async def patch(
        self, kind: Kind, namespace: str | None, name: str, patch: Body, sub: str | None = None
    ) -> Body:
        return await self._call("PATCH", kind.path(namespace, name, sub), patch, None, MERGE_PATCH)

    async def patch_status(
        self, kind: Kind, namespace: str | None, name: str, status: Body
    ) -> Body:
        return await self.patch(kind, namespace, name, {"status": status}, sub="status")

    async def delete(self, kind: Kind, namespace: str | None, name: str) -> None:
        try:
            await self._call("DELETE", kind.path(namespace, name))
        except ApiException as error:
            if error.status != 404:
                raise

    async def apply(self, kind: Kind, body: Body, likely_missing: bool = False) -> Body:
        """Merge-patch the fields ``body`` sets onto the object, or create it if it is missing.

        A None in ``body`` removes that field from an existing object (merge-patch semantics);
        :meth:`create` leaves it out.

        ``body`` holds exactly the fields the operator owns, so the patch resets anything
        edited by hand among them and leaves fields set by others (status, defaults) alone.
        Patching first costs one request on every resync of an existing object; creating
        first would cost two (a 409, then the patch). When the caller knows the object is
        most likely new (``likely_missing``: its owner was never reconciled), it is created
        first, which saves the 404 instead.
        """
        namespace = body["metadata"].get("namespace")
        name = body["metadata"]["name"]
        if likely_missing:
            try:
                return await self.create(kind, namespace, body)
            except ApiException as error:
                if error.status != 409:
                    raise
            return await self.patch(kind, namespace, name, body)
        try:
            return await self.patch(kind, namespace, name, body)
        except ApiException as error:
            if error.status != 404:
                raise
        try:
            return await self.create(kind, namespace, body)
        except ApiException as error:
            if error.status != 409:
                raise
        # Created by a concurrent reconcile between our two requests: patch over it.
        return await self.patch(kind, namespace, name, body)
