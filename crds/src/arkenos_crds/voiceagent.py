"""The VoiceAgent resource: one voice agent, standard (configured by fields and served by the
shared worker pool) or custom (the user's own code in its own isolated pods)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from arkenos_crds._base import CelRule, KubeModel
from arkenos_crds.custom import CustomSpec
from arkenos_crds.meta import (
    DNS_LABEL,
    LANGUAGE_TAG,
    SHA256_DIGEST,
    ObjectMeta,
    ResourceStatus,
    SecretReference,
)
from arkenos_crds.pipeline import Greeting, LLMConfig, STTConfig, TTSConfig, TurnDetection
from arkenos_crds.tools import TOOL_NAME, Tool
from arkenos_crds.workerpool import ScalingDecision

KIND = "VoiceAgent"

#: The LiveKit agent name the shared worker pool registers under. Every standard agent is
#: dispatched to it explicitly; the job metadata says which workspace and agent the call is for.
STANDARD_DISPATCH_NAME = "arkenos-standard"


def dispatch_name_for(namespace: str, name: str, mode: str) -> str:
    """The LiveKit agent name that serves calls for an agent.

    Standard agents share the pool's name; a custom agent's pods register under a name of
    their own, unique across the cluster because it carries the namespace.
    """
    if mode == AgentMode.STANDARD:
        return STANDARD_DISPATCH_NAME
    return f"arkenos-custom-{namespace}-{name}"


class AgentMode(StrEnum):
    STANDARD = "Standard"
    CUSTOM = "Custom"


class WebhookEvent(StrEnum):
    CALL_STARTED = "CallStarted"
    CALL_ENDED = "CallEnded"
    ANALYSIS_COMPLETED = "AnalysisCompleted"


class AnalysisField(KubeModel):
    """One value extracted from the transcript after the call."""

    name: str = Field(pattern=TOOL_NAME, description="Name of the value (snake_case).")
    type: Literal["String", "Number", "Boolean"] = Field(description="Type of the value.")
    description: str = Field(max_length=1000, description="What to extract, for the LLM.")


class AnalysisSpec(KubeModel):
    """Post-call analysis, run by the API after the call ends."""

    enabled: bool = Field(default=False, description="Whether to analyse calls at all.")
    summary: bool = Field(default=True, description="Write a short summary of the call.")
    success_criteria: str | None = Field(
        default=None,
        max_length=2000,
        description="What makes a call successful; the analysis says whether it was.",
    )
    fields: list[AnalysisField] = Field(
        default_factory=list,
        max_length=50,
        description="Structured values to extract.",
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
    )


class Webhook(KubeModel):
    """An HTTPS endpoint the platform notifies of call events, signed with HMAC-SHA256."""

    name: str = Field(pattern=DNS_LABEL, max_length=63, description="Name of the webhook.")
    url: str = Field(
        pattern=r"^https://[^\s/$.?#][^\s]*$", max_length=2048, description="HTTPS URL to POST to."
    )
    events: list[WebhookEvent] = Field(
        min_length=1,
        description="Events to send.",
        json_schema_extra={"x-kubernetes-list-type": "set"},
    )
    secret_ref: SecretReference = Field(
        description="Secret whose key `signingSecret` signs the payloads."
    )


class Credentials(KubeModel):
    """Where the agent's provider keys come from when not from the workspace's stored keys."""

    secret_ref: SecretReference = Field(
        description="Secret in the agent's namespace holding provider keys under the keys "
        "OPENAI_API_KEY, CARTESIA_API_KEY, DEEPGRAM_API_KEY, GOOGLE_API_KEY.",
    )


class VoiceAgentSpec(KubeModel):
    """Desired state of a voice agent."""

    mode: AgentMode = Field(
        default=AgentMode.STANDARD,
        description="Standard: configured by these fields and served by the shared worker "
        "pool. Custom: the user's own code, built and run in isolated pods.",
    )
    display_name: str | None = Field(
        default=None, max_length=128, description="Name shown in the dashboard."
    )
    instructions: str = Field(
        default="You are a helpful voice assistant.",
        max_length=32768,
        description="System prompt. Variables such as {{agent_name}} and {{caller_number}} "
        "are substituted per call.",
    )
    greeting: Greeting = Field(default_factory=Greeting, description="Who speaks first.")
    language: str = Field(
        default="en", pattern=LANGUAGE_TAG, description="BCP 47 language of the conversation."
    )
    stt: STTConfig = Field(default_factory=STTConfig, description="Speech-to-text.")
    llm: LLMConfig = Field(default_factory=LLMConfig, description="Language model.")
    tts: TTSConfig = Field(default_factory=TTSConfig, description="Text-to-speech.")
    turn_detection: TurnDetection = Field(
        default_factory=TurnDetection, description="End-of-turn detection."
    )
    tools: list[Tool] = Field(
        default_factory=list,
        max_length=64,
        description="Functions the LLM can call.",
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
    )
    analysis: AnalysisSpec = Field(
        default_factory=AnalysisSpec, description="Post-call analysis settings."
    )
    webhooks: list[Webhook] = Field(
        default_factory=list,
        max_length=16,
        description="Endpoints notified of call events.",
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
    )
    max_call_duration_seconds: int = Field(
        default=1800, ge=30, le=14400, description="Calls are ended after this long."
    )
    credentials: Credentials | None = Field(
        default=None,
        description="Provider keys from a Secret, for GitOps. Without it, the workspace's "
        "stored keys are used.",
    )
    custom: CustomSpec | None = Field(
        default=None, description="Custom agent settings; required when mode is Custom."
    )

    cel_rules = (
        CelRule(
            "self.mode == 'Custom' ? has(self.custom) : !has(self.custom)",
            "custom is required when mode is Custom and forbidden otherwise",
            ".custom",
        ),
    )


class VoiceAgentStatus(ResourceStatus):
    """Observed state of a voice agent."""

    dispatch_name: str | None = Field(
        default=None,
        max_length=253,
        description="LiveKit agent name that calls to this agent are dispatched to.",
    )
    revision: str | None = Field(
        default=None,
        max_length=600,
        description="Custom agents: the bundle digest or image that is serving now.",
    )
    artifact_digest: str | None = Field(
        default=None,
        pattern=SHA256_DIGEST,
        description="Custom agents: digest of the built artifact that is serving now.",
    )
    replicas: int | None = Field(default=None, ge=0, description="Custom agents: pods desired.")
    ready_replicas: int | None = Field(
        default=None, ge=0, description="Custom agents: pods ready to take calls."
    )
    active_sessions: int | None = Field(
        default=None, ge=0, description="Custom agents: calls in progress on its pods."
    )
    last_decision: ScalingDecision | None = Field(
        default=None, description="Custom agents: the last scaling decision and why."
    )


class VoiceAgent(KubeModel):
    """A voice agent."""

    api_version: Literal["arkenos.io/v1alpha1"] = Field(
        default="arkenos.io/v1alpha1", description="API version."
    )
    kind: Literal["VoiceAgent"] = Field(default="VoiceAgent", description="Kind.")
    metadata: ObjectMeta = Field(default_factory=ObjectMeta, description="Object metadata.")
    spec: VoiceAgentSpec = Field(description="Desired state.")
    status: VoiceAgentStatus | None = Field(default=None, description="Observed state.")


class VoiceAgentConditionType(StrEnum):
    #: True when a call to the agent would be served now.
    READY = "Ready"
    #: Custom agents from a bundle: True when the current bundle digest is built.
    BUILT = "Built"
    #: Custom agents: True when the Deployment has the minimum number of pods available; with
    #: ``min: 0`` also at zero pods (reason ScaledToZero) and while the first pod starts for a
    #: waiting call (reason ColdStart), since a call is then served after a cold start.
    AVAILABLE = "Available"
