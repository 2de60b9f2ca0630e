"""The PhoneNumber being reconciled (:class:`Line`) and the failure a provisioning step reports
(:class:`StepFailed`), with the mapping from Twilio/LiveKit errors to condition reasons."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from arkenos_crds.phonenumber import PhoneNumberSpec, PhoneNumberStatus
from arkenos_operator.kube import PHONE_NUMBERS, KubeClient
from arkenos_operator.phonenumber.errors import ServiceError


class StepFailed(Exception):
    """A step could not finish: ``condition`` gets ``reason`` and ``message``.

    ``retry`` says whether trying again later can help by itself (throttling, outages, a
    missing Secret someone will create); otherwise a person has to act first.
    """

    def __init__(self, condition: str, reason: str, message: str, retry: bool) -> None:
        super().__init__(message)
        self.condition, self.reason, self.message, self.retry = condition, reason, message, retry


def service_failure(condition: str, error: ServiceError) -> StepFailed:
    """429 and 5xx (and no answer at all) back off and retry; other 4xx carry the service's
    own words."""
    if error.retryable:
        reason = (
            f"{error.service}Throttled" if error.status == 429 else f"{error.service}Unavailable"
        )
        answer = f"answered {error.status}" if error.status else "did not answer"
        return StepFailed(condition, reason, f"{error.service} {answer}: {error.message}", True)
    return StepFailed(
        condition, f"{error.service}Refused", f"{error.service} refused: {error.message}", False
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
    annotations: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_body(cls, body: dict[str, Any], kube: KubeClient) -> Line:
        metadata = body["metadata"]
        return cls(
            namespace=metadata["namespace"],
            name=metadata["name"],
            uid=metadata["uid"],
            generation=metadata.get("generation"),
            spec=PhoneNumberSpec.model_validate(body.get("spec") or {}),
            status=copy.deepcopy(dict(body.get("status") or {})),
            kube=kube,
            annotations=dict(metadata.get("annotations") or {}),
        )

    @property
    def observed(self) -> PhoneNumberStatus:
        return PhoneNumberStatus.model_validate(self.status)

    async def save(self, patch: dict[str, Any]) -> None:
        """Merge ``patch`` into status, here and in the API (None removes a field)."""
        _merge(self.status, patch)
        await self.kube.patch_status(PHONE_NUMBERS, self.namespace, self.name, patch)


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
