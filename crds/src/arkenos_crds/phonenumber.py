"""The PhoneNumber resource: one phone line, bought or adopted, bound to a VoiceAgent."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from arkenos_crds._base import CelRule, KubeModel
from arkenos_crds.meta import (
    LocalObjectReference,
    ObjectMeta,
    PhoneNumberE164,
    ResourceStatus,
    SecretReference,
)

KIND = "PhoneNumber"


class TelephonyProvider(StrEnum):
    TWILIO = "Twilio"


class ReleasePolicy(StrEnum):
    RETAIN = "Retain"
    RELEASE = "Release"


class PurchaseCriteria(KubeModel):
    """What number to buy: a specific one (``phoneNumber``, from a search of available
    numbers), or any matching the other criteria."""

    country: str = Field(
        pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code, for example US."
    )
    area_code: str | None = Field(
        default=None, pattern=r"^[0-9]{2,5}$", description="Area code the number must have."
    )
    contains: str | None = Field(
        default=None,
        pattern=r"^[0-9*]{1,10}$",
        description="Digits (or * wildcards) the number must contain.",
    )
    number_type: Literal["Local", "TollFree", "Mobile"] = Field(
        default="Local", description="Kind of number."
    )
    phone_number: PhoneNumberE164 | None = Field(
        default=None,
        description="The one E.164 number to buy (as a search of available numbers offered "
        "it); when Twilio no longer sells it, Ready says so and no other number is bought.",
    )


class CredentialsRef(KubeModel):
    """A Secret holding one service's credentials."""

    secret_ref: SecretReference = Field(description="Secret in the resource's namespace.")


class PhoneNumberCredentials(KubeModel):
    """Per-resource credential overrides. Unset ones use the platform defaults."""

    twilio: CredentialsRef | None = Field(
        default=None,
        description="Secret with keys accountSid and authToken for the Twilio account.",
    )
    livekit: CredentialsRef | None = Field(
        default=None,
        description="Secret with keys url, apiKey and apiSecret for the LiveKit server.",
    )


class PhoneNumberSpec(KubeModel):
    """Desired state of a phone line."""

    provider: TelephonyProvider = Field(
        default=TelephonyProvider.TWILIO, description="Telephony provider."
    )
    number: PhoneNumberE164 | None = Field(
        default=None,
        description="An E.164 number the account already owns, to adopt. Immutable.",
    )
    purchase: PurchaseCriteria | None = Field(
        default=None, description="Criteria for a number to buy. Immutable."
    )
    agent_ref: LocalObjectReference = Field(
        description="The VoiceAgent in this namespace that answers calls to the number."
    )
    inbound: bool = Field(default=True, description="Route incoming calls to the agent.")
    outbound: bool = Field(
        default=False, description="Allow the agent to place calls from this number."
    )
    release_policy: ReleasePolicy = Field(
        default=ReleasePolicy.RETAIN,
        description="What happens to the number when the resource is deleted: Retain keeps it "
        "in the account, Release gives it back to the provider.",
    )
    credentials: PhoneNumberCredentials | None = Field(
        default=None, description="Credential overrides."
    )

    cel_rules = (
        CelRule(
            "has(self.number) != has(self.purchase)",
            "exactly one of number (adopt) and purchase (buy) must be set",
            ".number",
        ),
        CelRule(
            "has(self.number) == has(oldSelf.number) && "
            "(!has(self.number) || self.number == oldSelf.number)",
            "number is immutable: create a new PhoneNumber to use another number",
            ".number",
        ),
        CelRule(
            "has(self.purchase) == has(oldSelf.purchase) && "
            "(!has(self.purchase) || self.purchase == oldSelf.purchase)",
            "purchase is immutable: create a new PhoneNumber to buy another number",
            ".purchase",
        ),
    )


class TwilioStatus(KubeModel):
    """Twilio objects that belong to this line."""

    number_sid: str | None = Field(default=None, description="IncomingPhoneNumber SID (PN...).")
    trunk_sid: str | None = Field(default=None, description="Elastic SIP trunk SID (TK...).")
    credential_list_sid: str | None = Field(
        default=None, description="Credential list SID (CL...) used for outbound calls."
    )
    termination_domain: str | None = Field(
        default=None, description="SIP termination domain for outbound calls."
    )


class LiveKitStatus(KubeModel):
    """LiveKit SIP objects that belong to this line."""

    inbound_trunk_id: str | None = Field(default=None, description="Inbound trunk id (ST_...).")
    outbound_trunk_id: str | None = Field(
        default=None, description="Outbound trunk id (ST_...), when outbound is enabled."
    )
    dispatch_rule_id: str | None = Field(default=None, description="Dispatch rule id (SDR_...).")


class PhoneNumberStatus(ResourceStatus):
    """Observed state of a phone line."""

    phone_number: str | None = Field(default=None, description="The line's E.164 number.")
    agent_dispatch_name: str | None = Field(
        default=None, description="Dispatch name the dispatch rule sends calls to."
    )
    twilio: TwilioStatus = Field(default_factory=TwilioStatus, description="Twilio objects.")
    livekit: LiveKitStatus = Field(default_factory=LiveKitStatus, description="LiveKit objects.")


class PhoneNumber(KubeModel):
    """A phone line."""

    api_version: Literal["arkenos.io/v1alpha1"] = Field(
        default="arkenos.io/v1alpha1", description="API version."
    )
    kind: Literal["PhoneNumber"] = Field(default="PhoneNumber", description="Kind.")
    metadata: ObjectMeta = Field(default_factory=ObjectMeta, description="Object metadata.")
    spec: PhoneNumberSpec = Field(description="Desired state.")
    status: PhoneNumberStatus | None = Field(default=None, description="Observed state.")


class PhoneNumberConditionType(StrEnum):
    #: True when the number is owned by the account and its SID is known.
    NUMBER_READY = "NumberReady"
    #: True when the Elastic SIP trunk routes the number to LiveKit (and back, for outbound).
    TRUNK_READY = "TrunkReady"
    #: True when LiveKit's trunks and dispatch rule send calls to the agent.
    DISPATCH_READY = "DispatchReady"
    #: True when every step is done and the referenced VoiceAgent is Ready.
    READY = "Ready"
