"""The Kubernetes client: one ApiClient per app, built in the lifespan from a kubeconfig file
or the in-cluster ServiceAccount."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes_asyncio import client, config
from kubernetes_asyncio.client.exceptions import ApiException

from arkenos_crds.meta import GROUP, VERSION

VOICEAGENTS = "voiceagents"
PHONENUMBERS = "phonenumbers"


@dataclass(frozen=True)
class SecretData:
    resource_version: str
    labels: dict[str, str]
    data: dict[str, str]


async def create_api_client(kubeconfig: Path | None) -> client.ApiClient:
    configuration = client.Configuration()
    if kubeconfig is not None:
        await config.load_kube_config(
            config_file=str(kubeconfig), client_configuration=configuration
        )
    else:
        config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
    return client.ApiClient(configuration)


class Kube:
    """The few Kubernetes calls the API makes, over one shared ApiClient."""

    def __init__(self, api_client: client.ApiClient) -> None:
        self.api_client = api_client
        self.core = client.CoreV1Api(api_client)
        self.custom = client.CustomObjectsApi(api_client)
        self.authn = client.AuthenticationV1Api(api_client)
        self.batch = client.BatchV1Api(api_client)

    async def _get(self, plural: str, namespace: str, name: str) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = await self.custom.get_namespaced_custom_object(
                GROUP, VERSION, namespace, plural, name
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return result

    async def _list(self, plural: str, namespace: str) -> list[dict[str, Any]]:
        result = await self.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, plural)
        items: list[dict[str, Any]] = result.get("items", [])
        return items

    async def _create(self, plural: str, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self.custom.create_namespaced_custom_object(
            GROUP, VERSION, namespace, plural, body
        )
        return result

    async def _merge_patch(
        self, plural: str, namespace: str, name: str, patch: dict[str, Any]
    ) -> dict[str, Any]:
        result: dict[str, Any] = await self.custom.patch_namespaced_custom_object(
            GROUP,
            VERSION,
            namespace,
            plural,
            name,
            patch,
            _content_type="application/merge-patch+json",  # type: ignore[call-arg]
        )
        return result

    async def get_voice_agent(self, namespace: str, name: str) -> dict[str, Any] | None:
        return await self._get(VOICEAGENTS, namespace, name)

    async def get_phone_number(self, namespace: str, name: str) -> dict[str, Any] | None:
        return await self._get(PHONENUMBERS, namespace, name)

    async def list_voice_agents(self, namespace: str) -> list[dict[str, Any]]:
        return await self._list(VOICEAGENTS, namespace)

    async def create_voice_agent(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._create(VOICEAGENTS, namespace, body)

    async def patch_voice_agent(
        self, namespace: str, name: str, patch: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._merge_patch(VOICEAGENTS, namespace, name, patch)

    async def delete_voice_agent(self, namespace: str, name: str) -> None:
        await self.custom.delete_namespaced_custom_object(
            GROUP, VERSION, namespace, VOICEAGENTS, name
        )

    async def list_phone_numbers(self, namespace: str) -> list[dict[str, Any]]:
        return await self._list(PHONENUMBERS, namespace)

    async def create_phone_number(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._create(PHONENUMBERS, namespace, body)

    async def patch_phone_number(
        self, namespace: str, name: str, patch: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._merge_patch(PHONENUMBERS, namespace, name, patch)

    async def delete_phone_number(self, namespace: str, name: str, resource_version: str) -> None:
        """Delete the PhoneNumber if it is still at ``resource_version`` (409 otherwise)."""
        await self.custom.delete_namespaced_custom_object(
            GROUP,
            VERSION,
            namespace,
            PHONENUMBERS,
            name,
            body=client.V1DeleteOptions(
                preconditions=client.V1Preconditions(resource_version=resource_version)
            ),
        )

    async def create_secret(self, body: dict[str, Any]) -> bool:
        """Create a Secret; False when one of that name already exists."""
        try:
            await self.core.create_namespaced_secret(body["metadata"]["namespace"], body)  # type: ignore[arg-type]
        except ApiException as exc:
            if exc.status == 409:
                return False
            raise
        return True

    async def replace_secret(self, body: dict[str, Any]) -> None:
        """Replace a Secret; the body's ``metadata.resourceVersion`` makes a racing change 409."""
        meta = body["metadata"]
        await self.core.replace_namespaced_secret(meta["name"], meta["namespace"], body)  # type: ignore[arg-type]

    async def read_secret_data(self, namespace: str, name: str) -> SecretData | None:
        """A Secret's resourceVersion, labels and base64 data, or None when it does not exist.

        Callers check the opt-in label before using the data (internal/secrets.py)."""
        try:
            secret = await self.core.read_namespaced_secret(name, namespace)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return SecretData(
            secret.metadata.resource_version or "",
            dict(secret.metadata.labels or {}),
            dict(secret.data or {}),
        )

    async def create_namespace(self, name: str, labels: dict[str, str]) -> bool:
        """Create a namespace; False when one of that name already exists."""
        body = {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": labels},
        }
        try:
            await self.core.create_namespace(body)  # type: ignore[arg-type]
        except ApiException as exc:
            if exc.status == 409:
                return False
            raise
        return True

    async def namespace_labels(self, name: str) -> dict[str, str] | None:
        """The labels of a namespace, or None when it does not exist."""
        try:
            namespace = await self.core.read_namespace(name)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        return dict(namespace.metadata.labels or {})

    async def apply_core(self, body: dict[str, Any]) -> None:
        """Create a namespaced ResourceQuota or LimitRange, or replace its spec."""
        meta = body["metadata"]
        namespace, name, spec = meta["namespace"], meta["name"], {"spec": body["spec"]}
        quota = body["kind"] == "ResourceQuota"
        try:
            if quota:
                await self.core.create_namespaced_resource_quota(namespace, body)  # type: ignore[arg-type]
            else:
                await self.core.create_namespaced_limit_range(namespace, body)  # type: ignore[arg-type]
        except ApiException as exc:
            if exc.status != 409:
                raise
            if quota:
                await self.core.patch_namespaced_resource_quota(name, namespace, spec)
            else:
                await self.core.patch_namespaced_limit_range(name, namespace, spec)

    async def label_namespace(self, name: str, labels: dict[str, str]) -> bool:
        """Add labels to an existing namespace; False when it does not exist."""
        try:
            await self.core.read_namespace(name)
        except ApiException as exc:
            if exc.status == 404:
                return False
            raise
        await self.core.patch_namespace(name, {"metadata": {"labels": labels}})
        return True

    async def list_jobs(self, namespace: str, label_selector: str) -> list[dict[str, Any]]:
        """The Jobs matching ``label_selector``, as plain dicts (camelCase keys)."""
        result = await self.batch.list_namespaced_job(namespace, label_selector=label_selector)
        items: list[dict[str, Any]] = self.api_client.sanitize_for_serialization(result.items)
        return items

    async def list_pods(self, namespace: str, label_selector: str) -> list[dict[str, Any]]:
        """The Pods matching ``label_selector``, as plain dicts (camelCase keys)."""
        result = await self.core.list_namespaced_pod(namespace, label_selector=label_selector)
        items: list[dict[str, Any]] = self.api_client.sanitize_for_serialization(result.items)
        return items

    async def read_pod_log(self, namespace: str, name: str, container: str, tail_lines: int) -> str:
        """The last ``tail_lines`` lines of one container's log."""
        text: str = await self.core.read_namespaced_pod_log(
            name, namespace, container=container, tail_lines=tail_lines
        )
        return text

    async def ping(self) -> None:
        """Ask for the arkenos.io API group: reachable, authorised, and the CRDs served."""
        await self.custom.get_api_resources(GROUP, VERSION)

    async def close(self) -> None:
        await self.api_client.close()
