"""The README's quickstart, step by step as written: its shell block is parsed and each
command is applied to a model of the cluster (validation only, no control plane here): CRDs
are installed before resources of their kinds, every manifest validates against its CRD (schema
and CEL) or Kubernetes' own schema, namespaces exist before anything is applied in them, the API
call names a real route with a valid body. At the end, what a call needs is there: the
WorkerPool the operator serves, the agent in a workspace, and every Secret the agent names, with
the keys it needs and the tool-secret label.

The real-control-plane run of the same steps belongs to the end-to-end tests.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml
from jsonschema import Draft202012Validator

from arkenos_crds.runtime import PROVIDER_SECRET_KEYS, providers_for
from arkenos_crds.secret_refs import SecretUse, secret_refs
from arkenos_crds.validation import validate_manifest
from arkenos_crds.voiceagent import VoiceAgent
from arkenos_operator.settings import OperatorSettings

ROOT = Path(__file__).resolve().parents[2]
TOOL_SECRET_LABEL = "arkenos.io/tool-secret"
#: What the chart installs before the quickstart starts (the README says so).
PLATFORM_NAMESPACE = "arkenos-system"


def quickstart_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the Quickstart section has no sh block"
    commands = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if words:
            commands.append(words)
    return commands


@dataclass
class Cluster:
    """What the steps have made so far."""

    crd_kinds: set[str] = field(default_factory=set)
    namespaces: set[str] = field(default_factory=lambda: {PLATFORM_NAMESPACE})
    workspaces: set[str] = field(default_factory=set)
    objects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[tuple[str, dict[str, Any]]]:
        return [(ns, doc) for ns, doc in self.objects if doc["kind"] == kind]


def _option(words: list[str], flag: str) -> str | None:
    return words[words.index(flag) + 1] if flag in words else None


def _documents(path: Path) -> list[dict[str, Any]]:
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return [doc for f in files for doc in yaml.safe_load_all(f.read_text()) if doc]


def kubectl(cluster: Cluster, words: list[str]) -> None:
    verb = words[1]
    if verb == "create" and words[2] == "namespace":
        cluster.namespaces.add(words[3])
    elif verb == "apply":
        namespace = _option(words, "-n")
        path = ROOT / str(_option(words, "-f"))
        for doc in _documents(path):
            apply(cluster, namespace, doc)
    elif verb == "get":
        assert words[2] in {"voice", "va", "pn", "wp"}, f"kubectl get {words[2]}"
    else:
        raise AssertionError(f"the quickstart runs a kubectl step this test does not know: {words}")


def apply(cluster: Cluster, namespace: str | None, doc: dict[str, Any]) -> None:
    if doc["kind"] == "CustomResourceDefinition":
        cluster.crd_kinds.add(doc["spec"]["names"]["kind"])
        return
    assert namespace is not None, f"{doc['kind']} {doc['metadata']['name']} applied without -n"
    assert namespace in cluster.namespaces, f"namespace {namespace} does not exist yet"
    if doc["apiVersion"].startswith("arkenos.io/"):
        assert doc["kind"] in cluster.crd_kinds, f"no CRD for {doc['kind']} yet"
        assert validate_manifest(doc) == []
    else:
        kubernetes_validate.validate(doc, "1.32", strict=True)
    cluster.objects.append((namespace, doc))


def curl(cluster: Cluster, words: list[str]) -> None:
    openapi = json.loads((ROOT / "api" / "openapi.json").read_text())
    method = (_option(words, "-X") or "GET").lower()
    url = next(w for w in words[1:] if w.startswith("$ARKENOS_API/"))
    path = url.removeprefix("$ARKENOS_API")
    operation = openapi["paths"][path][method]
    headers = [words[i + 1] for i, w in enumerate(words) if w == "-H"]
    assert any(h.startswith("Authorization: Bearer ") for h in headers)
    body = json.loads(str(_option(words, "-d")))
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": openapi["components"]}).validate(body)
    if path in {"/api/v1/workspaces/adopt"}:
        assert body["namespace"] in cluster.namespaces, "adopting a namespace that does not exist"
        cluster.workspaces.add(body["namespace"])
    elif path == "/api/v1/workspaces":
        cluster.namespaces.add(body["namespace"])
        cluster.workspaces.add(body["namespace"])


def test_the_readme_quickstart_leaves_everything_a_call_needs() -> None:
    cluster = Cluster()
    for words in quickstart_commands():
        {"kubectl": kubectl, "curl": curl}[words[0]](cluster, words)

    pools = cluster.of_kind("WorkerPool")
    pool_name = OperatorSettings.model_fields["pool_name"].default
    assert [(ns, doc["metadata"]["name"]) for ns, doc in pools] == [(PLATFORM_NAMESPACE, pool_name)]
    agents = cluster.of_kind("VoiceAgent")
    assert agents, "the quickstart applies no agent"
    first_agent = next(i for i, (_, d) in enumerate(cluster.objects) if d["kind"] == "VoiceAgent")
    assert cluster.objects.index(pools[0]) < first_agent, "the pool must exist before agents"
    secrets = {(ns, d["metadata"]["name"]): d for ns, d in cluster.of_kind("Secret")}
    for namespace, doc in agents:
        assert namespace in cluster.workspaces, f"{namespace} is not a workspace"
        agent = VoiceAgent.model_validate(doc)
        for ref in secret_refs(agent.spec):
            secret = secrets.get((namespace, ref.secret))
            assert secret is not None, f"{ref.field} names Secret {ref.secret}, not applied"
            keys = set(secret.get("stringData", {})) | set(secret.get("data", {}))
            if ref.use == SecretUse.TOOL_HEADER:
                assert ref.key in keys
                assert secret["metadata"].get("labels", {}).get(TOOL_SECRET_LABEL) == "true"
            elif ref.use == SecretUse.CREDENTIALS:
                required, _ = providers_for(agent.spec)
                assert {PROVIDER_SECRET_KEYS[p] for p in required} <= keys
