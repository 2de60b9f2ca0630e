"""Settings of the PhoneNumber feature, read from ``ARKENOS_*`` variables at startup.

``ARKENOS_TWILIO_SECRET`` and ``ARKENOS_LIVEKIT_SIP_SECRET`` name the platform's default
credentials as ``namespace/name`` (the Helm values set them); a PhoneNumber's
``spec.credentials.*.secretRef`` overrides them per line. ``ARKENOS_LIVEKIT_SIP_URI`` is where
Twilio sends inbound calls (LiveKit's SIP endpoint, ``sip:<host>``).
``ARKENOS_TWILIO_BASE_URL`` is for tests only: unset in production, so the ``twilio`` library
talks to Twilio's own hosts.
"""

from __future__ import annotations

from pydantic import Field

from arkenos_operator.settings import EnvSettings

SECRET_REF = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$"  # noqa: S105 - a pattern


class PhoneNumberSettings(EnvSettings):
    twilio_secret: str | None = Field(
        default=None, pattern=SECRET_REF, description="Default Twilio Secret (namespace/name)."
    )
    # A Secret of its own, not the workers' ARKENOS_LIVEKIT_SECRET_NAME: managing SIP trunks and
    # dispatch rules needs the SIP admin grant, which the worker pool's key should not carry.
    livekit_sip_secret: str | None = Field(
        default=None,
        pattern=SECRET_REF,
        description="Default LiveKit Secret for SIP administration (namespace/name; keys url, "
        "apiKey, apiSecret).",
    )
    livekit_sip_uri: str | None = Field(
        default=None, pattern=r"^sips?:[^\s]+$", description="LiveKit's SIP endpoint."
    )
    livekit_inbound_allowed_addresses: list[str] = Field(
        default_factory=list,
        description="Addresses (CIDRs) LiveKit accepts inbound calls from, as a JSON list: "
        "Twilio's signalling ranges in production, so nobody else can ring the number's trunk. "
        "Empty accepts calls to the number from anywhere.",
    )
    twilio_base_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    twilio_timeout_seconds: float = Field(default=15.0, gt=0)
    livekit_timeout_seconds: float = Field(default=10.0, gt=0)
    phonenumber_resync_seconds: float = Field(
        default=300.0, gt=0, description="How often a line is checked against Twilio/LiveKit."
    )
