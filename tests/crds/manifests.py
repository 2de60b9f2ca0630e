"""The example manifests and the bad variants of them that every validator must refuse: shared
by the offline validation tests (``test_examples.py``) and the real API server's
(``tests/realk8s/crds/``), so both refuse exactly the same cases."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def documents() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        for index, doc in enumerate(yaml.safe_load_all(path.read_text())):
            docs.append((f"{path.relative_to(EXAMPLES)}#{index}", doc))
    return docs


DOCUMENTS = documents()


def example(kind: str, name: str) -> dict[str, Any]:
    for _, doc in DOCUMENTS:
        if doc["kind"] == kind and doc["metadata"]["name"] == name:
            return copy.deepcopy(doc)
    raise LookupError(f"no example {kind}/{name}")


def standard() -> dict[str, Any]:
    return example("VoiceAgent", "receptionist")


def bundle() -> dict[str, Any]:
    return example("VoiceAgent", "order-status")


def adopt() -> dict[str, Any]:
    return example("PhoneNumber", "support-line")


def mutate(doc: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    *parents, leaf = dotted.split(".")
    node = doc
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is DELETE:
        del node[leaf]
    else:
        node[leaf] = value
    return doc


DELETE = object()

BAD = [
    ("wrong enum", standard, "spec.mode", "Basic", "spec.mode", "must be one of"),
    ("wrong nested enum", standard, "spec.tts.provider", "Polly", "spec.tts.provider", "one of"),
    ("missing required", adopt, "spec.agentRef", DELETE, "spec.agentRef", "is required"),
    ("bad E.164", adopt, "spec.number", "4155550100", "spec.number", "does not match"),
    (
        "custom fields on a standard agent",
        standard,
        "spec.custom",
        {"source": {"image": "x/y@sha256:" + "a" * 64}},
        "spec.custom",
        "forbidden",
    ),
    ("custom agent without custom", bundle, "spec.custom", DELETE, "spec.custom", "required"),
    (
        "both adopt and purchase",
        adopt,
        "spec.purchase",
        {"country": "US"},
        "spec.number",
        "exactly one of number",
    ),
    (
        "neither bundle nor image",
        bundle,
        "spec.custom.source.bundle",
        DELETE,
        "spec.custom.source",
        "exactly one of bundle and image",
    ),
    ("min above max", bundle, "spec.custom.replicas.min", 9, "spec.custom.replicas.min", "min"),
    ("HTTP tool without http", standard, "spec.tools.0.http", DELETE, "spec.tools[0].http", ""),
    ("bad digest", bundle, "spec.custom.source.bundle.digest", "sha256:xyz", "digest", ""),
    ("unpinned image", bundle, "spec.custom.source", {"image": "acme/agent:latest"}, "image", ""),
]
