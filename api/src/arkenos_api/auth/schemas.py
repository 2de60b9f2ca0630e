"""Request and response bodies of sign-up, log-in and API tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import ConfigDict, Field, field_validator

from arkenos_api.core.roles import Role
from arkenos_api.core.schemas import Email, NamespaceName, Password, Schema
from arkenos_crds.meta import UtcDateTime


class SignUp(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "email": "ada@example.com",
                "password": "correct horse battery",
                "workspace": "acme",
            }
        }
    )

    email: Email
    password: Password
    workspace: NamespaceName = Field(
        default="arkenos-default",
        description="Namespace of the first workspace (only used for the very first user).",
    )


class LogIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {"email": "ada@example.com", "password": "correct horse battery"}
        }
    )

    email: Email
    password: str = Field(min_length=1, max_length=1024)


class UserOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "0b4c5d6e-7f80-4a1b-9c2d-3e4f5a6b7c8d",
                "email": "ada@example.com",
                "isPlatformAdmin": True,
            }
        }
    )

    id: uuid.UUID
    email: str
    is_platform_admin: bool


class LoggedIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "user": {
                    "id": "0b4c5d6e-7f80-4a1b-9c2d-3e4f5a6b7c8d",
                    "email": "ada@example.com",
                    "isPlatformAdmin": True,
                },
                "csrfToken": "Jx1...",
                "expiresAt": "2026-01-01T12:00:00Z",
            }
        }
    )

    user: UserOut
    csrf_token: str = Field(description="Send as X-CSRF-Token on every cookie-authenticated write.")
    expires_at: datetime


class SignedUp(Schema):
    model_config = ConfigDict(json_schema_extra={"example": {"workspace": None}})

    workspace: str | None = Field(
        default=None, description="The first workspace, when this was the very first account."
    )


class TokenCreate(Schema):
    model_config = ConfigDict(
        json_schema_extra={"example": {"name": "ci", "role": "developer", "expiresAt": None}}
    )

    name: str = Field(min_length=1, max_length=128)
    role: Role = Field(description="At most the creator's own role in the workspace.")
    expires_at: UtcDateTime | None = Field(
        default=None, description="When the token stops working; in the future. None: never."
    )

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value <= datetime.now(UTC):
            raise ValueError("an expiry in the past would make a token that never works")
        return value


class TokenOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "id": "4a1b9c2d-3e4f-5a6b-7c8d-0b4c5d6e7f80",
                "name": "ci",
                "role": "developer",
                "prefix": "ark_AbCd",
                "createdAt": "2026-01-01T00:00:00Z",
                "expiresAt": None,
                "revoked": False,
            }
        }
    )

    id: uuid.UUID
    name: str
    role: Role
    prefix: str = Field(description="First characters of the token, to tell tokens apart.")
    created_at: datetime
    expires_at: datetime | None
    revoked: bool


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself. Shown only now; store it safely.")
