"""Small pure pieces of the PhoneNumber feature: error mapping, the generated password, the
agent view, status merging and the pinned number identity."""

from __future__ import annotations

import json

import pytest

from arkenos_crds.phonenumber import PhoneNumberSpec
from arkenos_operator.phonenumber.agent import agent_view
from arkenos_operator.phonenumber.errors import ServiceError
from arkenos_operator.phonenumber.line import _merge, service_failure
from arkenos_operator.phonenumber.provision import identity
from arkenos_operator.phonenumber.sip_secret import generate_password


@pytest.mark.parametrize(
    ("status", "reason", "retry"),
    [
        (429, "TwilioThrottled", True),
        (500, "TwilioUnavailable", True),
        (503, "TwilioUnavailable", True),
        (None, "TwilioUnavailable", True),
        (400, "TwilioRefused", False),
        (404, "TwilioRefused", False),
    ],
)
def test_service_errors_map_to_retry_or_refusal(
    status: int | None, reason: str, retry: bool
) -> None:
    failure = service_failure("NumberReady", ServiceError("Twilio", status, "the words"))
    assert (failure.condition, failure.reason, failure.waiting) == ("NumberReady", reason, retry)
    assert failure.message.endswith("the words")


def test_generated_passwords_meet_twilios_rules_and_differ() -> None:
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == 32
        assert any(c.islower() for c in password)
        assert any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password)


def test_agent_view_reads_readiness_and_dispatch_name() -> None:
    assert agent_view("a", "acme", None).found is False
    pending = agent_view("a", "acme", {"spec": {"mode": "Custom"}, "status": {}})
    assert (pending.found, pending.ready, pending.dispatch_name) == (
        True,
        False,
        "arkenos-custom-acme-a",
    )
    ready = agent_view(
        "a",
        "acme",
        {
            "spec": {},
            "status": {
                "dispatchName": "from-status",
                "conditions": [{"type": "Ready", "status": "True", "reason": "Ready"}],
            },
        },
    )
    assert (ready.ready, ready.dispatch_name) == (True, "from-status")
    failing = agent_view(
        "a",
        "acme",
        {
            "status": {
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "False",
                        "reason": "BuildFailed",
                        "message": "syntax error",
                    }
                ]
            }
        },
    )
    assert (failing.ready, failing.message, failing.dispatch_name) == (
        False,
        "syntax error",
        "arkenos-standard",
    )


def test_status_merge_follows_merge_patch_rules() -> None:
    status = {"twilio": {"numberSid": "PN1", "trunkSid": "TK1"}, "phoneNumber": "+1"}
    _merge(status, {"twilio": {"trunkSid": None, "credentialListSid": "CL1"}, "x": {"y": 1}})
    assert status == {
        "twilio": {"numberSid": "PN1", "credentialListSid": "CL1"},
        "phoneNumber": "+1",
        "x": {"y": 1},
    }


def test_identity_pins_only_the_number_fields() -> None:
    adopt = PhoneNumberSpec.model_validate({"number": "+14155550100", "agentRef": {"name": "a"}})
    repointed = adopt.model_copy(update={"outbound": True})
    assert identity(adopt) == identity(repointed) == json.dumps({"number": "+14155550100"})
    buy = PhoneNumberSpec.model_validate(
        {"purchase": {"country": "US", "areaCode": "415"}, "agentRef": {"name": "a"}}
    )
    assert json.loads(identity(buy)) == {
        "purchase": {"country": "US", "areaCode": "415", "numberType": "Local"}
    }
