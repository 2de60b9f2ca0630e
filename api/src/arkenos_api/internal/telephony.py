"""Telephony actions of a worker on its own calls: hang up, transfer the phone caller.

A worker holds no LiveKit server credential (a custom agent's pod must not: with it, user code
could reach any tenant's room), so it asks the API, which acts only on a live session the
workload itself registered, through the same functions, and the same destination rules, as
the dashboard's hang-up and transfer.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.calls.service import hang_up_session, transfer_session
from arkenos_api.core.livekit import LiveKit
from arkenos_api.internal.identity import Workload
from arkenos_api.internal.models import CallSession
from arkenos_api.internal.service import OwnerCache, check_owner
from arkenos_api.settings import Settings
from arkenos_crds.runtime import SessionTransfer


async def _own_session(
    db_session: AsyncSession, owners: OwnerCache, workload: Workload, session_id: uuid.UUID
) -> CallSession:
    """The workload's session; 404 for another workload's, as for one that does not exist."""
    await check_owner(db_session, owners, workload, session_id)
    return await db_session.get_one(CallSession, session_id)


async def hang_up(
    *,
    db_session: AsyncSession,
    owners: OwnerCache,
    livekit: LiveKit,
    workload: Workload,
    session_id: uuid.UUID,
) -> None:
    session = await _own_session(db_session, owners, workload, session_id)
    await hang_up_session(db_session=db_session, livekit=livekit, session=session)


async def transfer(
    *,
    db_session: AsyncSession,
    owners: OwnerCache,
    livekit: LiveKit,
    settings: Settings,
    workload: Workload,
    session_id: uuid.UUID,
    body: SessionTransfer,
) -> None:
    session = await _own_session(db_session, owners, workload, session_id)
    await transfer_session(
        db_session=db_session,
        livekit=livekit,
        settings=settings,
        session=session,
        to=body.to,
        identity=body.participant_identity,
    )
