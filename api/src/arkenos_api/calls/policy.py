"""A workspace's call policy and the limit on its calls in progress."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from arkenos_api.calls.models import CallPolicy
from arkenos_api.core.errors import ApiError
from arkenos_api.internal.models import CallSession
from arkenos_api.settings import Settings


@dataclass(frozen=True)
class Policy:
    allowed_countries: list[str] | None
    allow_premium: bool
    max_concurrent_calls: int


async def policy_for(
    db_session: AsyncSession, workspace_id: uuid.UUID, settings: Settings
) -> Policy:
    row = await db_session.get(CallPolicy, workspace_id)
    if row is None:
        return Policy(None, False, settings.max_concurrent_calls)
    return Policy(
        row.allowed_countries,
        row.allow_premium,
        row.max_concurrent_calls or settings.max_concurrent_calls,
    )


async def reserve_call_slot(db_session: AsyncSession, workspace_id: uuid.UUID, limit: int) -> None:
    """Refuse a new call when the workspace already has ``limit`` calls in progress.

    A transaction-scoped advisory lock per workspace serialises the count and the insert that
    follows it, so two requests cannot both take the last slot.
    """
    await db_session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"calls:{workspace_id}"},
    )
    live = await db_session.scalar(
        select(func.count())
        .select_from(CallSession)
        .where(CallSession.workspace_id == workspace_id, CallSession.ended_at.is_(None))
    )
    if (live or 0) >= limit:
        raise ApiError(
            429,
            "too_many_calls",
            f"this workspace already has {live} calls in progress (limit {limit}); "
            "wait for one to end",
        )
