"""Base classes shared by every resource model: camelCase aliases and CEL rules.

A CEL rule is written once, on the model it constrains. The CRD generator copies it into
``x-kubernetes-validations`` so the API server enforces it, and the model's own validator
evaluates the same expression, so Python callers (the API, the operator) get the same answer
without a round trip to the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
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

    def to_schema(self) -> dict[str, str]:
        entry = {"rule": self.rule, "message": self.message}
        if self.field_path:
            entry["fieldPath"] = self.field_path
        if self.reason != "FieldValueInvalid":
            entry["reason"] = self.reason
        return entry


@cache
def _program(rule: str) -> celpy.Runner:
    env = celpy.Environment()
    return env.program(env.compile(rule))


def evaluate_rule(rule: str, self_value: Any, old_self: Any = None) -> bool:
    """Evaluate a CEL rule with ``self`` (and ``oldSelf`` for transition rules) bound."""
    activation: dict[str, Any] = {"self": json_to_cel(self_value)}
    if old_self is not None:
        activation["oldSelf"] = json_to_cel(old_self)
    result = _program(rule).evaluate(activation)
    if isinstance(result, CELEvalError):
        raise ValueError(f"CEL rule {rule!r} failed to evaluate: {result}")
    return bool(result)


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
        wire = self.to_wire()
        for rule in rules:
            if not evaluate_rule(rule.rule, wire):
                where = rule.field_path.lstrip(".") if rule.field_path else None
                raise ValueError(f"{where}: {rule.message}" if where else rule.message)
        return self

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
