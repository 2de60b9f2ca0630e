"""Request and response bodies of the call routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import Field

from arkenos_api.core.schemas import Schema
from arkenos_crds.meta import PhoneNumberE164

#: Call variables: substituted into the agent's instructions as {{name}}.
Variables = dict[
    Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")],
    Annotated[str, Field(max_length=2000)],
]
_VARIABLES: Variables = Field(
    default_factory=dict,
    max_length=50,
    description="Pre-call data substituted into the agent's instructions as {{name}}.",
    examples=[{"customer_name": "Ada", "order_id": "A-1042"}],
)


class WebCallIn(Schema):
    variables: Variables = _VARIABLES


class WebCallOut(Schema):
    """What a browser needs to join the call."""

    url: str = Field(description="LiveKit URL to connect to.")
    token: str = Field(description="Participant token for this room only, short-lived.")
    room: str = Field(description="Room name.")
    session_id: uuid.UUID = Field(description="Id of the call's session in the call log.")


class OutboundCallIn(Schema):
    phone_number: str = Field(
        min_length=1,
        max_length=253,
        description="Name of the workspace's PhoneNumber to call from; its agent takes the call.",
        examples=["support-line"],
    )
    to: PhoneNumberE164 = Field(description="Destination in E.164.", examples=["+14155550123"])
    variables: Variables = _VARIABLES


class OutboundCallOut(Schema):
    session_id: uuid.UUID = Field(description="Id of the call's session in the call log.")
    room: str = Field(description="Room name.")
    status: str = Field(description="Call status: Dialing until the callee's phone rings.")
    sip_call_id: str | None = Field(default=None, description="LiveKit's SIP call id.")


class TransferIn(Schema):
    to: PhoneNumberE164 = Field(
        description="Number (E.164) to transfer the phone caller to.", examples=["+14155550199"]
    )
