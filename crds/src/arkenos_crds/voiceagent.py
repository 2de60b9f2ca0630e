"""The VoiceAgent resource: one voice agent, standard (configured by fields and served by the
shared worker pool) or custom (the user's own code in its own isolated pods)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field

from arkenos_crds._base import CelRule, KubeModel
from arkenos_crds.meta import (
    API_VERSION,
    DNS_LABEL,
    QUANTITY,
    SHA256_DIGEST,
    ObjectMeta,
    PhoneNumberE164,
    ResourceStatus,
    SecretReference,
)

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


class GreetingMode(StrEnum):
    AGENT_FIRST = "AgentFirst"
    WAIT_FOR_CALLER = "WaitForCaller"


class STTProvider(StrEnum):
    OPENAI = "OpenAI"
    DEEPGRAM = "Deepgram"


class LLMProvider(StrEnum):
    OPENAI = "OpenAI"


class TTSProvider(StrEnum):
    OPENAI = "OpenAI"
    CARTESIA = "Cartesia"


class TurnDetectionMode(StrEnum):
    VAD = "VAD"
    STT = "STT"
    MODEL = "Model"


class ToolType(StrEnum):
    HTTP = "HTTP"
    END_CALL = "EndCall"
    TRANSFER_CALL = "TransferCall"


class HTTPMethod(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"


class WebhookEvent(StrEnum):
    CALL_STARTED = "CallStarted"
    CALL_ENDED = "CallEnded"
    ANALYSIS_COMPLETED = "AnalysisCompleted"


DECIMAL_0_TO_2 = r"^(0(\.[0-9]{1,3})?|1(\.[0-9]{1,3})?|2(\.0{1,3})?)$"
LANGUAGE_TAG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
HTTP_URL = r"^https?://[^\s/$.?#][^\s]*$"
BASE_URL_FIELD = Field(
    default=None,
    alias="baseURL",
    pattern=HTTP_URL,
    max_length=2048,
    description="Base URL of an OpenAI-compatible server to use instead of the provider's "
    "own, for example a self-hosted model server.",
)


class Greeting(KubeModel):
    """Who speaks first when a call connects."""

    mode: GreetingMode = Field(
        default=GreetingMode.AGENT_FIRST,
        description="AgentFirst: the agent speaks the greeting as soon as the caller joins. "
        "WaitForCaller: the agent stays silent until the caller speaks.",
    )
    text: str | None = Field(
        default=None,
        max_length=2000,
        description="What the agent says first. Variables such as {{agent_name}} are "
        "substituted. Without it, the agent greets in its own words.",
    )


class STTConfig(KubeModel):
    """Speech-to-text settings."""

    provider: STTProvider = Field(default=STTProvider.OPENAI, description="STT provider.")
    model: str = Field(
        default="gpt-4o-mini-transcribe",
        min_length=1,
        max_length=128,
        description="Model name at the provider.",
    )
    language: str | None = Field(
        default=None,
        pattern=LANGUAGE_TAG,
        description="BCP 47 language of the caller's speech; defaults to the agent's language.",
    )
    base_url: str | None = BASE_URL_FIELD


class LLMConfig(KubeModel):
    """Language model settings."""

    provider: LLMProvider = Field(default=LLMProvider.OPENAI, description="LLM provider.")
    model: str = Field(
        default="gpt-4o-mini",
        min_length=1,
        max_length=128,
        description="Model name at the provider.",
    )
    temperature: str | None = Field(
        default=None,
        pattern=DECIMAL_0_TO_2,
        description='Sampling temperature as a decimal string between "0" and "2".',
    )
    max_completion_tokens: int | None = Field(
        default=None,
        ge=1,
        le=32768,
        description="Upper bound on tokens generated per reply.",
    )
    base_url: str | None = BASE_URL_FIELD


class TTSConfig(KubeModel):
    """Text-to-speech settings."""

    provider: TTSProvider = Field(default=TTSProvider.OPENAI, description="TTS provider.")
    model: str = Field(
        default="gpt-4o-mini-tts",
        min_length=1,
        max_length=128,
        description="Model name at the provider.",
    )
    voice: str = Field(
        default="alloy",
        min_length=1,
        max_length=128,
        description="Voice name (OpenAI) or voice id (Cartesia).",
    )
    speed: str | None = Field(
        default=None,
        pattern=DECIMAL_0_TO_2,
        description='Speaking rate as a decimal string, "1" being normal speed.',
    )
    base_url: str | None = BASE_URL_FIELD


class VADSettings(KubeModel):
    """Silero voice activity detection tuning."""

    min_speech_ms: int = Field(
        default=50, ge=10, le=2000, description="Speech shorter than this is ignored."
    )
    min_silence_ms: int = Field(
        default=550,
        ge=50,
        le=5000,
        description="Silence that must follow speech before the end of speech is declared.",
    )
    activation_threshold_percent: int = Field(
        default=50,
        ge=1,
        le=99,
        description="Speech probability, in percent, above which a frame counts as speech.",
    )


class TurnDetection(KubeModel):
    """How the agent decides that the caller has finished speaking."""

    mode: TurnDetectionMode = Field(
        default=TurnDetectionMode.VAD,
        description="VAD: end of turn after silence. STT: the STT's end-of-utterance. "
        "Model: the offline end-of-turn model shipped with the worker.",
    )
    vad: VADSettings = Field(default_factory=VADSettings, description="VAD tuning.")
    min_endpointing_delay_ms: int = Field(
        default=500,
        ge=0,
        le=10000,
        description="Minimum wait after the end of speech before the agent replies.",
    )
    max_endpointing_delay_ms: int = Field(
        default=6000,
        ge=0,
        le=30000,
        description="Maximum wait after the end of speech before the agent replies.",
    )
    allow_interruptions: bool = Field(
        default=True, description="Whether the caller can interrupt the agent while it speaks."
    )

    cel_rules = (
        CelRule(
            "self.minEndpointingDelayMs <= self.maxEndpointingDelayMs",
            "minEndpointingDelayMs must not exceed maxEndpointingDelayMs",
            ".minEndpointingDelayMs",
        ),
    )


class SecretKeySelector(KubeModel):
    """One key of a Secret in the agent's namespace."""

    name: str = Field(min_length=1, max_length=253, description="Name of the Secret.")
    key: str = Field(
        min_length=1, max_length=253, pattern=r"^[-._a-zA-Z0-9]+$", description="Key in the Secret."
    )


class HTTPHeader(KubeModel):
    """A header sent with an HTTP tool's request, as a literal value or from a Secret."""

    name: str = Field(
        min_length=1,
        max_length=256,
        pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
        description="Header name.",
    )
    value: str | None = Field(default=None, max_length=8192, description="Literal value.")
    value_from: SecretKeySelector | None = Field(
        default=None, description="Take the value from a Secret key instead."
    )

    cel_rules = (
        CelRule(
            "has(self.value) != has(self.valueFrom)",
            "exactly one of value and valueFrom must be set",
        ),
    )


class HTTPToolSpec(KubeModel):
    """An HTTP endpoint the LLM can call with JSON arguments."""

    url: str = Field(
        pattern=HTTP_URL,
        max_length=2048,
        description="URL to call. Addresses on private, loopback, link-local and "
        "cluster-internal networks are refused at call time.",
    )
    method: HTTPMethod = Field(default=HTTPMethod.POST, description="HTTP method.")
    headers: list[HTTPHeader] = Field(
        default_factory=list,
        max_length=32,
        description="Headers to send.",
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
    )
    timeout_ms: int = Field(
        default=5000, ge=100, le=60000, description="Timeout for the whole request."
    )
    parameters: dict[str, Any] = Field(
        default_factory=lambda: {"type": "object", "properties": {}},
        description="JSON Schema of the arguments, given to the LLM and checked before the "
        "request is sent.",
    )
    max_response_bytes: int = Field(
        default=4096,
        ge=64,
        le=65536,
        description="The response body is cut to this many bytes before the LLM reads it.",
    )
    filler_phrases: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list,
        max_length=10,
        description="Phrases the agent may say while waiting for a slow response.",
    )


class TransferSpec(KubeModel):
    """Settings of the built-in call transfer tool."""

    allowed_numbers: list[PhoneNumberE164] = Field(
        min_length=1,
        max_length=50,
        description="The only E.164 numbers a call may be transferred to.",
    )


TOOL_NAME = r"^[a-z][a-z0-9_]{0,63}$"


class Tool(KubeModel):
    """A function the LLM can call during a conversation."""

    name: str = Field(pattern=TOOL_NAME, description="Function name the LLM sees (snake_case).")
    type: ToolType = Field(
        description="HTTP: call an HTTP endpoint. EndCall: hang up. TransferCall: SIP transfer "
        "to an allowed number."
    )
    description: str = Field(
        default="",
        max_length=2000,
        description="What the tool does and when to use it, as the LLM reads it.",
    )
    http: HTTPToolSpec | None = Field(default=None, description="Settings of an HTTP tool.")
    transfer: TransferSpec | None = Field(
        default=None, description="Settings of a TransferCall tool."
    )

    cel_rules = (
        CelRule(
            "self.type == 'HTTP' ? has(self.http) : !has(self.http)",
            "http is required for an HTTP tool and allowed only there",
            ".http",
        ),
        CelRule(
            "self.type == 'TransferCall' ? has(self.transfer) : !has(self.transfer)",
            "transfer is required for a TransferCall tool and allowed only there",
            ".transfer",
        ),
    )


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
        min_length=1, description="Events to send.", json_schema_extra={"x-kubernetes-list-type": "set"}
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


class BundleSource(KubeModel):
    """A content-addressed bundle of the agent's files in the platform's object storage."""

    digest: str = Field(
        pattern=SHA256_DIGEST,
        description="sha256 digest of the bundle, as written by the dashboard's deploy.",
    )


class CodeSource(KubeModel):
    """Where the custom agent's code comes from: a bundle to build, or a prebuilt image."""

    bundle: BundleSource | None = Field(
        default=None, description="A bundle the operator builds in a Job."
    )
    image: str | None = Field(
        default=None,
        pattern=r"^[^\s@]+@sha256:[a-f0-9]{64}$",
        max_length=512,
        description="A container image pinned by digest (name@sha256:...); no build runs.",
    )

    cel_rules = (
        CelRule("has(self.bundle) != has(self.image)", "exactly one of bundle and image must be set"),
    )


class ReplicaBounds(KubeModel):
    """How many pods may run the agent."""

    min: int = Field(default=1, ge=0, le=100, description="Fewest pods kept running.")
    max: int = Field(default=3, ge=1, le=100, description="Most pods allowed.")

    cel_rules = (CelRule("self.min <= self.max", "min must not exceed max", ".min"),)


class ResourceAmounts(KubeModel):
    """CPU and memory as Kubernetes quantities."""

    cpu: str | None = Field(default=None, pattern=QUANTITY, description='CPU, for example "500m".')
    memory: str | None = Field(
        default=None, pattern=QUANTITY, description='Memory, for example "512Mi".'
    )


class Resources(KubeModel):
    """Compute resources of each pod. Unset values get the operator's defaults."""

    requests: ResourceAmounts = Field(
        default_factory=ResourceAmounts, description="Resources reserved for a pod."
    )
    limits: ResourceAmounts = Field(
        default_factory=ResourceAmounts, description="Most a pod may use."
    )


class EgressRule(KubeModel):
    """A destination the agent's pods may reach beyond DNS, the platform API and LiveKit."""

    name: str = Field(pattern=DNS_LABEL, max_length=63, description="Name of the rule.")
    cidr: str = Field(
        pattern=r"^[0-9a-fA-F.:]+/[0-9]{1,3}$", description="Destination network in CIDR form."
    )
    ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(
        default_factory=lambda: [443],
        min_length=1,
        max_length=16,
        description="TCP ports allowed.",
    )


class Isolation(KubeModel):
    """How the agent's pods are isolated."""

    runtime_class_name: str | None = Field(
        default=None,
        pattern=DNS_LABEL,
        max_length=63,
        description="RuntimeClass for the pods, for example gvisor.",
    )
    egress: list[EgressRule] = Field(
        default_factory=list,
        max_length=32,
        description="Extra destinations the pods may reach.",
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
    )


class CustomSpec(KubeModel):
    """Settings that apply only to a custom agent."""

    source: CodeSource = Field(description="Where the agent's code comes from.")
    entrypoint: str = Field(
        default="agent",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(:[A-Za-z_][A-Za-z0-9_]*)?$",
        max_length=256,
        description="Module to load, optionally with an attribute (module:attribute).",
    )
    replicas: ReplicaBounds = Field(default_factory=ReplicaBounds, description="Pod count bounds.")
    resources: Resources = Field(default_factory=Resources, description="Pod resources.")
    isolation: Isolation = Field(default_factory=Isolation, description="Isolation settings.")
    drain_timeout_seconds: int = Field(
        default=600,
        ge=10,
        le=7200,
        description="How long a stopping pod may keep serving its calls; becomes the pod's "
        "termination grace period.",
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


class VoiceAgent(KubeModel):
    """A voice agent."""

    api_version: Literal["arkenos.io/v1alpha1"] = Field(
        default=API_VERSION, description="API version."
    )
    kind: Literal["VoiceAgent"] = Field(default=KIND, description="Kind.")
    metadata: ObjectMeta = Field(default_factory=ObjectMeta, description="Object metadata.")
    spec: VoiceAgentSpec = Field(description="Desired state.")
    status: VoiceAgentStatus | None = Field(default=None, description="Observed state.")


class VoiceAgentConditionType(StrEnum):
    #: True when a call to the agent would be served now.
    READY = "Ready"
    #: Custom agents from a bundle: True when the current bundle digest is built.
    BUILT = "Built"
    #: Custom agents: True when the Deployment has the minimum number of pods available.
    AVAILABLE = "Available"
