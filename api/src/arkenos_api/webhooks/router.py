"""Webhooks in: LiveKit's (room and participant events) and Twilio's call status callbacks.
Not workspace routes: the sender proves itself with its signature, and anything that does
not verify is refused with 401 before anything is stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, status

from arkenos_api.core.errors import ErrorBody
from arkenos_api.deps import (
    KeyringDep,
    KubeDep,
    LiveKitDep,
    RedispatcherDep,
    SessionDep,
    SettingsDep,
)
from arkenos_api.webhooks import livekit, twilio

router = APIRouter(
    prefix="/webhooks",
    tags=["webhooks"],
    responses={401: {"model": ErrorBody, "description": "Forged, unsigned, stale or replayed."}},
)


@router.post(
    "/livekit",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/webhook+json": {
                    "example": {
                        "event": "room_finished",
                        "id": "EV_3kT9pQ2mZr8x",
                        "createdAt": "1764583200",
                        "room": {"name": "call-5b0f0c3c9d3e4b6f8d1e2a7c4b9f1e20"},
                    }
                }
            }
        }
    },
)
async def livekit_webhook(
    request: Request,
    db_session: SessionDep,
    lk: LiveKitDep,
    kube: KubeDep,
    redispatcher: RedispatcherDep,
    authorization: Annotated[str, Header(description="LiveKit's signed JWT.")] = "",
) -> None:
    """LiveKit's webhook (configure LiveKit's webhook.urls with this path and the API's key)."""
    event = livekit.verify(lk, await request.body(), authorization)
    await livekit.handle(db_session, kube, lk, redispatcher, event)


@router.post(
    "/twilio/{namespace}/call-status",
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "example": {
                        "AccountSid": "AC0123456789abcdef0123456789abcdef",
                        "CallSid": "CA0123456789abcdef0123456789abcdef",
                        "CallStatus": "ringing",
                        "From": "+14155559000",
                        "To": "+14155550123",
                    }
                }
            }
        }
    },
)
async def twilio_call_status(
    request: Request,
    namespace: Annotated[str, Path(max_length=63, description="Workspace of the call.")],
    db_session: SessionDep,
    keyring: KeyringDep,
    settings: SettingsDep,
    signature: Annotated[str, Header(alias="X-Twilio-Signature")] = "",
) -> None:
    """Twilio's status callback for an outbound call of the workspace."""
    form = {key: str(value) for key, value in (await request.form()).items()}
    workspace, account_sid, token = await twilio.account_for(
        db_session, keyring, settings, namespace
    )
    base = settings.twilio_webhook_base_url
    url = f"{base.rstrip('/')}{request.url.path}" if base else str(request.url)
    if base and request.url.query:
        url += f"?{request.url.query}"
    twilio.verify(token, account_sid, url, form, signature)
    await twilio.handle(db_session, workspace, form)
