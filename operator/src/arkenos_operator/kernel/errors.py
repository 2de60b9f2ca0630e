"""The one error a reconcile raises when it cannot converge: a :class:`Reason` (whose kind
:mod:`.reasons` decides), a message a person can act on, the condition it belongs to, and
optionally how long to wait before trying again."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from arkenos_operator.kernel.reasons import KIND, ErrorKind, Reason

READY = "Ready"


class ReconcileError(Exception):
    def __init__(
        self,
        reason: Reason,
        message: str,
        *,
        condition: str = READY,
        delay: float | None = None,
    ) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message
        self.condition = condition
        self.delay = delay

    @property
    def kind(self) -> ErrorKind:
        return KIND[self.reason]

    @property
    def waiting(self) -> bool:
        return self.kind is ErrorKind.WAITING


M = TypeVar("M", bound=BaseModel)


def parse_spec(model: type[M], obj: dict[str, Any], condition: str = READY) -> M:
    """``obj``'s spec as ``model`` reads it, or an InvalidSpec error naming the bad fields.

    The API server validates specs too, but one written before a schema change (or to an API
    without validation) must become a condition, never a crash loop.
    """
    try:
        return model.model_validate(obj.get("spec") or {})
    except ValidationError as error:
        problems = "; ".join(
            f"spec.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" if e["loc"] else e["msg"]
            for e in error.errors()
        )
        raise ReconcileError(Reason.INVALID_SPEC, problems, condition=condition) from error
