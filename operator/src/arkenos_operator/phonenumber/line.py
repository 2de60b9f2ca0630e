"""The PhoneNumber being reconciled (:class:`Line`), and the mapping from Twilio/LiveKit errors
to the kernel's reasons (:func:`service_failure`)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from arkenos_crds.phonenumber import PhoneNumberConditionType as C
from arkenos_crds.phonenumber import PhoneNumberSpec
from arkenos_operator.conditions import ConditionSet
from arkenos_operator.kernel.errors import ReconcileError, parse_spec
from arkenos_operator.kernel.reasons import Reason
from arkenos_operator.kube import PHONE_NUMBERS, KubeClient
from arkenos_operator.phonenumber.errors import ServiceError


def service_failure(condition: str, error: ServiceError) -> ReconcileError:
    """429 and 5xx (and no answer at all) back off and retry; other 4xx carry the service's
    own words."""
    if error.retryable:
        kind = "Throttled" if error.status == 429 else "Unavailable"
        answer = f"answered {error.status}" if error.status else "did not answer"
        return ReconcileError(
            Reason(f"{error.service}{kind}"),
            f"{error.service} {answer}: {error.message}",
            condition=condition,
        )
    return ReconcileError(
        Reason(f"{error.service}Refused"),
        f"{error.service} refused: {error.message}",
        condition=condition,
    )


@dataclass
class Line:
    """One PhoneNumber: its identity, spec, and the status as written so far.

    Every id the provisioning learns is written to status at once (:meth:`save`), so a crash
    right after creating something leaves a record of it (or, before the write, the marker
    the next reconcile finds it by).
    """

    namespace: str
    name: str
    uid: str
    generation: int | None
    spec: PhoneNumberSpec
    status: dict[str, Any]
    kube: KubeClient
    #: The conditions as this reconcile leaves them (the steps mark them as they go).
    conditions: ConditionSet
    annotations: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_body(cls, body: dict[str, Any], kube: KubeClient) -> Line:
        """The line, or an InvalidSpec error (a spec the API server's schema would refuse)."""
        metadata = body["metadata"]
        status = copy.deepcopy(dict(body.get("status") or {}))
        return cls(
            namespace=metadata["namespace"],
            name=metadata["name"],
            uid=metadata["uid"],
            generation=metadata.get("generation"),
            spec=parse_spec(PhoneNumberSpec, body, condition=C.NUMBER_READY),
            status=status,
            kube=kube,
            conditions=step_conditions(body),
            annotations=dict(metadata.get("annotations") or {}),
        )

    async def save(self, patch: dict[str, Any]) -> None:
        """Merge ``patch`` into status, here and in the API (None removes a field)."""
        _merge(self.status, patch)
        await self.kube.patch_status(PHONE_NUMBERS, self.namespace, self.name, patch)


#: The provisioning steps, in order; Ready summarises them.
STEPS: tuple[str, ...] = (C.NUMBER_READY, C.TRUNK_READY, C.DISPATCH_READY)


def step_conditions(body: dict[str, Any]) -> ConditionSet:
    status = body.get("status") or {}
    return ConditionSet(status.get("conditions"), STEPS, body["metadata"].get("generation"))


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
