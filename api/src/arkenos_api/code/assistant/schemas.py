"""Bodies of the coding assistant's routes and the events of its answer stream."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.alias_generators import to_camel


class _Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class AssistantAsk(_Schema):
    model_config = ConfigDict(
        json_schema_extra={"example": {"content": "Add a tool that tells the weather."}}
    )

    content: str = Field(min_length=1, max_length=8000, description="The question or request.")
    model: str | None = Field(
        default=None, max_length=128, description="One of the platform's assistant models."
    )


_PROPOSAL_EXAMPLE: dict[str, JsonValue] = {
    "id": "2c1f6c1e-0d55-4a43-9c9a-2b7e7c1d2f11",
    "path": "agent.py",
    "summary": "Add a weather tool",
    "delete": False,
    "content": "...",
    "baseVersion": "sha256:" + "a" * 64,
    "problems": [],
    "appliedVersion": None,
}


class ProposalOut(_Schema):
    model_config = ConfigDict(json_schema_extra={"example": _PROPOSAL_EXAMPLE})

    id: uuid.UUID
    path: str
    summary: str
    delete: bool
    content: str | None
    base_version: str | None = Field(description="The file version the edit was made against.")
    problems: list[str] = Field(description="Why it cannot be applied; empty when it can.")
    applied_version: int | None = Field(description="Tree version its apply created.")


class MessageOut(_Schema):
    id: uuid.UUID
    role: str
    content: str
    model: str | None
    created_at: datetime
    proposals: list[ProposalOut] = Field(default_factory=list)


class ConversationOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "agent": "support-bot",
                "models": ["gpt-4o-mini"],
                "messages": [
                    {
                        "id": "9b1f6c1e-0d55-4a43-9c9a-2b7e7c1d2f10",
                        "role": "user",
                        "content": "Add a weather tool.",
                        "model": None,
                        "createdAt": "2026-12-01T10:00:00Z",
                        "proposals": [],
                    }
                ],
            }
        }
    )

    agent: str
    models: list[str]
    messages: list[MessageOut]


class ApplyOut(_Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"proposal": {**_PROPOSAL_EXAMPLE, "appliedVersion": 5}, "treeVersion": 5}
        }
    )

    proposal: ProposalOut
    tree_version: int
