"""The edges of the resources' rules, where an off-by-one slips through: E.164 numbers start
with a non-zero digit after the plus, and a WorkerPool's min may equal its max but not exceed
it by one. Each is checked on the Python model and on the generated CRD schema and CEL rules
(what the API server enforces)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from arkenos_crds.meta import API_VERSION
from arkenos_crds.phonenumber import PhoneNumberSpec
from arkenos_crds.runtime import SessionStart
from arkenos_crds.validation import validate_manifest
from arkenos_crds.workerpool import PoolReplicas


def _manifest(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "metadata": {"name": "edge", "namespace": "acme"},
        "spec": spec,
    }


def _phone(number: str) -> dict[str, Any]:
    return {"number": number, "agentRef": {"name": "front-desk"}}


@pytest.mark.parametrize("number", ["+0123456789", "+04155550100", "+0"])
def test_e164_with_a_leading_zero_is_refused(number: str) -> None:
    with pytest.raises(ValidationError):
        PhoneNumberSpec.model_validate(_phone(number))
    errors = validate_manifest(_manifest("PhoneNumber", _phone(number)))
    assert [e.field for e in errors] == ["spec.number"]
    start = {
        "workspace": "acme",
        "agent": "front-desk",
        "room": "r",
        "jobId": "j",
        "direction": "Inbound",
        "caller": number,
        "dispatchedAt": "2026-01-01T00:00:00Z",
        "startedAt": "2026-01-01T00:00:00Z",
    }
    with pytest.raises(ValidationError):
        SessionStart.model_validate(start)


def test_e164_with_a_non_zero_first_digit_is_accepted() -> None:
    assert PhoneNumberSpec.model_validate(_phone("+14155550100")).number == "+14155550100"
    assert validate_manifest(_manifest("PhoneNumber", _phone("+14155550100"))) == []


def test_worker_pool_min_one_above_max_is_refused() -> None:
    with pytest.raises(ValidationError, match="min must not exceed max"):
        PoolReplicas.model_validate({"min": 4, "max": 3})
    errors = validate_manifest(_manifest("WorkerPool", {"replicas": {"min": 4, "max": 3}}))
    assert [(e.field, e.message) for e in errors] == [
        ("spec.replicas.min", "min must not exceed max")
    ]


def test_worker_pool_min_equal_to_max_is_accepted() -> None:
    assert PoolReplicas.model_validate({"min": 3, "max": 3}).min == 3
    assert validate_manifest(_manifest("WorkerPool", {"replicas": {"min": 3, "max": 3}})) == []
