"""Base classes shared by every resource model: camelCase aliases and CEL rules.

A CEL rule is written once, on the model it constrains. The CRD generator copies it into
``x-kubernetes-validations`` so the API server enforces it, and the model's own validator
evaluates the same expression, so Python callers (the API, the operator) get the same answer
without a round trip to the cluster.

cel-python interprets a rule by walking its parse tree, a few hundred microseconds each time,
which made rules most of the cost of validating a spec. A rule's answer depends only on the
fields of ``self`` it reads, so the validator binds only those (a rule that reads ``self`` as a
whole gets all of it) and remembers the answer for each value of them: specs that differ in
their instructions or image share the answer of, say, the endpointing delays' rule. A field a
rule only tests for presence (``has(self.custom)``) is bound as a placeholder, so specs that
differ inside it (every custom agent's digest) share that answer too.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Any, ClassVar, Self

import celpy
from celpy.adapter import json_to_cel
from celpy.evaluation import CELEvalError
from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel


@dataclass(frozen=True)
class CelRule:
    """One ``x-kubernetes-validations`` entry.

    ``field_path`` is relative to the object the rule sits on (for example ``.custom``) and
    names the field an error should point at. A transition rule reads ``oldSelf`` and can only
    be checked on updates, so the model validator skips it.
    """

    rule: str
    message: str
    field_path: str | None = None
    reason: str = "FieldValueInvalid"

    @property
    def transition(self) -> bool:
        return "oldSelf" in self.rule

    @cached_property
    def reads(self) -> frozenset[str] | None:
        """The top-level fields of ``self`` the rule reads, or None when it reads ``self``
        itself (``size(self)``, ``self.all(...)``, ``self == ...``): then it needs all of it.
        A name inside a string literal may be counted too, which binds a field more, never
        less."""
        fields: set[str] = set()
        for found in re.finditer(r"\bself\b", self.rule):
            member = _MEMBER.match(self.rule, found.end())
            if member is None:
                return None
            fields.add(member.group(1))
        return frozenset(fields)

    @cached_property
    def tests_presence_of(self) -> frozenset[str]:
        """The fields of ``self`` the rule reads only as ``has(self.field)``: its answer
        depends on whether they are set, not on their value."""
        if not self.reads:
            return frozenset()
        everywhere = Counter(m.group(1) for m in _SELF_MEMBER.finditer(self.rule))
        in_has = Counter(m.group(1) for m in _HAS_SELF_MEMBER.finditer(self.rule))
        return frozenset(f for f in self.reads if in_has[f] == everywhere[f])

    def to_schema(self) -> dict[str, str]:
        entry = {"rule": self.rule, "message": self.message}
        if self.field_path:
            entry["fieldPath"] = self.field_path
        if self.reason != "FieldValueInvalid":
            entry["reason"] = self.reason
        return entry


#: ``.field`` after ``self``, not followed by a call (``self.all(...)`` is a macro on self).
_MEMBER = re.compile(r"\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()")
#: ``self.field``: each place a rule reads a top-level field.
_SELF_MEMBER = re.compile(r"\bself" + _MEMBER.pattern)
#: ``has(self.field)``: the presence test of a top-level field (not of one inside it).
_HAS_SELF_MEMBER = re.compile(r"\bhas\(\s*self\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)")
#: What a field only tested for presence is bound to.
PRESENT = True
#: Answers remembered (rule, value of the fields it reads): a few hundred bytes each.
RULE_CACHE_SIZE = 4096


@cache
def _program(rule: str) -> celpy.Runner:
    env = celpy.Environment()
    return env.program(env.compile(rule))


def compile_rules() -> int:
    """Compile now the CEL rule of every model defined so far (the resource modules the
    process imported), and return how many there are: for a long-running process, whose
    first validation of each model would otherwise compile its rules then (about 15 ms per
    rule), in the middle of the work it is measured on."""
    pending: list[type[KubeModel]] = [KubeModel]
    rules: set[str] = set()
    while pending:
        model = pending.pop()
        rules.update(rule.rule for rule in model.cel_rules)
        pending.extend(model.__subclasses__())
    for rule in rules:
        _program(rule)
    return len(rules)


def evaluate_rule(rule: str, self_value: Any, old_self: Any = None) -> bool:
    """Evaluate a CEL rule with ``self`` (and ``oldSelf`` for transition rules) bound."""
    activation: dict[str, Any] = {"self": json_to_cel(self_value)}
    if old_self is not None:
        activation["oldSelf"] = json_to_cel(old_self)
    result = _program(rule).evaluate(activation)
    if isinstance(result, CELEvalError):
        raise ValueError(f"CEL rule {rule!r} failed to evaluate: {result}")
    return bool(result)


@lru_cache(maxsize=RULE_CACHE_SIZE)
def _holds(rule: str, self_json: str) -> bool:
    """:func:`evaluate_rule` for ``self`` given as canonical JSON, remembered."""
    return evaluate_rule(rule, json.loads(self_json))


class KubeModel(BaseModel):
    """A piece of a resource: camelCase on the wire, unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        use_enum_values=True,
    )

    cel_rules: ClassVar[tuple[CelRule, ...]] = ()

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        if cls.cel_rules:
            target["x-kubernetes-validations"] = [r.to_schema() for r in cls.cel_rules]
        return schema

    @model_validator(mode="after")
    def _check_cel_rules(self) -> Self:
        rules = [r for r in type(self).cel_rules if not r.transition]
        if not rules:
            return self
        for rule in rules:
            if not _holds(rule.rule, json.dumps(self._wire_read_by(rule), sort_keys=True)):
                where = rule.field_path.lstrip(".") if rule.field_path else None
                raise ValueError(f"{where}: {rule.message}" if where else rule.message)
        return self

    def _wire_read_by(self, rule: CelRule) -> dict[str, Any]:
        """:meth:`to_wire` of the fields ``rule`` reads (all of them if it reads ``self``)."""
        if rule.reads is None:
            return self.to_wire()
        fields = type(self).model_fields
        include = {name for name, f in fields.items() if (f.alias or name) in rule.reads}
        wire = self.model_dump(by_alias=True, exclude_none=True, mode="json", include=include)
        for field in rule.tests_presence_of & wire.keys():
            wire[field] = PRESENT
        return wire

    def to_wire(self) -> dict[str, Any]:
        """The object as it appears in the resource: camelCase, unset fields omitted."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")

    def check_transition(self, old: Self) -> list[str]:
        """Messages of the transition rules (``oldSelf``) that ``old`` → ``self`` breaks."""
        new_wire, old_wire = self.to_wire(), old.to_wire()
        return [
            rule.message
            for rule in type(self).cel_rules
            if rule.transition and not evaluate_rule(rule.rule, new_wire, old_wire)
        ]
