"""Tools an agent's LLM can call: HTTP endpoints and the built-in end-call and transfer."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field

from arkenos_crds._base import CelRule, KubeModel
from arkenos_crds.meta import HTTP_URL, PhoneNumberE164


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
