"""Request and response bodies of workspaces, members and invitations."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import ConfigDict, Field

from arkenos_api.core.roles import Role
from arkenos_api.core.schemas import Email, NamespaceName, Schema


class WorkspaceCreate(Schema):
    model_config = ConfigDict(
        json_schema_extra={"example": {"namespace": "acme", "displayName": "Acme"}}
    )

    namespace: NamespaceName = Field(description="Namespace to create (or adopt).")
    display_name: str | None = Field(default=None, max_length=128)


class WorkspaceOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "namespace": "acme",
                "displayName": "Acme",
                "adopted": False,
                "role": "owner",
                "createdAt": "2026-01-01T00:00:00Z",
            }
        }
    )

    namespace: str
    display_name: str
    adopted: bool = Field(description="Whether the namespace existed before the workspace.")
    role: Role = Field(description="Your role in it.")
    created_at: datetime


class MemberOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "userId": "0b4c5d6e-7f80-4a1b-9c2d-3e4f5a6b7c8d",
                "email": "ada@example.com",
                "role": "admin",
            }
        }
    )

    user_id: uuid.UUID
    email: str
    role: Role


class RoleChange(Schema):
    model_config = ConfigDict(json_schema_extra={"example": {"role": "developer"}})

    role: Role


class InvitationCreate(Schema):
    model_config = ConfigDict(
        json_schema_extra={"example": {"email": "grace@example.com", "role": "developer"}}
    )

    email: Email
    role: Role


class InvitationOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "4a1b9c2d-3e4f-5a6b-7c8d-0b4c5d6e7f80",
                "email": "grace@example.com",
                "role": "developer",
                "link": "https://arkenos.example.com/invitations/Jx1...",
                "expiresAt": "2026-01-08T00:00:00Z",
            }
        }
    )

    id: uuid.UUID
    email: str
    role: Role
    link: str = Field(description="Send it to the person; it is shown only now.")
    expires_at: datetime


class InvitationAccept(Schema):
    model_config = ConfigDict(json_schema_extra={"example": {"token": "Jx1..."}})

    token: str = Field(min_length=1, max_length=256, description="The secret from the link.")
