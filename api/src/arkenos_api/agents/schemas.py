"""Request and response bodies of the agents routes. The spec is the VoiceAgent resource's
own model, so the API accepts exactly what kubectl would."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from arkenos_api.core.schemas import Labels
from arkenos_crds.meta import DNS_LABEL
from arkenos_crds.voiceagent import VoiceAgentSpec, VoiceAgentStatus

_SPEC_EXAMPLE: dict[str, Any] = {
    "displayName": "Front desk",
    "instructions": "You answer calls for Acme Dental. Be brief and friendly.",
    "greeting": {"mode": "AgentFirst", "text": "Hello, Acme Dental, how can I help?"},
    "llm": {"provider": "OpenAI", "model": "gpt-4o-mini"},
    "tts": {"provider": "Cartesia", "model": "sonic-2", "voice": "a0e99841"},
}


class _Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class AgentCreate(_Schema):
    model_config = ConfigDict(
        json_schema_extra={"example": {"name": "front-desk", "spec": _SPEC_EXAMPLE}}
    )

    name: str = Field(
        min_length=1, max_length=63, pattern=DNS_LABEL, description="Name of the VoiceAgent."
    )
    labels: Labels | None = Field(
        default=None, description="Labels on the resource (checked as Kubernetes checks them)."
    )
    spec: VoiceAgentSpec


class AgentUpdate(_Schema):
    model_config = ConfigDict(
        json_schema_extra={"example": {"resourceVersion": "12345", "spec": _SPEC_EXAMPLE}}
    )

    resource_version: str = Field(
        min_length=1,
        max_length=64,
        description="resourceVersion the change was made from; a stale one gets 409.",
    )
    spec: VoiceAgentSpec = Field(description="The whole new spec (fields left out are reset).")


class AgentOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "name": "front-desk",
                "namespace": "acme",
                "uid": "5f0c1d9a-8b7e-4c1f-9e2a-3d4b5c6d7e8f",
                "resourceVersion": "12345",
                "generation": 2,
                "spec": _SPEC_EXAMPLE,
                "status": {
                    "observedGeneration": 2,
                    "dispatchName": "arkenos-standard",
                    "conditions": [
                        {
                            "type": "Ready",
                            "status": "True",
                            "reason": "Serving",
                            "message": "calls are served by the shared worker pool",
                            "lastTransitionTime": "2026-01-01T00:00:00Z",
                        }
                    ],
                },
            }
        }
    )

    name: str
    namespace: str
    uid: str | None = None
    resource_version: str | None = Field(default=None, description="Send it back on update.")
    generation: int | None = None
    labels: dict[str, str] | None = None
    created_at: str | None = Field(default=None, description="creationTimestamp.")
    spec: VoiceAgentSpec
    status: VoiceAgentStatus | None = Field(
        default=None, description="The operator's view: conditions and dispatch name."
    )


class AgentTemplate(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "receptionist",
                "title": "Receptionist",
                "description": "Answers the phone, takes a message and says goodbye.",
                "spec": _SPEC_EXAMPLE,
            }
        }
    )

    id: str = Field(description="Template id.")
    title: str
    description: str
    spec: VoiceAgentSpec
