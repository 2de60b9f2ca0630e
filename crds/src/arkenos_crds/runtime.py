"""The contract between the API and the workers: the runtime config a worker fetches for a
call, and the session and event payloads it reports back.

Both sides import these models, so a change here is a change of the wire format for both.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field

from arkenos_crds._base import KubeModel
from arkenos_crds.meta import PhoneNumberE164
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

    workspace: str = Field(description="Workspace (namespace) of the agent.")
    agent: str = Field(description="Name of the VoiceAgent.")
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
    dispatched_at: datetime = Field(description="When LiveKit dispatched the job.")
    started_at: datetime = Field(description="When the session started running.")


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


class SessionEnd(KubeModel):
    """Sent by a worker when a call ends."""

    ended_at: datetime = Field(description="When the call ended.")
    reason: EndReason = Field(description="Why it ended.")
    error: str | None = Field(
        default=None, max_length=4096, description="What went wrong, if anything."
    )


Seq = Annotated[int, Field(ge=0, description="Sequence number, unique within the session.")]


class SpeakerRole(StrEnum):
    USER = "user"
    AGENT = "agent"


class TranscriptSegment(KubeModel):
    """One final transcript segment."""

    seq: Seq
    role: SpeakerRole = Field(description="Who spoke.")
    text: str = Field(max_length=20000, description="What was said.")
    started_at: datetime = Field(description="When the segment started.")
    ended_at: datetime | None = Field(default=None, description="When it ended.")


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
    quantity: int = Field(ge=0, description="How much, in the metric's unit.")
    at: datetime = Field(description="When it was measured.")


class TurnMetric(KubeModel):
    """Latency of one agent turn: end of the caller's speech to the agent's first audio."""

    seq: Seq
    turn: int = Field(ge=0, description="Turn index in the session.")
    end_to_end_ms: int = Field(ge=0, description="End of speech to first audio.")
    stt_ms: int | None = Field(default=None, ge=0, description="End of speech to final transcript.")
    llm_ms: int | None = Field(default=None, ge=0, description="LLM time to first token.")
    tts_ms: int | None = Field(default=None, ge=0, description="TTS time to first byte.")
    at: datetime = Field(description="When the turn's audio started.")


class EventBatch(KubeModel):
    """Events of one session. Sequence numbers make a retried batch idempotent."""

    transcripts: list[TranscriptSegment] = Field(default_factory=list, max_length=1000)
    usage: list[UsageEvent] = Field(default_factory=list, max_length=1000)
    turns: list[TurnMetric] = Field(default_factory=list, max_length=1000)


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


def custom_agent_service_account(agent: str) -> str:
    """Name of the ServiceAccount a custom agent's pods run as, in the agent's namespace."""
    return f"arkenos-agent-{agent}"


# --- Internal API paths (workers → API) ------------------------------------------------------

INTERNAL_PREFIX = "/internal/v1"
RUNTIME_CONFIG_PATH = INTERNAL_PREFIX + "/workspaces/{workspace}/agents/{agent}/runtime-config"
SESSIONS_PATH = INTERNAL_PREFIX + "/sessions"  # POST SessionStart -> SessionStarted
SESSION_EVENTS_PATH = INTERNAL_PREFIX + "/sessions/{session_id}/events"  # POST EventBatch
SESSION_END_PATH = INTERNAL_PREFIX + "/sessions/{session_id}/end"  # POST SessionEnd

# --- Readiness (operator → API) ------------------------------------------------------------
# The operator asks, with its own ServiceAccount token (audience WORKLOAD_TOKEN_AUDIENCE),
# whether a call to an agent would be served now; the API answers from the same inputs it
# resolves a runtime config from.

AGENT_READINESS_PATH = INTERNAL_PREFIX + "/readiness/{namespace}/{name}"


class AgentReadiness(KubeModel):
    """Whether a call to the agent would be served now, and if not, why."""

    ready: bool = Field(description="True when the agent's runtime config resolves now.")
    reason: str | None = Field(
        default=None,
        description="Why not: NotAWorkspace, ProviderKeyMissing (the message names the "
        "provider) or SecretMissing.",
    )
    message: str = Field(description="What is wrong, for a person, or that all is well.")
