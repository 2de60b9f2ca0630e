"""Request and response bodies of the keys routes."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic.alias_generators import to_camel

from arkenos_crds.runtime import Provider

_KEY_CHARACTERS = re.compile(r"[\x21-\x7e]+")


class _Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class KeyIn(_Schema):
    model_config = ConfigDict(json_schema_extra={"example": {"value": "sk-proj-abc123"}})

    value: SecretStr = Field(
        min_length=8,
        max_length=4096,
        description="The provider key (printable ASCII, no spaces). For twilio: "
        "'<Account SID>:<Auth Token>'.",
    )

    @field_validator("value")
    @classmethod
    def _printable_ascii(cls, value: SecretStr) -> SecretStr:
        # Keys travel in HTTP headers, which carry only visible ASCII.
        if not _KEY_CHARACTERS.fullmatch(value.get_secret_value()):
            raise ValueError("a key has only visible ASCII characters, without spaces")
        return value


class KeyOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "provider": "openai",
                "present": True,
                "lastFour": "c123",
                "updatedAt": "2026-01-01T00:00:00Z",
            }
        }
    )

    provider: Provider
    present: bool = Field(description="Whether a key is stored.")
    last_four: str | None = Field(default=None, description="Last four characters of the key.")
    updated_at: datetime | None = None


class KeyCheckOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"provider": "openai", "ok": True, "status": 200, "message": "ok"}
        }
    )

    provider: Provider
    ok: bool = Field(description="Whether the provider accepted the key.")
    status: int | None = Field(default=None, description="The provider's HTTP status.")
    message: str
