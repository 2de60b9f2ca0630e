"""The models' CEL rules give the same answers when evaluated on only the fields they read
and remembered per value of those fields: a rule that reads ``self`` whole still sees all of
it, and a remembered answer never stands in for a different value."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import ValidationError

from arkenos_crds import compile_rules
from arkenos_crds._base import CelRule, KubeModel, _holds, _program, evaluate_rule
from arkenos_crds.custom import CodeSource
from arkenos_crds.voiceagent import VoiceAgentSpec
from arkenos_crds.workerpool import WorkerPoolSpec
from tests.substrate.k8s_resources import load_crd_manifests

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("rule", "reads"),
    [
        ("self.mode == 'Custom' ? has(self.custom) : !has(self.custom)", {"mode", "custom"}),
        ("has(self.bundle) != has(self.image)", {"bundle", "image"}),
        ("self.min <= self.max", {"min", "max"}),
        ("self.x.size() > 0", {"x"}),
        ("size(self) > 1", None),
        ("self.all(k, k != 'x')", None),
        ('self["min"] <= 1', None),
    ],
)
def test_a_rule_reads_the_fields_after_self(rule: str, reads: set[str] | None) -> None:
    found = CelRule(rule, "message").reads
    assert (None if found is None else set(found)) == reads


@pytest.mark.parametrize(
    ("rule", "presence"),
    [
        ("self.mode == 'Custom' ? has(self.custom) : !has(self.custom)", {"custom"}),
        ("has(self.bundle) != has(self.image)", {"bundle", "image"}),
        ("self.min <= self.max", set()),
        ("has(self.x) && self.x.size() > 0", set()),  # its value is read too
        ("has(self.x.y)", set()),  # a field inside x: x's value matters
        ("size(self) > 1", set()),
    ],
)
def test_a_rule_tests_the_presence_only_of_fields_it_reads_only_in_has(
    rule: str, presence: set[str]
) -> None:
    assert set(CelRule(rule, "message").tests_presence_of) == presence


def test_specs_that_differ_inside_a_field_tested_for_presence_share_the_answer() -> None:
    def custom(digest: str) -> dict[str, object]:
        return {"mode": "Custom", "custom": {"source": {"image": f"ghcr.io/acme/a@{digest}"}}}

    _holds.cache_clear()
    VoiceAgentSpec.model_validate(custom(DIGEST))
    asked = _holds.cache_info().misses
    VoiceAgentSpec.model_validate(custom("sha256:" + "b" * 64))
    assert _holds.cache_info().misses == asked  # no rule evaluated again
    with pytest.raises(ValidationError, match="custom is required when mode is Custom"):
        VoiceAgentSpec.model_validate({"mode": "Standard", "custom": custom(DIGEST)["custom"]})


class Pair(KubeModel):
    left: int | None = None
    right: int | None = None

    cel_rules: ClassVar[tuple[CelRule, ...]] = (
        CelRule("size(self) == 1", "exactly one of left and right"),
    )


def test_a_rule_that_reads_self_whole_sees_every_field() -> None:
    assert Pair.model_validate({"left": 1}).left == 1
    with pytest.raises(ValidationError, match="exactly one of left and right"):
        Pair.model_validate({"left": 1, "right": 2})
    with pytest.raises(ValidationError, match="exactly one of left and right"):
        Pair.model_validate({})


def test_remembered_answers_follow_the_value_of_the_fields_read() -> None:
    custom = {"source": {"image": f"ghcr.io/acme/a@{DIGEST}"}, "entrypoint": "agent"}
    for _ in range(3):  # answers remembered from the rounds before must not leak
        assert VoiceAgentSpec.model_validate({"mode": "Custom", "custom": custom}).custom
        with pytest.raises(ValidationError, match="custom is required when mode is Custom"):
            VoiceAgentSpec.model_validate({"mode": "Standard", "custom": custom})
        with pytest.raises(ValidationError, match="custom is required when mode is Custom"):
            VoiceAgentSpec.model_validate({"mode": "Custom"})
        assert VoiceAgentSpec.model_validate({"mode": "Standard"}).custom is None
        with pytest.raises(ValidationError, match="exactly one of bundle and image"):
            CodeSource.model_validate({"bundle": {"digest": DIGEST}, "image": "x@" + DIGEST})


def test_the_answer_on_the_fields_read_is_the_answer_on_the_whole_object() -> None:
    custom = {"source": {"bundle": {"digest": DIGEST}}, "entrypoint": "agent"}
    for spec in (
        {"mode": "Standard"},
        {"mode": "Standard", "instructions": "Sell."},
        {"mode": "Custom", "custom": custom},
    ):
        model = VoiceAgentSpec.model_validate(spec)
        for rule in VoiceAgentSpec.cel_rules:
            whole = evaluate_rule(rule.rule, model.to_wire())
            assert evaluate_rule(rule.rule, model._wire_read_by(rule)) is whole is True


def rules_in(node: object) -> set[str]:
    """Every CEL rule (``x-kubernetes-validations``) anywhere in a CRD's schema."""
    if isinstance(node, dict):
        found = {v["rule"] for v in node.get("x-kubernetes-validations") or []}
        return found.union(*(rules_in(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(rules_in(item) for item in node))
    return set()


def test_every_rule_of_the_crds_compiles_before_the_first_validation() -> None:
    """A long-running process (the operator) compiles every rule at start-up: its first
    reconciles then compile nothing."""
    crd_rules = set().union(*(rules_in(crd) for crd in load_crd_manifests()))
    _program.cache_clear()
    # This module's test models have rules of their own: at least the CRDs' are compiled.
    assert compile_rules() >= len(crd_rules) > 5
    compiled = _program.cache_info().misses
    for rule in crd_rules:
        _program(rule)
    custom = {"source": {"bundle": {"digest": DIGEST}}, "entrypoint": "agent"}
    VoiceAgentSpec.model_validate({"mode": "Custom", "custom": custom})
    WorkerPoolSpec.model_validate({"replicas": {"min": 1, "max": 3}})
    assert _program.cache_info().misses == compiled
