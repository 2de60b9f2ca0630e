"""Reading a Secret that a spec names, on the developer's word: only Secrets labelled for
that purpose (arkenos_crds.runtime's *_SECRET_LABEL set to "true") may be read, so naming an
unrelated Secret of the namespace (a ServiceAccount token, a TLS key, a database password) in
a tool header or secretRef does not hand its value to the pool. Callers pass only namespaces
that are workspaces (resolved from the database first)."""

from __future__ import annotations

from arkenos_api.core.errors import ApiError
from arkenos_api.core.kube import Kube, SecretData
from arkenos_crds.runtime import SECRET_OPT_IN


async def read_marked_secret(
    kube: Kube, namespace: str, name: str, label: str, field: str, missing_code: str
) -> SecretData:
    secret = await kube.read_secret_data(namespace, name)
    if secret is None:
        raise ApiError(424, missing_code, f"Secret {name} does not exist", field)
    if secret.labels.get(label) != SECRET_OPT_IN:
        raise ApiError(
            424,
            "secret_not_marked",
            f'Secret {name} is not labelled {label}="{SECRET_OPT_IN}": label it to let '
            "Arkenos read it for this purpose",
            field,
        )
    return secret
