"""``secret_refs``: every Secret a spec names, typed, with the field that names it; the same
answer from the model and from the raw spec, and no failure on a spec the model refuses."""

from __future__ import annotations

from typing import Any

from arkenos_crds.secret_refs import (
    WEBHOOK_SIGNING_KEY,
    SecretRef,
    SecretUse,
    secret_names,
    secret_refs,
)
from arkenos_crds.voiceagent import VoiceAgentSpec

RAW: dict[str, Any] = {
    "credentials": {"secretRef": {"name": "keys"}},
    "tools": [
        {"name": "end", "type": "EndCall"},
        {
            "name": "book",
            "type": "HTTP",
            "http": {
                "url": "https://booking.example.com",
                "headers": [
                    {"name": "X-Plain", "value": "v"},
                    {"name": "Authorization", "valueFrom": {"name": "crm", "key": "token"}},
                ],
            },
        },
    ],
    "webhooks": [
        {
            "name": "hook",
            "url": "https://x.example",
            "events": ["CallEnded"],
            "secretRef": {"name": "keys"},
        }
    ],
}

EXPECTED = [
    SecretRef(SecretUse.CREDENTIALS, "keys", None, "spec.credentials.secretRef"),
    SecretRef(
        SecretUse.TOOL_HEADER,
        "crm",
        "token",
        "spec.tools[1].http.headers[1].valueFrom",
        owner="book",
        header="Authorization",
    ),
    SecretRef(SecretUse.WEBHOOK, "keys", WEBHOOK_SIGNING_KEY, "spec.webhooks[0].secretRef", "hook"),
]


def test_every_reference_with_its_field_path() -> None:
    assert secret_refs(RAW) == EXPECTED
    assert secret_names(RAW) == ["keys", "crm"]


def test_the_model_and_the_raw_spec_agree() -> None:
    assert secret_refs(VoiceAgentSpec.model_validate(RAW)) == EXPECTED


def test_a_spec_the_model_refuses_still_yields_what_it_names() -> None:
    broken = {
        "credentials": "nonsense",
        "tools": [None, {"http": "x"}],
        "webhooks": [{"secretRef": {"name": "w"}}],
    }
    assert secret_names(broken) == ["w"]
    assert secret_refs({}) == []
