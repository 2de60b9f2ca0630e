"""Every example validates against its CRD (schema and CEL rules) and parses into its model;
bad manifests are refused with an error that names the field."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
from pydantic import ValidationError

from arkenos_crds import PhoneNumber, VoiceAgent, WorkerPool
from arkenos_crds.validation import validate_manifest
from tests.crds.manifests import BAD, DELETE, DOCUMENTS, adopt, bundle, mutate

MODELS = {"VoiceAgent": VoiceAgent, "PhoneNumber": PhoneNumber, "WorkerPool": WorkerPool}


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


@pytest.mark.parametrize(
    ("make", "path", "value", "field", "words"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_bad_manifest_is_refused_naming_the_field(
    make: Any, path: str, value: Any, field: str, words: str
) -> None:
    doc = mutate(make(), path, value)
    errors = validate_manifest(doc)
    assert errors, "the API server would have accepted it"
    assert any(field in e.field and words in e.message for e in errors), errors

    with pytest.raises(ValidationError) as refused:
        MODELS[doc["kind"]].model_validate(doc)
    leaf = field.rsplit(".", 1)[-1].split("[")[0]
    assert leaf in str(refused.value), "the model's error must name the field too"


def test_phone_number_is_immutable_once_set() -> None:
    old = adopt()
    new = mutate(adopt(), "spec.number", "+14155550199")
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
    old = adopt()
    new = mutate(adopt(), "spec.number", DELETE)
    new["spec"]["purchase"] = {"country": "US"}
    fields = {e.field for e in validate_manifest(new, old=old)}
    assert fields == {"spec.number", "spec.purchase"}


def test_updates_that_keep_the_number_are_accepted() -> None:
    old = adopt()
    new = mutate(adopt(), "spec.agentRef.name", "another-agent")
    new["spec"]["outbound"] = True
    assert validate_manifest(new, old=old) == []


def test_defaults_are_applied_before_cel_rules() -> None:
    # mode defaults to Standard, so a bare spec passes; custom fields then are forbidden.
    bare = {"apiVersion": "arkenos.io/v1alpha1", "kind": "VoiceAgent", "metadata": {}, "spec": {}}
    assert validate_manifest(bare) == []
    bare["spec"]["custom"] = bundle()["spec"]["custom"]
    assert [e.field for e in validate_manifest(bare)] == ["spec.custom"]
