"""Label and field selectors as the Kubernetes API server reads them, for the emulated API.

Label selectors support ``k``, ``!k``, ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)`` and
``k notin (a,b)``; field selectors support ``path=v``, ``path==v`` and ``path!=v`` on any dotted
path (``metadata.name``, ``status.phase``), compared as strings like the API server does.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Selector = Callable[[Mapping[str, Any]], bool]

_KEY = r"[^\s!=(),]+"
_ABSENT = re.compile(rf"!\s*(?P<key>{_KEY})")
_SET = re.compile(rf"(?P<key>{_KEY})\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)")
_EQUALITY = re.compile(rf"(?P<key>{_KEY})\s*(?P<op>==|=|!=)\s*(?P<value>[^\s!=(),]*)")
_EXISTS = re.compile(rf"(?P<key>{_KEY})")


class SelectorError(ValueError):
    """The selector text cannot be parsed (the API server answers 400 Bad Request)."""


@dataclass(frozen=True)
class LabelRequirement:
    key: str
    operator: Literal["exists", "absent", "in", "notin"]
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        match self.operator:
            case "exists":
                return self.key in labels
            case "absent":
                return self.key not in labels
            case "in":
                return labels.get(self.key) in self.values
            case "notin":
                return labels.get(self.key) not in self.values


@dataclass(frozen=True)
class FieldRequirement:
    path: tuple[str, ...]
    value: str
    equal: bool

    def matches(self, obj: Mapping[str, Any]) -> bool:
        return (_field_text(obj, self.path) == self.value) == self.equal


def parse_label_selector(text: str) -> list[LabelRequirement]:
    return [_parse_label_term(term) for term in _split_terms(text)]


def parse_field_selector(text: str) -> list[FieldRequirement]:
    return [_parse_field_term(term) for term in _split_terms(text)]


def build_selector(label_selector: str = "", field_selector: str = "") -> Selector:
    """A predicate over whole objects that is true when both selectors match."""
    labels = parse_label_selector(label_selector)
    fields = parse_field_selector(field_selector)

    def selects(obj: Mapping[str, Any]) -> bool:
        object_labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(requirement.matches(object_labels) for requirement in labels) and all(
            requirement.matches(obj) for requirement in fields
        )

    return selects


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not inside ``( … )``; drop empty terms."""
    terms: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise SelectorError(f"Unbalanced parentheses in selector {text!r}.")
        if char == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth != 0:
        raise SelectorError(f"Unbalanced parentheses in selector {text!r}.")
    terms.append("".join(current))
    return [term.strip() for term in terms if term.strip()]


def _parse_label_term(term: str) -> LabelRequirement:
    if match := _ABSENT.fullmatch(term):
        return LabelRequirement(match["key"], "absent")
    if match := _SET.fullmatch(term):
        values = frozenset(value.strip() for value in match["values"].split(","))
        return LabelRequirement(match["key"], "in" if match["op"] == "in" else "notin", values)
    if match := _EQUALITY.fullmatch(term):
        operator: Literal["in", "notin"] = "notin" if match["op"] == "!=" else "in"
        return LabelRequirement(match["key"], operator, frozenset({match["value"]}))
    if match := _EXISTS.fullmatch(term):
        return LabelRequirement(match["key"], "exists")
    raise SelectorError(f"Cannot parse the label selector term {term!r}.")


def _parse_field_term(term: str) -> FieldRequirement:
    match = _EQUALITY.fullmatch(term)
    if match is None:
        raise SelectorError(f"Cannot parse the field selector term {term!r}.")
    return FieldRequirement(tuple(match["key"].split(".")), match["value"], match["op"] != "!=")


def _field_text(obj: Mapping[str, Any], path: tuple[str, ...]) -> str:
    value: Any = obj
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
