"""The contract between the API and the workers: the runtime config a worker fetches for a
call, and the session and event payloads it reports back.

Both sides import these models, so a change here is a change of the wire format for both.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from arkenos_crds._base import KubeModel
from arkenos_crds.meta import (
    INT32_MAX,
    INT64_MAX,
    NamespaceName,
    PhoneNumberE164,
    ResourceName,
    UtcDateTime,
)
from arkenos_crds.providers import ModelProvider
from arkenos_crds.voiceagent import VoiceAgentSpec


class Provider(StrEnum):
    """Model and telephony providers whose keys the platform stores or resolves."""

    OPENAI = "openai"
    CARTESIA = "cartesia"
    DEEPGRAM = "deepgram"
    GOOGLE = "google"
    TWILIO = "twilio"


#: Key under which a VoiceAgent's ``credentials.secretRef`` Secret holds each provider's key.
PROVIDER_SECRET_KEYS: dict[Provider, str] = {
    Provider.OPENAI: "OPENAI_API_KEY",
    Provider.CARTESIA: "CARTESIA_API_KEY",
    Provider.DEEPGRAM: "DEEPGRAM_API_KEY",
    Provider.GOOGLE: "GOOGLE_API_KEY",
}


#: Whose key each model provider of the pipeline table (``arkenos_crds.providers``) needs.
KEY_OF: dict[ModelProvider, Provider] = {
    ModelProvider.OPENAI: Provider.OPENAI,
    ModelProvider.DEEPGRAM: Provider.DEEPGRAM,
    ModelProvider.CARTESIA: Provider.CARTESIA,
}


def providers_for(spec: VoiceAgentSpec) -> tuple[set[Provider], set[Provider]]:
    """(required, optional) providers whose keys a call to this agent needs.

    A component pointed at a ``baseURL`` talks to a self-hosted server that may not want a key,
    so its provider's key is optional: sent when there is one, not an error when there is not.
    """
    required: set[Provider] = set()
    optional: set[Provider] = set()
    for component in (spec.stt, spec.llm, spec.tts):
        provider = KEY_OF[component.provider]
        (optional if component.base_url else required).add(provider)
    return required, optional - required


class RuntimeConfig(KubeModel):
    """Everything a worker needs to run one call of one agent."""

    workspace: str = Field(description="Workspace (namespace) of the agent.")
    agent: str = Field(description="Name of the VoiceAgent.")
    generation: int = Field(description="metadata.generation the config was resolved from.")
    dispatch_name: str = Field(description="LiveKit agent name serving the agent.")
    spec: VoiceAgentSpec = Field(description="The agent's spec, defaults filled in.")
    keys: dict[Provider, str] = Field(
        default_factory=dict,
        description="Provider keys, exactly those the spec's providers need.",
    )
    tool_secrets: dict[str, str] = Field(
        default_factory=dict,
        description="Values of the Secret keys the spec's HTTP tool headers name in "
        "valueFrom, keyed '<secret name>/<key>'.",
    )


class CallDirection(StrEnum):
    WEB = "Web"
    INBOUND = "Inbound"
    OUTBOUND = "Outbound"


class SessionStart(KubeModel):
    """Sent by a worker when a call starts."""

    workspace: NamespaceName = Field(description="Workspace (namespace) of the agent.")
    agent: ResourceName = Field(description="Name of the VoiceAgent.")
    room: str = Field(min_length=1, max_length=256, description="LiveKit room name.")
    job_id: str = Field(
        min_length=1, max_length=256, description="LiveKit job id; idempotency key."
    )
    direction: CallDirection = Field(description="How the call came in.")
    caller: PhoneNumberE164 | None = Field(
        default=None, description="Caller's number, if a phone call."
    )
    callee: PhoneNumberE164 | None = Field(
        default=None, description="Called number, if a phone call."
    )
    dispatched_at: UtcDateTime = Field(description="When LiveKit dispatched the job.")
    started_at: UtcDateTime = Field(description="When the session started running.")


class SessionStarted(KubeModel):
    """The API's answer to a session registration."""

    session_id: UUID = Field(description="Id to report events under.")


class EndReason(StrEnum):
    CALLER_HUNG_UP = "CallerHungUp"
    AGENT_ENDED = "AgentEnded"
    TRANSFERRED = "Transferred"
    TIMEOUT = "Timeout"
    ERROR = "Error"
    DRAINED = "Drained"
    #: The worker never reported the end (it crashed or lost the API); the API closed the
    #: session when LiveKit said the room had finished.
    LOST = "Lost"


class SessionEnd(KubeModel):
    """Sent by a worker when a call ends."""

    ended_at: UtcDateTime = Field(description="When the call ended.")
    reason: EndReason = Field(description="Why it ended.")
    error: str | None = Field(
        default=None, max_length=4096, description="What went wrong, if anything."
    )


class SessionTransfer(KubeModel):
    """Sent by a worker to transfer its live phone call's caller to another number."""

    to: PhoneNumberE164 = Field(description="Number (E.164) to transfer the caller to.")
    participant_identity: str | None = Field(
        default=None,
        min_length=1,
        max_length=256,
        description="The SIP participant to transfer; the call's phone caller if omitted.",
    )


Seq = Annotated[
    int, Field(ge=0, le=INT64_MAX, description="Sequence number, unique within the session.")
]


class SpeakerRole(StrEnum):
    USER = "user"
    AGENT = "agent"


class TranscriptSegment(KubeModel):
    """One final transcript segment."""

    seq: Seq
    role: SpeakerRole = Field(description="Who spoke.")
    text: str = Field(max_length=20000, description="What was said.")
    started_at: UtcDateTime = Field(description="When the segment started.")
    ended_at: UtcDateTime | None = Field(default=None, description="When it ended.")


class UsageMetric(StrEnum):
    STT_AUDIO_MS = "stt_audio_ms"
    LLM_INPUT_TOKENS = "llm_input_tokens"
    LLM_CACHED_INPUT_TOKENS = "llm_cached_input_tokens"
    LLM_OUTPUT_TOKENS = "llm_output_tokens"
    TTS_CHARACTERS = "tts_characters"
    TTS_AUDIO_MS = "tts_audio_ms"


class UsageEvent(KubeModel):
    """A raw usage quantity; the API prices it."""

    seq: Seq
    provider: Provider = Field(description="Provider that was used.")
    model: str = Field(max_length=128, description="Model that was used.")
    metric: UsageMetric = Field(description="What is counted.")
    quantity: int = Field(ge=0, le=INT64_MAX, description="How much, in the metric's unit.")
    at: UtcDateTime = Field(description="When it was measured.")


class TurnMetric(KubeModel):
    """Latency of one agent turn: end of the caller's speech to the agent's first audio."""

    seq: Seq
    turn: int = Field(ge=0, le=INT32_MAX, description="Turn index in the session.")
    end_to_end_ms: int = Field(ge=0, le=INT32_MAX, description="End of speech to first audio.")
    stt_ms: int | None = Field(
        default=None, ge=0, le=INT32_MAX, description="End of speech to final transcript."
    )
    llm_ms: int | None = Field(
        default=None, ge=0, le=INT32_MAX, description="LLM time to first token."
    )
    tts_ms: int | None = Field(
        default=None, ge=0, le=INT32_MAX, description="TTS time to first byte."
    )
    at: UtcDateTime = Field(description="When the turn's audio started.")


class ToolCallEvent(KubeModel):
    """One tool the agent called, with what it was given and what it got back. The worker
    leaves secrets out (header values come from Secrets, never from arguments); the API
    redacts secret-looking values again when it shows them."""

    seq: Seq
    name: str = Field(min_length=1, max_length=128, description="Tool name.")
    arguments: dict[str, Any] = Field(default_factory=dict, description="Arguments (JSON).")
    result: str | None = Field(default=None, max_length=20000, description="What it returned.")
    error: str | None = Field(default=None, max_length=4096, description="Why it failed.")
    duration_ms: int | None = Field(
        default=None, ge=0, le=2**31 - 1, description="How long it took."
    )
    at: UtcDateTime = Field(description="When it was called.")


class EventBatch(KubeModel):
    """Events of one session. Sequence numbers make a retried batch idempotent."""

    transcripts: list[TranscriptSegment] = Field(default_factory=list, max_length=1000)
    usage: list[UsageEvent] = Field(default_factory=list, max_length=1000)
    turns: list[TurnMetric] = Field(default_factory=list, max_length=1000)
    tool_calls: list[ToolCallEvent] = Field(default_factory=list, max_length=1000)


class BatchAccepted(KubeModel):
    """How many events of a batch were new (the rest were retries already stored)."""

    stored: int = Field(ge=0, description="Events stored now.")
    duplicates: int = Field(ge=0, description="Events already stored before.")


class DispatchMetadata(KubeModel):
    """JSON metadata on a LiveKit agent dispatch (and on a SIP dispatch rule's dispatches):
    it tells the worker which agent the call is for."""

    workspace: str = Field(description="Workspace (namespace) of the agent.")
    agent: str = Field(description="Name of the VoiceAgent.")
    phone_number: PhoneNumberE164 | None = Field(
        default=None, description="The PhoneNumber's E.164 number, for calls over SIP."
    )
    direction: CallDirection = Field(default=CallDirection.WEB, description="How the call came in.")
    session_id: UUID | None = Field(
        default=None,
        description="Id of the session the API registered for a call it started (browser or "
        "outbound); the worker's registration of the same room claims it.",
    )
    variables: dict[str, str] = Field(
        default_factory=dict,
        description="Pre-call data substituted into the instructions as {{name}}.",
    )


# --- Workload identity -------------------------------------------------------------------
# Workers authenticate to the API with a projected ServiceAccount token whose audience is
# WORKLOAD_TOKEN_AUDIENCE; the API checks it with a TokenReview. The shared pool's
# ServiceAccount may serve every standard agent; a custom agent's ServiceAccount (named by
# custom_agent_service_account) may serve only that agent.

WORKLOAD_TOKEN_AUDIENCE = "arkenos-api"  # noqa: S105 - an audience, not a secret
WORKLOAD_TOKEN_PATH = "/var/run/secrets/arkenos/token"  # noqa: S105 - a path
POOL_SERVICE_ACCOUNT = "arkenos-worker"
AGENT_LABEL = "arkenos.io/agent"
#: On a VoiceAgent: when the API last saw a call to it start while no pod of it was ready (an
#: RFC 3339 UTC time): a call it started, or an inbound phone call's SIP participant in a room
#: dispatched to the agent. A custom agent scaled to zero has no worker registered under its
#: dispatch name; this mark tells the operator to start a pod, and the API dispatches the
#: call again once one is ready.
WAKE_ANNOTATION = "arkenos.io/wake-requested-at"
#: On a custom agent's build Job: the bundle digest it builds. On the Job's pods: the label
#: naming their Job. The operator writes both; the API reads them to find a build's log.
BUNDLE_DIGEST_ANNOTATION = "arkenos.io/bundle-digest"
BUILD_JOB_LABEL = "arkenos.io/build"
#: The build pod's one container, whose log is the build's log.
BUILD_CONTAINER = "build"


def custom_agent_service_account(agent: str) -> str:
    """Name of the ServiceAccount a custom agent's pods run as, in the agent's namespace."""
    return f"arkenos-agent-{agent}"


# --- Secrets the platform may read ------------------------------------------------------
# The API reads a Secret a spec names only when the Secret carries the label of that purpose
# with the value "true", and only in a workspace namespace. One label per purpose, because the
# purposes differ in where the value goes: a tool secret is sent to a URL the developer chose,
# so marking a Secret for credentials must not also make it sendable that way.
SECRET_OPT_IN = "true"  # noqa: S105 - a label value, not a secret
TOOL_SECRET_LABEL = "arkenos.io/tool-secret"  # noqa: S105 - HTTP tool headers' valueFrom
CREDENTIALS_SECRET_LABEL = "arkenos.io/credentials-secret"  # noqa: S105 - credentials.secretRef
WEBHOOK_SECRET_LABEL = "arkenos.io/webhook-secret"  # noqa: S105 - webhook signing secrets
#: On the Secret the API keeps with a workspace's own Twilio account for its PhoneNumbers
#: (spec.credentials.twilio.secretRef): the operator's to read, never an agent's.
TWILIO_SECRET_LABEL = "arkenos.io/twilio-secret"  # noqa: S105 - a label name

# --- Internal API paths (workers → API) ------------------------------------------------------

INTERNAL_PREFIX = "/internal/v1"
RUNTIME_CONFIG_PATH = INTERNAL_PREFIX + "/workspaces/{workspace}/agents/{agent}/runtime-config"
SESSIONS_PATH = INTERNAL_PREFIX + "/sessions"  # POST SessionStart -> SessionStarted
SESSION_EVENTS_PATH = INTERNAL_PREFIX + "/sessions/{session_id}/events"  # POST EventBatch
SESSION_END_PATH = INTERNAL_PREFIX + "/sessions/{session_id}/end"  # POST SessionEnd
SESSION_HANGUP_PATH = INTERNAL_PREFIX + "/sessions/{session_id}/hangup"  # POST, no body
SESSION_TRANSFER_PATH = INTERNAL_PREFIX + "/sessions/{session_id}/transfer"  # POST SessionTransfer
AGENT_READINESS_PATH = INTERNAL_PREFIX + "/readiness/{namespace}/{name}"  # GET -> AgentReadiness
#: A custom agent's own code, for its build and fetch pods (their workload token, no bucket
#: key): GET a bundle deployed for the agent; GET or PUT an artifact built for it. ``digest``
#: is ``sha256:<hex>`` of the bytes (an upload whose bytes hash otherwise is refused).
AGENT_BUNDLE_PATH = INTERNAL_PREFIX + "/workspaces/{workspace}/agents/{agent}/bundles/{digest}"
AGENT_ARTIFACT_PATH = INTERNAL_PREFIX + "/workspaces/{workspace}/agents/{agent}/artifacts/{digest}"


# --- Agent readiness (operator → API) ----------------------------------------------------------
# The operator asks whether a call to an agent would be served now, authenticating with its own
# ServiceAccount token (Bearer), and reports the answer in the agent's Ready condition.


class ReadinessReason(StrEnum):
    #: The agent's namespace is not a workspace: runtime config would answer 404.
    NOT_A_WORKSPACE = "NotAWorkspace"
    #: A provider the agent's pipeline needs has no key (credentials Secret or stored key);
    #: the message names the provider.
    PROVIDER_KEY_MISSING = "ProviderKeyMissing"
    #: A Secret the spec names (credentials, tool headers) is missing or lacks the key.
    SECRET_MISSING = "SecretMissing"  # noqa: S105 - a reason


class AgentReadiness(KubeModel):
    """Whether the API would resolve the agent's runtime config for a call now."""

    ready: bool = Field(description="True when a call would get its config and keys.")
    reason: ReadinessReason | None = Field(
        default=None, description="Why not, when not ready (a ReadinessReason)."
    )
    message: str = Field(default="", max_length=4096, description="What to do, in words.")
