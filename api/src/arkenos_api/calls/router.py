"""HTTP routes that start and control calls."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Path, status

from arkenos_api.calls import service
from arkenos_api.calls.schemas import (
    OutboundCallIn,
    OutboundCallOut,
    TransferIn,
    WebCallIn,
    WebCallOut,
)
from arkenos_api.core.errors import ErrorBody
from arkenos_api.core.roles import Role
from arkenos_api.deps import (
    KubeDep,
    LiveKitDep,
    RedispatcherDep,
    SessionDep,
    SettingsDep,
    WorkspaceDep,
    requires,
)
from arkenos_crds.meta import DNS_SUBDOMAIN

_errors: dict[int | str, dict[str, object]] = {
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
    409: {"model": ErrorBody, "description": "The agent, number or call is not in a state for it."},
    502: {"model": ErrorBody, "description": "LiveKit refused; the message is LiveKit's."},
    503: {"model": ErrorBody, "description": "No LiveKit server is configured."},
}
router = APIRouter(prefix="/api/v1/workspaces/{workspace}", tags=["calls"], responses=_errors)

AgentName = Annotated[
    str,
    Path(max_length=253, pattern=DNS_SUBDOMAIN, description="Agent name.", examples=["front-desk"]),
]
SessionId = Annotated[uuid.UUID, Path(description="Session id.")]

WEB_CALL_EXAMPLE = {
    "url": "wss://livekit.example.com",
    "token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...",
    "room": "call-5b0f0c3c9d3e4b6f8d1e2a7c4b9f1e20",
    "sessionId": "8a3f9d62-6c1e-4c2b-9a55-1f0e7b3c2d41",
}


@router.post(
    "/agents/{name}/calls",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=requires(Role.DEVELOPER),
    responses={
        201: {"content": {"application/json": {"example": WEB_CALL_EXAMPLE}}},
        429: {"model": ErrorBody, "description": "The workspace's concurrent call limit."},
    },
)
async def start_web_call(
    ctx: WorkspaceDep,
    name: AgentName,
    db_session: SessionDep,
    kube: KubeDep,
    livekit: LiveKitDep,
    redispatcher: RedispatcherDep,
    settings: SettingsDep,
    body: Annotated[WebCallIn, Body(examples=[{"variables": {"customer_name": "Ada"}}])],
) -> WebCallOut:
    """Start a browser call: a room with the agent dispatched to it, and a token to join it."""
    return await service.start_web_call(
        db_session=db_session,
        kube=kube,
        livekit=livekit,
        redispatcher=redispatcher,
        settings=settings,
        ctx=ctx,
        agent=name,
        body=body,
    )


@router.post(
    "/calls",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=requires(Role.DEVELOPER),
    responses={
        201: {
            "content": {
                "application/json": {
                    "example": {
                        "sessionId": "8a3f9d62-6c1e-4c2b-9a55-1f0e7b3c2d41",
                        "room": "call-5b0f0c3c9d3e4b6f8d1e2a7c4b9f1e20",
                        "status": "Dialing",
                        "sipCallId": "SCL_3mPq9xZr7TbK",
                    }
                }
            }
        },
        422: {"model": ErrorBody, "description": "The destination may not be called."},
        429: {"model": ErrorBody, "description": "The workspace's concurrent call limit."},
    },
)
async def start_outbound_call(
    ctx: WorkspaceDep,
    db_session: SessionDep,
    kube: KubeDep,
    livekit: LiveKitDep,
    redispatcher: RedispatcherDep,
    settings: SettingsDep,
    body: Annotated[
        OutboundCallIn,
        Body(examples=[{"phoneNumber": "support-line", "to": "+14155550123"}]),
    ],
) -> OutboundCallOut:
    """Call a phone from one of the workspace's PhoneNumbers; its agent talks."""
    return await service.start_outbound_call(
        db_session=db_session,
        kube=kube,
        livekit=livekit,
        redispatcher=redispatcher,
        settings=settings,
        ctx=ctx,
        body=body,
    )


@router.post(
    "/sessions/{session_id}/hangup",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=requires(Role.DEVELOPER),
)
async def hang_up(
    ctx: WorkspaceDep, session_id: SessionId, db_session: SessionDep, livekit: LiveKitDep
) -> None:
    """End a live call for everyone in it."""
    await service.hang_up(db_session=db_session, livekit=livekit, ctx=ctx, session_id=session_id)


@router.post(
    "/sessions/{session_id}/transfer",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=requires(Role.DEVELOPER),
    responses={422: {"model": ErrorBody, "description": "The destination may not be called."}},
)
async def transfer(
    ctx: WorkspaceDep,
    session_id: SessionId,
    db_session: SessionDep,
    livekit: LiveKitDep,
    settings: SettingsDep,
    body: Annotated[TransferIn, Body(examples=[{"to": "+14155550199"}])],
) -> None:
    """Transfer a live phone call's caller to another number."""
    await service.transfer_call(
        db_session=db_session,
        livekit=livekit,
        settings=settings,
        ctx=ctx,
        session_id=session_id,
        to=body.to,
    )
