"""Every example validates against its CRD (schema and CEL rules) and parses into its model;
bad manifests are refused with an error that names the field."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic import ValidationError

from arkenos_crds import PhoneNumber, VoiceAgent, WorkerPool
from arkenos_crds.validation import validate_manifest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MODELS = {"VoiceAgent": VoiceAgent, "PhoneNumber": PhoneNumber, "WorkerPool": WorkerPool}


def _documents() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        for index, doc in enumerate(yaml.safe_load_all(path.read_text())):
            docs.append((f"{path.relative_to(EXAMPLES)}#{index}", doc))
    return docs


DOCUMENTS = _documents()


def _example(kind: str, name: str) -> dict[str, Any]:
    for _, doc in DOCUMENTS:
        if doc["kind"] == kind and doc["metadata"]["name"] == name:
            return copy.deepcopy(doc)
    raise LookupError(f"no example {kind}/{name}")


def test_every_kind_has_examples() -> None:
    kinds = [doc["kind"] for _, doc in DOCUMENTS]
    assert kinds.count("VoiceAgent") >= 3
    assert kinds.count("PhoneNumber") >= 2
    assert kinds.count("WorkerPool") >= 1


@pytest.mark.parametrize(("where", "doc"), DOCUMENTS, ids=[w for w, _ in DOCUMENTS])
def test_example_is_valid(where: str, doc: dict[str, Any]) -> None:
    if doc["apiVersion"].startswith("arkenos.io/"):
        assert validate_manifest(doc) == []
        MODELS[doc["kind"]].model_validate(doc)
    else:
        kubernetes_validate.validate(doc, "1.32", strict=True)


def _standard() -> dict[str, Any]:
    return _example("VoiceAgent", "receptionist")


def _bundle() -> dict[str, Any]:
    return _example("VoiceAgent", "order-status")


def _adopt() -> dict[str, Any]:
    return _example("PhoneNumber", "support-line")


def _mutate(doc: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    *parents, leaf = dotted.split(".")
    node = doc
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[leaf]
    else:
        node[leaf] = value
    return doc


_DELETE = object()

BAD = [
    ("wrong enum", _standard, "spec.mode", "Basic", "spec.mode", "must be one of"),
    ("wrong nested enum", _standard, "spec.tts.provider", "Polly", "spec.tts.provider", "one of"),
    ("missing required", _adopt, "spec.agentRef", _DELETE, "spec.agentRef", "is required"),
    ("bad E.164", _adopt, "spec.number", "4155550100", "spec.number", "does not match"),
    (
        "custom fields on a standard agent",
        _standard,
        "spec.custom",
        {"source": {"image": "x/y@sha256:" + "a" * 64}},
        "spec.custom",
        "forbidden",
    ),
    ("custom agent without custom", _bundle, "spec.custom", _DELETE, "spec.custom", "required"),
    (
        "both adopt and purchase",
        _adopt,
        "spec.purchase",
        {"country": "US"},
        "spec.number",
        "exactly one of number",
    ),
    (
        "neither bundle nor image",
        _bundle,
        "spec.custom.source.bundle",
        _DELETE,
        "spec.custom.source",
        "exactly one of bundle and image",
    ),
    ("min above max", _bundle, "spec.custom.replicas.min", 9, "spec.custom.replicas.min", "min"),
    ("HTTP tool without http", _standard, "spec.tools.0.http", _DELETE, "spec.tools[0].http", ""),
    ("bad digest", _bundle, "spec.custom.source.bundle.digest", "sha256:xyz", "digest", ""),
    ("unpinned image", _bundle, "spec.custom.source", {"image": "acme/agent:latest"}, "image", ""),
]


@pytest.mark.parametrize(
    ("make", "path", "value", "field", "words"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_manifest_is_refused_naming_the_field(
    make: Any, path: str, value: Any, field: str, words: str
) -> None:
    doc = _mutate(make(), path, value)
    errors = validate_manifest(doc)
    assert errors, "the API server would have accepted it"
    assert any(field in e.field and words in e.message for e in errors), errors

    with pytest.raises(ValidationError) as refused:
        MODELS[doc["kind"]].model_validate(doc)
    leaf = field.rsplit(".", 1)[-1].split("[")[0]
    assert leaf in str(refused.value), "the model's error must name the field too"


def test_phone_number_is_immutable_once_set() -> None:
    old = _adopt()
    new = _mutate(_adopt(), "spec.number", "+14155550199")
    errors = validate_manifest(new, old=old)
    assert [(e.field, "immutable" in e.message) for e in errors] == [("spec.number", True)]

    # The same rule, checked by the model (the operator's handler uses this).
    old_spec = PhoneNumber.model_validate(old).spec
    new_spec = PhoneNumber.model_validate(new).spec
    assert new_spec.check_transition(old_spec) == [
        "number is immutable: create a new PhoneNumber to use another number"
    ]
    assert old_spec.check_transition(old_spec) == []


def test_switching_from_adopt_to_purchase_is_refused() -> None:
    old = _adopt()
    new = _mutate(_adopt(), "spec.number", _DELETE)
    new["spec"]["purchase"] = {"country": "US"}
    fields = {e.field for e in validate_manifest(new, old=old)}
    assert fields == {"spec.number", "spec.purchase"}


def test_updates_that_keep_the_number_are_accepted() -> None:
    old = _adopt()
    new = _mutate(_adopt(), "spec.agentRef.name", "another-agent")
    new["spec"]["outbound"] = True
    assert validate_manifest(new, old=old) == []


def test_defaults_are_applied_before_cel_rules() -> None:
    # mode defaults to Standard, so a bare spec passes; custom fields then are forbidden.
    bare = {"apiVersion": "arkenos.io/v1alpha1", "kind": "VoiceAgent", "metadata": {}, "spec": {}}
    assert validate_manifest(bare) == []
    bare["spec"]["custom"] = _bundle()["spec"]["custom"]
    assert [e.field for e in validate_manifest(bare)] == ["spec.custom"]
