"""Every reason a reconcile can fail with, and its kind: the one place that decides whether a
situation is *waiting on something* (retried, :class:`kopf.TemporaryError` with a delay) or
*the spec is wrong* (not retried, :class:`kopf.PermanentError`; a change of the object or of
what it watches brings it back).

The rule: whatever a person or another component can fix *outside* the object (create a
Secret, store a key, start the pool, wait out an outage) is waiting, because nothing may tell
the operator that it happened; only what needs the object itself edited is invalid.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    WAITING = "Waiting"
    INVALID = "Invalid"


class Reason(StrEnum):
    # --- any resource ------------------------------------------------------------------------
    INVALID_SPEC = "InvalidSpec"
    # --- Secrets a spec names (VoiceAgent credentials, tools, webhooks; PhoneNumber keys) ----
    SECRET_NOT_FOUND = "SecretNotFound"  # noqa: S105 - a reason
    SECRET_MISSING_KEYS = "SecretMissingKeys"  # noqa: S105 - a reason
    TOOL_SECRET_NOT_FOUND = "ToolSecretNotFound"  # noqa: S105 - a reason
    WEBHOOK_SECRET_NOT_FOUND = "WebhookSecretNotFound"  # noqa: S105 - a reason
    PLATFORM_SECRET_MISSING = "PlatformSecretMissing"  # noqa: S105 - a reason
    TWILIO_SECRET_NOT_FOUND = "TwilioSecretNotFound"  # noqa: S105 - a reason
    TWILIO_SECRET_INCOMPLETE = "TwilioSecretIncomplete"  # noqa: S105 - a reason
    LIVEKIT_SECRET_NOT_FOUND = "LiveKitSecretNotFound"  # noqa: S105 - a reason
    LIVEKIT_SECRET_INCOMPLETE = "LiveKitSecretIncomplete"  # noqa: S105 - a reason
    # --- VoiceAgent --------------------------------------------------------------------------
    INVALID_TOOL = "InvalidTool"
    POOL_NOT_FOUND = "PoolNotFound"
    POOL_UNAVAILABLE = "PoolUnavailable"
    NOT_A_WORKSPACE = "NotAWorkspace"
    PROVIDER_KEY_MISSING = "ProviderKeyMissing"
    SECRET_MISSING = "SecretMissing"  # noqa: S105 - a reason
    API_UNAVAILABLE = "ApiUnavailable"
    # --- WorkerPool --------------------------------------------------------------------------
    NOT_SERVED = "NotServed"
    # --- PhoneNumber -------------------------------------------------------------------------
    TWILIO_CREDENTIALS_MISSING = "TwilioCredentialsMissing"
    LIVEKIT_CREDENTIALS_MISSING = "LiveKitCredentialsMissing"
    LIVEKIT_SIP_URI_MISSING = "LiveKitSipUriMissing"
    IMMUTABLE_FIELD_CHANGED = "ImmutableFieldChanged"
    NOT_OWNED = "NotOwned"
    NO_NUMBER_AVAILABLE = "NoNumberAvailable"
    NUMBER_TAKEN = "NumberTaken"
    NUMBER_ON_ANOTHER_TRUNK = "NumberOnAnotherTrunk"
    AGENT_NOT_FOUND = "AgentNotFound"
    TWILIO_REFUSED = "TwilioRefused"
    TWILIO_THROTTLED = "TwilioThrottled"
    TWILIO_UNAVAILABLE = "TwilioUnavailable"
    LIVEKIT_REFUSED = "LiveKitRefused"
    LIVEKIT_THROTTLED = "LiveKitThrottled"
    LIVEKIT_UNAVAILABLE = "LiveKitUnavailable"


_INVALID = frozenset(
    {
        Reason.INVALID_SPEC,
        Reason.INVALID_TOOL,
        Reason.NOT_SERVED,
        Reason.TWILIO_CREDENTIALS_MISSING,
        Reason.LIVEKIT_CREDENTIALS_MISSING,
        Reason.LIVEKIT_SIP_URI_MISSING,
        Reason.IMMUTABLE_FIELD_CHANGED,
        Reason.NOT_OWNED,
        Reason.NUMBER_ON_ANOTHER_TRUNK,
        Reason.TWILIO_REFUSED,
        Reason.LIVEKIT_REFUSED,
    }
)

#: The kind of every reason; everything not listed as invalid is waiting.
KIND: dict[Reason, ErrorKind] = {
    reason: ErrorKind.INVALID if reason in _INVALID else ErrorKind.WAITING for reason in Reason
}
