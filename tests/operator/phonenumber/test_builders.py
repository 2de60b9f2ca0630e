"""The PhoneNumber feature's pure builders, compared as dicts."""

from __future__ import annotations

import base64
import json

from arkenos_operator.phonenumber import builders

UID = "0b6f4f0e-8d36-4a51-9d0c-6a2bd7e0c001"


def test_names_and_markers_carry_the_uid() -> None:
    assert builders.marker(UID) == f"arkenos:{UID}"
    assert builders.termination_domain(UID) == f"arkenos-{UID}.pstn.twilio.com"
    assert builders.livekit_name("acme", "support") == "arkenos-acme-support"
    assert builders.owned_by(builders.livekit_metadata(UID), UID)
    assert not builders.owned_by(builders.livekit_metadata("other"), UID)
    assert not builders.owned_by("not json", UID)
    assert not builders.owned_by("", UID)


def test_inbound_trunk_carries_the_number_and_who_may_call_it() -> None:
    assert builders.inbound_trunk("acme", "support", UID, "+14155550100", []) == {
        "name": "arkenos-acme-support",
        "metadata": json.dumps({"arkenos.io/phonenumber-uid": UID}),
        "numbers": ["+14155550100"],
    }
    restricted = builders.inbound_trunk("acme", "support", UID, "+1", ["54.172.60.0/30"])
    assert restricted["allowedAddresses"] == ["54.172.60.0/30"]


def test_outbound_trunk_points_at_twilio_termination_with_the_credential() -> None:
    assert builders.outbound_trunk("acme", "support", UID, "+14155550100", "u", "p") == {
        "name": "arkenos-acme-support",
        "metadata": json.dumps({"arkenos.io/phonenumber-uid": UID}),
        "address": f"arkenos-{UID}.pstn.twilio.com",
        "numbers": ["+14155550100"],
        "authUsername": "u",
        "authPassword": "p",
    }


def test_dispatch_rule_gives_each_call_a_room_and_names_the_agent() -> None:
    rule = builders.dispatch_rule(
        "acme", "support", UID, "ST_abc", "receptionist", "arkenos-standard", "+14155550100"
    )
    assert rule == {
        "name": "arkenos-acme-support",
        "metadata": json.dumps({"arkenos.io/phonenumber-uid": UID}),
        "trunkIds": ["ST_abc"],
        "rule": {"dispatchRuleIndividual": {"roomPrefix": "call-acme-support"}},
        "roomConfig": {
            "agents": [
                {
                    "agentName": "arkenos-standard",
                    "metadata": json.dumps(
                        {
                            "agent": "receptionist",
                            "direction": "Inbound",
                            "phoneNumber": "+14155550100",
                            "variables": {},
                            "workspace": "acme",
                        },
                        sort_keys=True,
                    ),
                }
            ]
        },
    }


def test_credentials_secret_is_owned_by_the_line() -> None:
    secret = builders.credentials_secret("acme", "support", UID, "arkenos-livekit", "Pw1")
    assert secret == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "support-outbound-sip",
            "namespace": "acme",
            "labels": {"arkenos.io/phonenumber": "support"},
            "ownerReferences": [
                {
                    "apiVersion": "arkenos.io/v1alpha1",
                    "kind": "PhoneNumber",
                    "name": "support",
                    "uid": UID,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "type": "Opaque",
        "data": {
            "username": base64.b64encode(b"arkenos-livekit").decode(),
            "password": base64.b64encode(b"Pw1").decode(),
        },
    }
