"""Condition bookkeeping in the style of Knative's lifecycle files.

:class:`ConditionSet` holds a resource's conditions while a reconcile runs: every declared type
starts Unknown on the first visit, the ``mark_*`` methods set one type, and ``Ready`` is derived
from the others. Feature packages wrap it in intent-named helpers (``mark_build_failed(...)``)
so handlers read like the lifecycle they drive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from arkenos_crds.meta import (
    Condition,
    ConditionStatus,
    find_condition,
    new_condition,
    set_condition,
)

READY = "Ready"

# Reasons shared by every resource.
REASON_RECONCILING = "Reconciling"
REASON_READY = "Ready"


class ConditionSet:
    """Conditions of one object, with ``Ready`` summarising the ``dependents``."""

    def __init__(
        self,
        existing: Iterable[dict[str, Any]] | None,
        dependents: Sequence[str],
        generation: int | None,
        now: datetime | None = None,
    ) -> None:
        self._conditions = [Condition.model_validate(c) for c in existing or ()]
        self._dependents = tuple(dependents)
        self._generation = generation
        self._now = now
        for type_ in (*self._dependents, READY):
            if find_condition(self._conditions, type_) is None:
                self._mark(type_, ConditionStatus.UNKNOWN, REASON_RECONCILING, "")

    def get(self, type_: str) -> Condition | None:
        return find_condition(self._conditions, type_)

    def mark_true(self, type_: str, reason: str, message: str = "") -> None:
        self._mark(type_, ConditionStatus.TRUE, reason, message)

    def mark_false(self, type_: str, reason: str, message: str) -> None:
        self._mark(type_, ConditionStatus.FALSE, reason, message)

    def mark_unknown(self, type_: str, reason: str, message: str) -> None:
        self._mark(type_, ConditionStatus.UNKNOWN, reason, message)

    def drop(self, type_: str) -> None:
        """Forget a condition that no longer applies (for example Built after a switch to an
        image source)."""
        self._conditions = [c for c in self._conditions if c.type != type_]
        self._dependents = tuple(t for t in self._dependents if t != type_)

    def summarize(self, ready_message: str = "") -> Condition:
        """Set Ready from the dependents: the first False wins, then the first Unknown."""
        for wanted in (ConditionStatus.FALSE, ConditionStatus.UNKNOWN):
            for type_ in self._dependents:
                condition = self.get(type_)
                if condition is not None and condition.status == wanted:
                    self._mark(READY, wanted, condition.reason, condition.message)
                    return self._ready()
        self._mark(READY, ConditionStatus.TRUE, REASON_READY, ready_message)
        return self._ready()

    def to_wire(self) -> list[dict[str, Any]]:
        return [c.to_wire() for c in self._conditions]

    def _ready(self) -> Condition:
        ready = self.get(READY)
        assert ready is not None  # set in __init__
        return ready

    def _mark(self, type_: str, status: ConditionStatus, reason: str, message: str) -> None:
        condition = new_condition(type_, status, reason, message, self._generation, now=self._now)
        self._conditions = set_condition(self._conditions, condition)
