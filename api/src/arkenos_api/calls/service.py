"""Starting and controlling calls: a browser call to an agent, an outbound call from a
PhoneNumber, hang-up and transfer of a live call.

A call's session is registered and committed before its room exists, because the worker's own
registration of that room (a few milliseconds later) claims it; if LiveKit then refuses, the
session ends as Failed with LiveKit's message. A custom agent with no ready pod is marked for
waking before the room is made (see :mod:`.wake`), and the room is handed to the
:class:`~.redispatch.Redispatcher`, which dispatches it again once a pod is up (LiveKit drops a
dispatch no worker could take).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.analysis.requests import analysis_requested
from arkenos_api.calls import rooms
from arkenos_api.calls.destinations import check_destination
from arkenos_api.calls.policy import policy_for, reserve_call_slot
from arkenos_api.calls.redispatch import Redispatcher, Waiting
from arkenos_api.calls.schemas import OutboundCallIn, OutboundCallOut, WebCallIn, WebCallOut
from arkenos_api.calls.wake import wake_if_asleep
from arkenos_api.core.db import utcnow
from arkenos_api.core.errors import ApiError, not_found
from arkenos_api.core.kube import Kube
from arkenos_api.core.livekit import LiveKit
from arkenos_api.deps import WorkspaceContext
from arkenos_api.internal.models import CallSession
from arkenos_api.sessions.lifecycle import CallStatus, finish_session
from arkenos_api.settings import Settings
from arkenos_crds.runtime import CallDirection, DispatchMetadata, EndReason


def _ready(resource: dict[str, Any]) -> tuple[bool, str]:
    conditions = (resource.get("status") or {}).get("conditions") or []
    ready = next((c for c in conditions if c.get("type") == "Ready"), None)
    if ready is None:
        return False, "the operator has not reported on it yet"
    return ready.get("status") == "True", str(ready.get("message") or ready.get("reason") or "")


def ready_dispatch_name(resource: dict[str, Any], name: str) -> str:
    """The agent's dispatch name (status.dispatchName), or 409 with its Ready message."""
    ready, message = _ready(resource)
    dispatch_name = (resource.get("status") or {}).get("dispatchName")
    if not ready:
        raise ApiError(409, "agent_not_ready", f"agent {name} is not Ready: {message}")
    if not dispatch_name:
        raise ApiError(409, "agent_not_ready", f"agent {name} has no dispatch name yet")
    return str(dispatch_name)


def _new_session(
    ctx: WorkspaceContext,
    resource: dict[str, Any],
    agent: str,
    direction: CallDirection,
    variables: dict[str, str],
) -> CallSession:
    now = utcnow()
    return CallSession(
        id=uuid.uuid4(),
        workspace_id=ctx.workspace.id,
        agent=agent,
        job_id=None,
        room=f"call-{uuid.uuid4().hex}",
        direction=direction,
        served_by="",
        dispatched_at=now,
        started_at=now,
        status=CallStatus.DIALING,
        variables=variables or None,
        analysis_requested=analysis_requested(resource),
    )


async def _register(
    db_session: AsyncSession, settings: Settings, ctx: WorkspaceContext, session: CallSession
) -> None:
    policy = await policy_for(db_session, ctx.workspace.id, settings)
    await reserve_call_slot(db_session, ctx.workspace.id, policy.max_concurrent_calls)
    db_session.add(session)
    await db_session.commit()


async def _fail(db_session: AsyncSession, session: CallSession, error: ApiError) -> None:
    locked = await db_session.get_one(CallSession, session.id, with_for_update=True)
    await finish_session(
        db_session=db_session,
        session=locked,
        ended_at=utcnow(),
        reason=EndReason.ERROR,
        error=error.message,
        status=CallStatus.FAILED,
    )
    await db_session.commit()


async def start_web_call(
    *,
    db_session: AsyncSession,
    kube: Kube,
    livekit: LiveKit,
    redispatcher: Redispatcher,
    settings: Settings,
    ctx: WorkspaceContext,
    agent: str,
    body: WebCallIn,
) -> WebCallOut:
    namespace = ctx.workspace.namespace
    resource = await kube.get_voice_agent(namespace, agent)
    if resource is None:
        raise not_found(f"agent {agent}")
    dispatch_name = ready_dispatch_name(resource, agent)
    session = _new_session(ctx, resource, agent, CallDirection.WEB, body.variables)
    await _register(db_session, settings, ctx, session)
    asleep = await wake_if_asleep(kube, namespace, agent, resource)
    metadata = DispatchMetadata(
        workspace=namespace,
        agent=agent,
        direction=CallDirection.WEB,
        session_id=session.id,
        variables=body.variables,
    )
    try:
        await rooms.create_room_with_agent(livekit, session.room, dispatch_name, metadata)
    except ApiError as error:
        await _fail(db_session, session, error)
        raise
    if asleep:
        redispatcher.watch(
            Waiting(session.room, namespace, agent, dispatch_name, rooms.wire(metadata))
        )
    user = ctx.principal.user
    token = rooms.browser_token(
        livekit, session.room, f"user-{user.id}", user.email, settings.call_token_ttl_seconds
    )
    return WebCallOut(url=livekit.public_url, token=token, room=session.room, session_id=session.id)


def _phone_line(resource: dict[str, Any], name: str) -> tuple[str, str, str]:
    """(agent, E.164 number, outbound trunk id) of a PhoneNumber that may place calls."""
    ready, message = _ready(resource)
    if not ready:
        raise ApiError(409, "phone_number_not_ready", f"PhoneNumber {name} is not Ready: {message}")
    spec, status = resource.get("spec") or {}, resource.get("status") or {}
    if not spec.get("outbound"):
        raise ApiError(
            409,
            "outbound_disabled",
            f"PhoneNumber {name} does not place calls: set spec.outbound to true",
        )
    number = status.get("phoneNumber")
    trunk = (status.get("livekit") or {}).get("outboundTrunkId")
    if not number or not trunk:
        raise ApiError(
            409, "phone_number_not_ready", f"PhoneNumber {name} has no outbound trunk yet"
        )
    return str((spec.get("agentRef") or {}).get("name", "")), str(number), str(trunk)


async def start_outbound_call(
    *,
    db_session: AsyncSession,
    kube: Kube,
    livekit: LiveKit,
    redispatcher: Redispatcher,
    settings: Settings,
    ctx: WorkspaceContext,
    body: OutboundCallIn,
) -> OutboundCallOut:
    namespace = ctx.workspace.namespace
    line = await kube.get_phone_number(namespace, body.phone_number)
    if line is None:
        raise ApiError(
            404, "not_found", f"PhoneNumber {body.phone_number} not found", "phoneNumber"
        )
    agent, number, trunk = _phone_line(line, body.phone_number)
    resource = await kube.get_voice_agent(namespace, agent)
    if resource is None:
        raise not_found(f"agent {agent} (of PhoneNumber {body.phone_number})")
    dispatch_name = ready_dispatch_name(resource, agent)
    policy = await policy_for(db_session, ctx.workspace.id, settings)
    check_destination(
        body.to, allowed_countries=policy.allowed_countries, allow_premium=policy.allow_premium
    )
    session = _new_session(ctx, resource, agent, CallDirection.OUTBOUND, body.variables)
    session.caller, session.callee, session.phone_number = number, body.to, number
    session.sip_identity = f"sip_{body.to}"
    await _register(db_session, settings, ctx, session)
    asleep = await wake_if_asleep(kube, namespace, agent, resource)
    metadata = DispatchMetadata(
        workspace=namespace,
        agent=agent,
        phone_number=number,
        direction=CallDirection.OUTBOUND,
        session_id=session.id,
        variables=body.variables,
    )
    try:
        await rooms.create_room_with_agent(livekit, session.room, dispatch_name, metadata)
        sip_call_id = await rooms.dial(
            livekit,
            room=session.room,
            trunk_id=trunk,
            to=body.to,
            from_number=number,
            identity=session.sip_identity,
        )
    except ApiError as error:
        await _fail(db_session, session, error)
        await rooms.delete_room(livekit, session.room)
        raise
    if asleep:
        redispatcher.watch(
            Waiting(session.room, namespace, agent, dispatch_name, rooms.wire(metadata))
        )
    locked = await db_session.get_one(CallSession, session.id, with_for_update=True)
    locked.sip_call_id = sip_call_id
    return OutboundCallOut(
        session_id=session.id, room=session.room, status=locked.status, sip_call_id=sip_call_id
    )


def require_live(session: CallSession) -> CallSession:
    """``session``, or 409 when its call has ended."""
    if session.ended_at is not None:
        raise ApiError(409, "call_ended", f"the call ended at {session.ended_at.isoformat()}")
    return session


async def live_session(
    db_session: AsyncSession, workspace_id: uuid.UUID, session_id: uuid.UUID
) -> CallSession:
    session = await db_session.scalar(
        select(CallSession).where(
            CallSession.id == session_id, CallSession.workspace_id == workspace_id
        )
    )
    if session is None:
        raise not_found(f"session {session_id}")
    return require_live(session)


async def hang_up(
    *, db_session: AsyncSession, livekit: LiveKit, ctx: WorkspaceContext, session_id: uuid.UUID
) -> None:
    session = await live_session(db_session, ctx.workspace.id, session_id)
    await hang_up_session(db_session=db_session, livekit=livekit, session=session)


async def hang_up_session(
    *, db_session: AsyncSession, livekit: LiveKit, session: CallSession
) -> None:
    """End the live call for everyone. Its worker reports the end; a room LiveKit no longer
    has means nobody will, so the session ends here as Lost."""
    require_live(session)
    if not await rooms.delete_room(livekit, session.room):
        locked = await db_session.get_one(CallSession, session.id, with_for_update=True)
        await finish_session(
            db_session=db_session, session=locked, ended_at=utcnow(), reason=EndReason.LOST
        )


async def transfer_call(
    *,
    db_session: AsyncSession,
    livekit: LiveKit,
    settings: Settings,
    ctx: WorkspaceContext,
    session_id: uuid.UUID,
    to: str,
) -> None:
    session = await live_session(db_session, ctx.workspace.id, session_id)
    await transfer_session(
        db_session=db_session, livekit=livekit, settings=settings, session=session, to=to
    )


async def transfer_session(
    *,
    db_session: AsyncSession,
    livekit: LiveKit,
    settings: Settings,
    session: CallSession,
    to: str,
    identity: str | None = None,
) -> None:
    """Transfer the live phone call's caller (``identity``, else the call's SIP participant)
    to ``to``, if the workspace's destination rules allow calling it."""
    require_live(session)
    if session.direction == CallDirection.WEB:
        raise ApiError(409, "not_a_phone_call", "only phone calls can be transferred")
    policy = await policy_for(db_session, session.workspace_id, settings)
    check_destination(
        to, allowed_countries=policy.allowed_countries, allow_premium=policy.allow_premium
    )
    identity = (
        identity or session.sip_identity or await rooms.sip_participant(livekit, session.room)
    )
    await rooms.transfer(livekit, room=session.room, identity=identity, to=to)
