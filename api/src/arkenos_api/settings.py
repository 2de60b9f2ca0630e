"""The API server's settings, read from ARKENOS_* environment variables.

Built by :func:`load_settings`, never at import, so tests and commands build their own. Secrets
are ``SecretStr``; a placeholder secret is refused outside development.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, model_validator
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
    token_review_cache_seconds: float = Field(default=30.0, ge=0)
    token_review_cache_size: int = Field(default=10_000, ge=1)
    runtime_config_cache_size: int = Field(default=10_000, ge=1)
    openai_base_url: str = "https://api.openai.com/v1"
    cartesia_base_url: str = "https://api.cartesia.ai"
    deepgram_base_url: str = "https://api.deepgram.com/v1"
    twilio_base_url: str = "https://api.twilio.com/2010-04-01"
    google_base_url: str = "https://generativelanguage.googleapis.com/v1beta"
    provider_timeout_seconds: float = 10.0

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
