"""The API server's settings, read from ARKENOS_* environment variables.

Built by :func:`load_settings`, never at import, so tests and commands build their own. Secrets
are ``SecretStr``; a placeholder secret is refused outside development.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: A master key anyone can read in this file: accepted only in development.
DEVELOPMENT_MASTER_KEYS = "dev:ZGV2ZWxvcG1lbnQtb25seS1tYXN0ZXIta2V5LTMyYnk="


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything the API server reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="ARKENOS_", extra="ignore")

    environment: Environment = Environment.PRODUCTION
    database_url: SecretStr = Field(
        description="SQLAlchemy URL, postgresql+asyncpg://user:password@host:port/db"
    )
    database_pool_size: int = 10
    kubeconfig: Path | None = Field(
        default=None, description="kubeconfig file; without it, the in-cluster config is used."
    )
    platform_namespace: str = Field(
        default="arkenos-system",
        description="Namespace of the shared worker pool, whose ServiceAccount serves "
        "standard agents.",
    )
    reserved_namespaces: list[str] = Field(
        default_factory=list,
        description="More namespaces that may never become workspaces (besides Kubernetes' "
        "own and the platform namespace), such as the database's.",
    )
    workspace_quota: dict[str, str] = Field(
        default_factory=lambda: {
            "requests.cpu": "8",
            "requests.memory": "16Gi",
            "limits.cpu": "16",
            "limits.memory": "32Gi",
            "pods": "50",
        },
        description="ResourceQuota 'hard' of every workspace namespace.",
    )
    workspace_default_requests: dict[str, str] = Field(
        default_factory=lambda: {"cpu": "100m", "memory": "256Mi"},
        description="LimitRange defaultRequest for containers of a workspace that set none.",
    )
    workspace_default_limits: dict[str, str] = Field(
        default_factory=lambda: {"cpu": "1", "memory": "1Gi"},
        description="LimitRange default limits for containers of a workspace that set none.",
    )
    operator_service_account: str = Field(
        default="arkenos-operator",
        description="ServiceAccount (in the platform namespace) of the operator, the only "
        "identity that may ask whether an agent is ready.",
    )
    public_url: str = Field(
        default="http://localhost:3000", description="Dashboard URL used in invitation links."
    )
    master_keys: SecretStr | None = Field(
        default=None,
        description="Master keys as 'id:base64key' entries separated by commas; the first is "
        "used to wrap new data keys, the others only unwrap (during rotation).",
    )
    master_keys_file: Path | None = Field(
        default=None, description="File holding master keys in the same format, one per line."
    )
    session_ttl_seconds: int = Field(default=12 * 3600, ge=60)
    cookie_secure: bool = True
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    invitation_ttl_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    login_address_factor: int = Field(
        default=4,
        ge=1,
        description="One address may fail this many times login_max_failures in a window "
        "(across all accounts) before it is refused.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="CIDRs of reverse proxies whose X-Forwarded-For is believed (for log-in "
        "limits by address). Empty (the default): the header is ignored and the peer address "
        "counts.",
    )
    max_request_body_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1024,
        description="Larger request bodies are refused with 413 before they are read.",
    )
    token_review_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="How long a successful workload TokenReview is reused: a token the cluster "
        "revokes (its pod deleted) keeps working for at most this long.",
    )
    token_review_cache_size: int = Field(default=10_000, ge=1)
    runtime_config_cache_size: int = Field(default=10_000, ge=1)
    openai_base_url: str = "https://api.openai.com/v1"
    cartesia_base_url: str = "https://api.cartesia.ai"
    deepgram_base_url: str = "https://api.deepgram.com/v1"
    twilio_base_url: str = Field(
        default="https://api.twilio.com/2010-04-01",
        description="Twilio's 2010-04-01 API, for key checks and phone number searches (tests "
        "point it at a double).",
    )
    google_base_url: str = "https://generativelanguage.googleapis.com/v1beta"
    provider_timeout_seconds: float = 10.0
    wake_wait_seconds: float = Field(
        default=180.0,
        gt=0,
        description="How long a call to a custom agent at zero pods waits for the agent's first "
        "ready pod before the API stops re-dispatching it (LiveKit drops a dispatch made while "
        "no worker of that name is registered).",
    )
    wake_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often a waiting call checks the woken agent."
    )
    s3_endpoint: str | None = Field(
        default=None,
        description="host:port of the S3-compatible store for custom agent code; without it "
        "the code routes answer 503.",
    )
    s3_bucket: str | None = Field(default=None, description="Bucket of code blobs and bundles.")
    s3_access_key: SecretStr | None = None
    s3_secret_key: SecretStr | None = None
    s3_secure: bool = Field(default=True, description="Reach the store over TLS.")
    s3_region: str | None = None
    code_max_file_bytes: int = Field(default=256 * 1024, ge=1, description="Largest file.")
    code_max_files: int = Field(default=500, ge=1, description="Most files in one agent.")
    code_max_tree_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1, description="Most bytes in one agent's files together."
    )
    artifact_max_bytes: int = Field(
        default=2 * 1024 * 1024 * 1024,
        ge=1024,
        description="Largest built artifact (the agent's code and its installed requirements) "
        "a build may upload; a larger upload is refused with 413.",
    )
    code_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="Memory per API process for file contents (content-addressed, never stale).",
    )
    assistant_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint of the coding assistant (default: "
        "ARKENOS_OPENAI_BASE_URL). A platform setting, never a user's: the API calls it.",
    )
    assistant_model: str = Field(default="gpt-4o-mini", max_length=128)
    assistant_models: list[str] = Field(
        default_factory=lambda: ["gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini"],
        description="Models a person may pick for the assistant.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, cidrs: list[str]) -> list[str]:
        for cidr in cidrs:
            ipaddress.ip_network(cidr, strict=False)  # raises ValueError naming the value
        return cidrs

    livekit_url: str | None = Field(
        default=None, description="LiveKit server API URL (http[s]://), used to create rooms."
    )
    livekit_public_url: str | None = Field(
        default=None,
        description="LiveKit URL browsers connect to (ws[s]://); defaults to livekit_url.",
    )
    livekit_api_key: str | None = Field(default=None, description="LiveKit API key.")
    livekit_api_secret: SecretStr | None = Field(
        default=None, description="LiveKit API secret; also verifies LiveKit's webhooks."
    )
    gateway_room_url: str | None = Field(
        default=None,
        description="LiveKit URL custom agents' jobs join their rooms at, as reached from "
        "their pods (the worker gateway puts it in each job assignment); defaults to "
        "livekit_url.",
    )
    gateway_recheck_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="How often the worker gateway looks up the VoiceAgent of each open worker "
        "connection again: a deleted or recreated agent's connection is closed within this "
        "(±20 %).",
    )
    call_token_ttl_seconds: int = Field(
        default=300, ge=30, le=3600, description="How long a browser's join token is valid."
    )
    max_concurrent_calls: int = Field(
        default=20, ge=1, description="Default per-workspace limit on calls in progress."
    )
    twilio_account_sid: str | None = Field(
        default=None, description="The platform's Twilio account, when a workspace has none."
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None, description="Auth token of the platform's Twilio account."
    )
    twilio_webhook_base_url: str | None = Field(
        default=None,
        description="Public base URL of this API as Twilio calls it (signatures cover the URL).",
    )

    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="Timeout of one outgoing webhook delivery."
    )
    webhook_retry_delays_seconds: list[float] = Field(
        default=[5, 300, 1800, 7200, 18000, 36000, 36000],
        min_length=1,
        description="Waits between an outgoing webhook's attempts (about a day in all).",
    )
    webhook_allow_loopback: bool = Field(
        default=False,
        description="Let outgoing webhooks reach 127.0.0.1 and ::1 (tests only: never in a "
        "deployment, where it would open the API's own host to its tenants).",
    )
    webhook_ca_file: Path | None = Field(
        default=None, description="Extra CA certificates trusted for webhook receivers."
    )
    jobs_max_attempts: int = Field(
        default=5, ge=1, le=50, description="Attempts of a background job before it is held."
    )
    jobs_batch_size: int = Field(default=10, ge=1, le=1000, description="Jobs taken at once.")
    jobs_concurrency: int = Field(
        default=20,
        ge=1,
        le=1000,
        description="Jobs one worker runs at the same time (at least twice the batch size).",
    )
    jobs_kube_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="How long the jobs worker keeps a VoiceAgent or Secret it read (an edit is "
        "seen by the jobs within this time); 0 reads Kubernetes for every job.",
    )
    jobs_heartbeat_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A picked job whose worker has not beaten for this long is picked again.",
    )
    session_sweep_grace_seconds: int = Field(
        default=600,
        ge=0,
        description="How long past its agent's maximum call duration an open session is "
        "closed as Lost.",
    )
    session_sweep_cron: str = Field(
        default="* * * * *", description="When the sweeper of sessions that never ended runs."
    )

    analysis_max_attempts: int = Field(
        default=3,
        ge=1,
        le=10,
        description="Answers asked of the model for one call's analysis before invalid output "
        "is stored as a failure.",
    )
    analysis_provider_retries: int = Field(
        default=2,
        ge=0,
        le=10,
        description="Retries of a provider error (429, 5xx, timeout) within one analysis "
        "request, with the openai client's backoff.",
    )
    analysis_timeout_seconds: float = Field(
        default=60.0, gt=0, le=600, description="Timeout of one analysis request."
    )
    analysis_max_output_tokens: int = Field(
        default=2048, ge=64, le=32768, description="Upper bound on an analysis answer's tokens."
    )
    analysis_max_transcript_chars: int = Field(
        default=200_000,
        ge=1000,
        description="Longest transcript sent for analysis; a longer one is cut at its end.",
    )
    outbox_retention_days: int = Field(
        default=30,
        ge=1,
        description="Webhook messages delivered (or given up) longer ago than this are "
        "deleted with their attempts, and so are events left without messages.",
    )
    outbox_retention_cron: str = Field(
        default="17 * * * *", description="When the outbox retention job runs."
    )

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        if self.environment is Environment.DEVELOPMENT:
            return self
        problems = []
        if self.master_keys is None and self.master_keys_file is None:
            problems.append(
                "set ARKENOS_MASTER_KEYS or ARKENOS_MASTER_KEYS_FILE (outside development)"
            )
        if self.master_keys is not None and "dev:" in self.master_keys.get_secret_value():
            problems.append("the development master key is refused outside development")
        if not self.cookie_secure:
            problems.append("ARKENOS_COOKIE_SECURE=false is refused outside development")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def operator_username(self) -> str:
        return f"system:serviceaccount:{self.platform_namespace}:{self.operator_service_account}"

    def master_keys_text(self) -> str:
        """The configured master keys, from the file when one is set."""
        if self.master_keys_file is not None:
            return self.master_keys_file.read_text()
        if self.master_keys is not None:
            return self.master_keys.get_secret_value()
        return DEVELOPMENT_MASTER_KEYS


class SettingsError(RuntimeError):
    """The environment does not make valid settings; the message lists every problem."""


def load_settings() -> Settings:
    """Settings from the environment, or :class:`SettingsError` naming every problem."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(describe(error)) from None


def describe(error: ValidationError) -> str:
    """Every problem of a settings validation, in words, by environment variable."""
    problems = []
    for issue in error.errors():
        if not issue["loc"]:
            problems.append(str(issue["msg"]).removeprefix("Value error, "))
            continue
        field = str(issue["loc"][0])
        name = f"ARKENOS_{field.upper()}"
        if issue["type"] == "missing":
            about = Settings.model_fields[field].description
            problems.append(f"{name} is required" + (f": {about}" if about else ""))
        else:
            problems.append(f"{name}: {issue['msg']}")
    return "Invalid API settings: " + "; ".join(problems)
