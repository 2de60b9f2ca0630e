"""Request and response bodies of the phone number routes. A line is a PhoneNumber resource; its
spec and status are the resource's own models, so the API shows exactly what kubectl does."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from arkenos_crds.meta import DNS_LABEL, DNS_SUBDOMAIN, PhoneNumberE164
from arkenos_crds.phonenumber import PhoneNumberSpec, PhoneNumberStatus

NumberType = Literal["Local", "TollFree", "Mobile"]

_READY_EXAMPLE: dict[str, Any] = {
    "status": "True",
    "reason": "Ready",
    "message": "+14155550101 is answered by VoiceAgent front-desk.",
}


class CredentialsSource(StrEnum):
    """Whose Twilio account a line or a search uses."""

    #: The workspace's stored twilio key (its own account).
    WORKSPACE = "Workspace"
    #: The platform's account (the operator's default Secret).
    PLATFORM = "Platform"


class _Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


_CAPABILITIES_EXAMPLE: dict[str, Any] = {"voice": True, "sms": True, "mms": True, "fax": False}
_AVAILABLE_EXAMPLE: dict[str, Any] = {
    "phoneNumber": "+14155550101",
    "friendlyName": "(415) 555-0101",
    "locality": "San Francisco",
    "region": "CA",
    "postalCode": "94103",
    "isoCountry": "US",
    "addressRequirements": "none",
    "capabilities": _CAPABILITIES_EXAMPLE,
}


class Capabilities(_Schema):
    model_config = ConfigDict(json_schema_extra={"example": _CAPABILITIES_EXAMPLE})

    voice: bool
    sms: bool
    mms: bool
    fax: bool


class AvailableNumberOut(_Schema):
    model_config = ConfigDict(json_schema_extra={"example": _AVAILABLE_EXAMPLE})

    phone_number: str = Field(description="E.164 number; send it back to buy it.")
    friendly_name: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    iso_country: str | None = None
    address_requirements: str | None = Field(
        default=None, description="Whether Twilio needs an address on file to sell it."
    )
    capabilities: Capabilities


class AvailableNumbersOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "credentials": "Workspace",
                "numbers": [_AVAILABLE_EXAMPLE],
            }
        }
    )

    credentials: CredentialsSource = Field(description="Whose Twilio account was searched.")
    numbers: list[AvailableNumberOut]


class _LineIn(_Schema):
    name: str = Field(
        min_length=1, max_length=63, pattern=DNS_LABEL, description="Name of the PhoneNumber."
    )
    agent: str = Field(
        max_length=253, pattern=DNS_SUBDOMAIN, description="VoiceAgent that answers the line."
    )
    inbound: bool = Field(default=True, description="Route incoming calls to the agent.")
    outbound: bool = Field(default=False, description="Let the agent place calls from it.")


class PhoneNumberBuy(_LineIn):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "front-desk",
                "phoneNumber": "+14155550101",
                "country": "US",
                "numberType": "Local",
                "agent": "front-desk",
                "inbound": True,
                "outbound": True,
            }
        }
    )

    phone_number: PhoneNumberE164 = Field(description="The number a search offered.")
    country: str = Field(pattern=r"^[A-Z]{2}$", description="Country the search was in.")
    number_type: NumberType = Field(default="Local", description="Kind of number searched.")


class PhoneNumberAdopt(_LineIn):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"name": "support", "phoneNumber": "+14155559000", "agent": "front-desk"}
        }
    )

    phone_number: PhoneNumberE164 = Field(description="A number the Twilio account owns.")


class AgentAssign(_Schema):
    model_config = ConfigDict(
        json_schema_extra={"example": {"agent": "after-hours", "resourceVersion": "12345"}}
    )

    agent: str = Field(max_length=253, pattern=DNS_SUBDOMAIN, description="The new VoiceAgent.")
    resource_version: str = Field(
        min_length=1,
        max_length=64,
        description="resourceVersion the change was made from; a stale one gets 409.",
    )


class ReadyOut(_Schema):
    model_config = ConfigDict(json_schema_extra={"example": _READY_EXAMPLE})

    status: Literal["True", "False", "Unknown"]
    reason: str | None = None
    message: str | None = Field(default=None, description="What is wrong, in words.")


class PhoneNumberOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "front-desk",
                "namespace": "acme",
                "resourceVersion": "12345",
                "phoneNumber": "+14155550101",
                "agent": "front-desk",
                "credentials": "Workspace",
                "ready": _READY_EXAMPLE,
                "spec": {
                    "provider": "Twilio",
                    "purchase": {
                        "country": "US",
                        "numberType": "Local",
                        "phoneNumber": "+14155550101",
                    },
                    "agentRef": {"name": "front-desk"},
                    "inbound": True,
                    "outbound": True,
                    "releasePolicy": "Retain",
                    "credentials": {"twilio": {"secretRef": {"name": "arkenos-twilio"}}},
                },
                "status": {
                    "observedGeneration": 1,
                    "phoneNumber": "+14155550101",
                    "twilio": {"numberSid": "PN0123456789abcdef0123456789abcdef"},
                    "livekit": {"inboundTrunkId": "ST_abc", "dispatchRuleId": "SDR_abc"},
                    "conditions": [
                        {
                            "type": "Ready",
                            "lastTransitionTime": "2026-01-01T00:00:00Z",
                            **_READY_EXAMPLE,
                        }
                    ],
                },
            }
        }
    )

    name: str
    namespace: str
    uid: str | None = None
    resource_version: str | None = Field(default=None, description="Send it back on change.")
    generation: int | None = None
    created_at: str | None = Field(default=None, description="creationTimestamp.")
    phone_number: str | None = Field(
        default=None, description="The line's number: known once bought, or the one asked for."
    )
    agent: str = Field(description="The VoiceAgent that answers it.")
    credentials: CredentialsSource
    ready: ReadyOut = Field(description="The Ready condition (Unknown until the operator runs).")
    spec: PhoneNumberSpec
    status: PhoneNumberStatus | None = Field(
        default=None, description="The operator's view: number, Twilio and LiveKit ids."
    )
